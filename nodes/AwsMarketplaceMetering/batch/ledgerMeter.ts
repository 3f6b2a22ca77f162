import type { ClaimedKey, FinalReport, KeyUsage, MeteringLedger, Outcome, UsageKey } from '../ledger/types';
import { recordFromSum } from './aggregate';
import { resolveMeteringOptions } from './options';
import { planBatches } from './plan';
import { decimalFromText } from './quantity';
import { ISOLATION_STOPPED, type RecordAnswer, sendBatches } from './send';
import type { MeteringOptions, SendBatch, UsageBatch, UsageError, UsageRecord, UsageStatus } from './types';

export interface LedgerMeteringOptions extends Partial<MeteringOptions> {
	/** Who holds the claimed keys' lease: the execution. */
	claimant: string;
	/** Minutes an hour stays open for late usage after it ends. */
	closeAfterMinutes: number;
	/** How long a claim is this run's; past it, a later run takes the keys over (this one died). */
	leaseMs: number;
	/** Also meters the hours in progress of these licenses or customers: the final usage at cancellation. */
	final?: FinalReport;
	/** Keys claimed at a time; default CLAIM_LIMIT. */
	claimLimit?: number;
}

/** Keys claimed at a time: 100 requests, ten seconds of the account's quota. */
export const CLAIM_LIMIT = 2500;

/** What became of one usage key in this run. */
export interface KeyOutcome {
	key: UsageKey;
	status: UsageStatus;
	/** Events summed into the key. */
	events: number;
	record?: UsageRecord;
	meteringRecordId?: string;
	error?: UsageError;
	note?: string;
}

export interface LedgerMeteringReport {
	keys: KeyOutcome[];
	requests: number;
	retries: number;
	batches: UsageBatch[];
}

// A key sent before by a run whose answer never arrived: AWS keeps the first quantity, and no
// other quantity was ever sent for the key, so DuplicateRecord means that earlier attempt billed it.
const BILLED_EARLIER =
	'Metered by an earlier attempt whose answer was lost (the same frozen quantity): AWS answered DuplicateRecord to the identical resend, so no metering record ID is known';

/**
 * Meters the ledger's due usage keys with BatchMeterUsage: claims them (their quantity frozen),
 * sends them oldest hour first, and settles each one in the ledger: billed, not billed, to be
 * re-driven by a later run, or expired. Claims again while full claims come back and nothing
 * needs re-driving, so that one run empties a backlog without resending in a loop.
 */
export async function meterFromLedger(ledger: MeteringLedger, send: SendBatch, options: LedgerMeteringOptions): Promise<LedgerMeteringReport> {
	const settings = resolveMeteringOptions(options);
	const { claimant, closeAfterMinutes, leaseMs, final, claimLimit = CLAIM_LIMIT } = options;
	const report: LedgerMeteringReport = { keys: [], requests: 0, retries: 0, batches: [] };
	for (let round = 0; ; round++) {
		const claim = await ledger.claim(
			{ now: settings.now(), claimant, closeAfterMinutes, leaseMs, limit: claimLimit, ...(round === 0 && final ? { final } : {}) },
			(usage) => {
				const built = buildRecord(usage, settings.nonIntegerQuantity);
				return built.ok ? { ok: true, quantity: built.value.Quantity, allocations: built.value.UsageAllocations } : { ok: false, code: built.error.code, reason: built.error.message };
			},
		);
		for (const key of claim.expired) {
			// Sent before by a run that died: AWS may hold it all the same.
			const message = key.priorAttempts > 0 ? `Perhaps not billed: ${expiredReason(key)}; an earlier attempt whose answer was lost may have billed it` : `Not billed: ${expiredReason(key)}`;
			report.keys.push({ key, status: 'Expired', events: key.events, error: { code: 'Expired', message } });
		}
		for (const key of claim.refused) report.keys.push({ key, status: 'Invalid', events: key.events, error: { code: key.code, message: key.reason } });
		if (claim.claimed.length === 0) break;

		const keyOf = new Map<UsageRecord, ClaimedKey>();
		const planned = claim.claimed.map((key) => {
			const record = frozenRecord(key);
			keyOf.set(record, key);
			return { productCode: key.productCode, record };
		});
		const batches = planBatches(planned);
		const sent = await sendBatches(batches, send, {
			...settings,
			now: () => settings.now().getTime(),
			expired: (record, time) => (time >= keyOf.get(record)!.deadline.getTime() ? { code: 'Expired', message: `Not billed: ${expiredReason(keyOf.get(record)!)}` } : undefined),
		});
		report.requests += sent.requests;
		report.retries += sent.retries;
		report.batches.push(...batches);

		const outcomes: Outcome[] = [];
		let redrive = false;
		for (const [record, key] of keyOf) {
			const answer = settledAnswer(sent.answers.get(record)!, key);
			const settlement = toSettlement(key.keyId, answer);
			redrive ||= settlement.outcome === 'retry';
			outcomes.push(settlement);
			report.keys.push({ key, events: key.events, record, ...answer });
		}
		await ledger.settle(claimant, outcomes, { now: settings.now() });
		if (claim.claimed.length < claimLimit || redrive) break;
	}
	return report;
}

/** The usage record of a key's frozen quantity: the same for every attempt, in any run. */
function frozenRecord(key: ClaimedKey): UsageRecord {
	return {
		Timestamp: key.hour,
		...key.customer,
		...(key.licenseArn !== undefined ? { LicenseArn: key.licenseArn } : {}),
		Dimension: key.dimension,
		Quantity: key.quantity,
		...(key.allocations ? { UsageAllocations: key.allocations } : {}),
	};
}

function buildRecord(usage: KeyUsage, nonIntegerQuantity: MeteringOptions['nonIntegerQuantity']) {
	const decimal = (text: string) => decimalFromText(text) ?? { units: 0n, scale: 0 };
	return recordFromSum(
		{ Timestamp: usage.hour, customer: usage.customer, licenseArn: usage.licenseArn, Dimension: usage.dimension, productCode: usage.productCode },
		{
			total: decimal(usage.quantity),
			allocations: usage.allocations?.map((allocation) => ({
				quantity: decimal(allocation.quantity),
				...(allocation.tags ? { tags: allocation.tags } : {}),
				tagSet: allocation.tagSet,
			})),
			events: usage.events,
		},
		{ nonIntegerQuantity },
	);
}

function settledAnswer(answer: RecordAnswer, key: ClaimedKey): RecordAnswer {
	if (answer.status === 'DuplicateRecord' && key.priorAttempts > 0) return { status: 'Success', note: BILLED_EARLIER };
	return answer;
}

function toSettlement(keyId: number, answer: RecordAnswer): Outcome {
	const reason = answer.error?.message ?? answer.status;
	switch (answer.status) {
		case 'Success':
			return { keyId, outcome: 'billed', meteringRecordId: answer.meteringRecordId ?? null };
		case 'Unprocessed':
		case 'Failed':
			return { keyId, outcome: 'retry', error: reason };
		case 'Expired':
			return { keyId, outcome: 'expired', reason };
		default:
			// A record left unresolved when isolation stopped may be fine: a later run sends it again.
			if (answer.note === ISOLATION_STOPPED) return { keyId, outcome: 'retry', error: reason };
			return { keyId, outcome: 'notBilled', status: answer.status, reason };
	}
}

function expiredReason(key: UsageKey): string {
	return `AWS no longer accepts usage of ${key.hour.toISOString()} (from ${key.deadline.toISOString()} on): it was not sent in time`;
}
