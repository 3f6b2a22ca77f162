import type { ClaimedKey, FinalReport, KeyUsage, MeteringLedger, Outcome, UsageKey, ZeroUsage } from '../../shared/ledger/types';
import { recordFromSum } from './aggregate';
import { resolveMeteringOptions } from './options';
import { DEFAULT_BATCH_LIMITS, planBatches, requestGroups, type PlannedRecord } from './plan';
import { decimalFromText } from './quantity';
import { ISOLATION_STOPPED, type RecordAnswer, sendBatches } from './send';
import type { MeteringOptions, SendBatch, UsageBatch, UsageError, UsageRecord, UsageStatus } from './types';

/** Calls `tick` every `ms` until the returned function is called. */
export type Every = (ms: number, tick: () => void) => () => void;

export interface LedgerMeteringOptions extends Partial<MeteringOptions> {
	/** Who holds the claimed keys' lease: the execution. */
	claimant: string;
	/** Minutes an hour stays open for late usage after it ends. */
	closeAfterMinutes: number;
	/** Also meters the hours in progress of these licenses or customers: the final usage at cancellation. */
	final?: FinalReport;
	/** Also sends a record of quantity 0 for each idle closed hour of the active licenses of these products. */
	zeroUsage?: ZeroUsage[];
	/** Keys claimed at a time; default CLAIM_LIMIT. */
	claimLimit?: number;
	/** The timer of the lease's renewals: the node's runs on n8n's sleep. */
	every: Every;
}

/** Keys claimed at a time: 100 requests, ten seconds of the account's quota. */
export const CLAIM_LIMIT = 2500;

/** How long claimed keys stay a run's without a renewal: the keys of a run that died are sent again after this. */
export const LEASE_MS = 2 * 60_000;

/** How often a working run renews its lease: four times a lease, so that a slow renewal or two cost it nothing. */
export const RENEW_EVERY_MS = 30_000;

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
	isolationRequests: number;
	batches: UsageBatch[];
}

// A key sent before by a run whose answer never arrived: AWS keeps the first quantity, and no
// other quantity was ever sent for the key, so DuplicateRecord means that earlier attempt billed it.
const BILLED_EARLIER =
	'Metered by an earlier attempt whose answer was lost (the same frozen quantity): AWS answered DuplicateRecord to the identical resend, so no metering record ID is known';

const TAKEN_OVER = `Another run took this usage record over: this run had not renewed its claim for ${LEASE_MS / 60_000} minutes (it was paused, or the ledger was unreachable). That run sends the same quantity and records AWS's answer in the ledger`;

/**
 * Meters the ledger's due usage keys with BatchMeterUsage: claims them (their quantity frozen),
 * sends them oldest hour first, and settles each one in the ledger: billed, not billed, to be
 * re-driven by a later run, or expired. Claims again while full claims come back and nothing
 * needs re-driving, so that one run empties a backlog without resending in a loop; a full claim's
 * records that do not fill a request wait for the next claim's, so that the backlog goes out in as
 * few requests as it would all at once. The lease of the keys held is renewed while the run works.
 */
export async function meterFromLedger(ledger: MeteringLedger, send: SendBatch, options: LedgerMeteringOptions): Promise<LedgerMeteringReport> {
	const settings = resolveMeteringOptions(options);
	const { claimant, closeAfterMinutes, final, zeroUsage, claimLimit = CLAIM_LIMIT } = options;
	const report: LedgerMeteringReport = { keys: [], requests: 0, retries: 0, isolationRequests: 0, batches: [] };
	const held = new HeldKeys(ledger, claimant, settings.now, options.every);
	const keyOf = new Map<UsageRecord, ClaimedKey>();
	const lost = (record: UsageRecord) => held.lost(keyOf.get(record)!.keyId);
	const expired = (record: UsageRecord, time: number): UsageError | undefined => {
		const key = keyOf.get(record)!;
		return time >= key.deadline.getTime() ? { code: 'Expired', message: `Not billed: ${expiredReason(key)}` } : undefined;
	};

	try {
		let carried: PlannedRecord[] = [];
		for (let round = 0, claiming = true; claiming || carried.length > 0; round++) {
			let claimed: ClaimedKey[] = [];
			if (claiming) {
				const claim = await ledger.claim(
					{
						now: settings.now(),
						claimant,
						closeAfterMinutes,
						leaseMs: LEASE_MS,
						limit: claimLimit,
						...(round === 0 && final ? { final } : {}),
						...(round === 0 && zeroUsage?.length ? { zeroUsage } : {}),
					},
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
				claimed = claim.claimed;
				claiming = claimed.length === claimLimit;
				held.hold(claimed.map((key) => key.keyId));
				// A waiting key was taken over, handed back to be re-driven and claimed again: the new claim stands.
				const again = new Set(claimed.map((key) => key.keyId));
				carried = carried.filter(({ record }) => {
					if (!again.has(keyOf.get(record)!.keyId)) return true;
					keyOf.delete(record);
					return false;
				});
			}

			const due = [...carried, ...claimed.map((key) => plannedRecord(key, keyOf))];
			const time = settings.now().getTime();
			const answers = new Map<UsageRecord, RecordAnswer>();
			for (const { record } of due) {
				const error = lost(record) ? undefined : expired(record, time);
				if (error) answers.set(record, { status: 'Expired', error });
			}
			const sendable = due.filter(({ record }) => !lost(record) && !answers.has(record));
			const [full, later] = claiming ? fullRequests(sendable) : [sendable, []];
			carried = later;
			const batches = planBatches(full);
			if (batches.length > 0) {
				// A key another run took over is that one's to send: none is sent again once a renewal found it gone.
				const unsendable = (record: UsageRecord, at: number) => (lost(record) ? { code: 'LeaseLost', message: TAKEN_OVER } : expired(record, at));
				const sent = await sendBatches(batches, send, { ...settings, now: () => settings.now().getTime(), expired: unsendable });
				for (const [record, answer] of sent.answers) answers.set(record, answer);
				report.requests += sent.requests;
				report.retries += sent.retries;
				report.isolationRequests += sent.isolationRequests;
				report.batches.push(...batches);
			}

			const waiting = new Set(carried.map(({ record }) => record));
			const done = due.filter(({ record }) => !waiting.has(record)).map(({ record }) => {
				const key = keyOf.get(record)!;
				keyOf.delete(record);
				const answer = answers.get(record);
				return { key, record, answer: answer && settledAnswer(answer, key), gone: held.lost(key.keyId) };
			});
			await held.release(done.map(({ key }) => key.keyId));
			const outcomes = done.filter(({ gone }) => !gone).map(({ key, answer }) => toSettlement(key.keyId, answer!));
			// Keys to re-drive are due again at once: the next claim would resend them in a loop.
			if (outcomes.some((outcome) => outcome.outcome === 'retry')) claiming = false;
			const ignored = new Set((await ledger.settle(claimant, outcomes, { now: settings.now() })).ignored);
			for (const { key, record, answer, gone } of done) {
				report.keys.push({ key, events: key.events, record, ...(gone || ignored.has(key.keyId) ? takenOver(answer) : answer!) });
			}
		}
	} finally {
		await held.stop();
	}
	return report;
}

/**
 * The keys a run holds, their lease renewed every RENEW_EVERY_MS while it works on them. A renewal
 * that finds keys taken over (the run was paused past its lease) marks them lost: the run sends
 * them no more and leaves them to the run that took them over.
 */
class HeldKeys {
	private readonly held = new Set<number>();
	private readonly taken = new Set<number>();
	private renewal: Promise<void> | undefined;
	private readonly stopTimer: () => void;

	constructor(
		private readonly ledger: MeteringLedger,
		private readonly claimant: string,
		private readonly now: () => Date,
		every: Every,
	) {
		this.stopTimer = every(RENEW_EVERY_MS, () => this.renew());
	}

	hold(keyIds: number[]): void {
		for (const id of keyIds) {
			this.held.add(id);
			this.taken.delete(id);
		}
	}

	/**
	 * Before they are settled: a renewal after that would find them gone. Settling while a renewal of the
	 * same keys is under way could deadlock in PostgreSQL (both lock the rows), so that one ends first.
	 */
	async release(keyIds: number[]): Promise<void> {
		for (const id of keyIds) this.held.delete(id);
		await this.renewal;
	}

	lost(keyId: number): boolean {
		return this.taken.has(keyId);
	}

	/** Stops renewing, once the renewal under way (if any) is done: the ledger may be closed next. */
	async stop(): Promise<void> {
		this.stopTimer();
		await this.renewal;
	}

	private renew(): void {
		// One renewal at a time: a slow ledger is not asked again before it answered.
		if (this.renewal || this.held.size === 0) return;
		this.renewal = this.ledger
			.renew(this.claimant, [...this.held], { now: this.now(), leaseMs: LEASE_MS })
			.then(
				({ lost }) => {
					for (const id of lost) if (this.held.delete(id)) this.taken.add(id);
				},
				// The ledger unreachable: the next tick tries again. Should the lease lapse meanwhile, the run
				// that takes the keys over sends the same records, and this run's settlement is ignored.
				() => undefined,
			)
			.finally(() => {
				this.renewal = undefined;
			});
	}
}

/** The usage record of a key's frozen quantity, registered as the key's for the rest of the run. */
function plannedRecord(key: ClaimedKey, keyOf: Map<UsageRecord, ClaimedKey>): PlannedRecord {
	const record = frozenRecord(key);
	keyOf.set(record, key);
	return { productCode: key.productCode, record };
}

/**
 * The records that fill whole requests, and those that do not: per product (license-based records
 * apart, as requests are), the newest beyond a multiple of a request's records, to be planned with
 * the next claim's records.
 */
function fullRequests(records: PlannedRecord[]): [PlannedRecord[], PlannedRecord[]] {
	const full: PlannedRecord[] = [];
	const rest: PlannedRecord[] = [];
	for (const group of requestGroups(records)) {
		const cut = group.length - (group.length % DEFAULT_BATCH_LIMITS.maxRecords);
		full.push(...group.slice(0, cut));
		rest.push(...group.slice(cut));
	}
	return [full, rest];
}

/** What AWS answered stands; anything else is for the run that took the key over to find out. */
function takenOver(answer: RecordAnswer | undefined): RecordAnswer {
	if (answer?.status === 'Success') return { ...answer, note: [answer.note, TAKEN_OVER].filter(Boolean).join('. ') };
	return {
		status: 'Failed',
		error: {
			code: 'LeaseLost',
			message: `Not settled by this run. ${TAKEN_OVER}`,
			description: 'Nothing to do: the run that took it over bills it once; Get Metering Report shows its state',
		},
	};
}

/** The usage record of a key's frozen quantity: the same for every attempt, in any run. */
function frozenRecord(key: ClaimedKey): UsageRecord {
	return {
		Timestamp: key.hour,
		...key.customer,
		...(key.licenseArn !== undefined ? { LicenseArn: key.sentLicenseArn ?? key.licenseArn } : {}),
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
