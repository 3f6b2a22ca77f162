import { createHash } from 'node:crypto';

import type { LedgerUsageEvent, MeteringLedger, RecordAnswer, RecordResult } from '../../shared/ledger/types';
import { resolveMeteringOptions } from './options';
import { decimalToString } from './quantity';
import { describeValue, fail, isAbsent, ok } from './rules';
import { expiredMessage } from './timestamp';
import type { Checked, EventSource, MeteringOptions, UsageError, UsageEvent } from './types';
import { type ValidUsageEvent, validateUsageEvent } from './validate';

export type RecordStatus = 'Recorded' | 'DuplicateEvent' | 'AfterFinalReport' | 'Expired' | 'Invalid';

export interface RecordingOptions extends Partial<MeteringOptions> {
	/**
	 * Identify an event without an event ID by its usage and its place among identical events of the
	 * input (default true): the same input recorded again (n8n's Retry) is then counted once.
	 */
	deriveEventIds?: boolean;
	/** Bill usage past its deadline in the hour in progress instead of answering Expired (the seller's terms allow it). */
	billLateUsageLater?: boolean;
}

/** What the ledger made of one usage event. */
export interface RecordOutcome {
	source: EventSource;
	status: RecordStatus;
	productCode?: string;
	/** The usage as recorded: whose, which dimension, how much. */
	usage?: Pick<LedgerUsageEvent, 'licenseArn' | 'customer' | 'dimension' | 'quantity'>;
	keyId?: number;
	/** The hour the event is counted in. */
	hour?: Date;
	/** The event's own hour, when its usage was carried to a later one. */
	carriedFrom?: Date;
	/** Expired: the deadline of its own hour; Recorded past it: see `late`. */
	deadline?: Date;
	/** Billed outside its own window, by billLateUsageLater: past its hour's deadline, or in another month. */
	late?: RecordAnswer['late'];
	/** The ID the event is known by in the ledger: given, or derived from its usage. */
	eventId?: string;
	/** The ID was derived from the usage, not given. */
	derivedEventId?: boolean;
	error?: UsageError;
}

const STATUS: Record<RecordResult, RecordStatus> = {
	recorded: 'Recorded',
	duplicateEvent: 'DuplicateEvent',
	afterFinalReport: 'AfterFinalReport',
	expired: 'Expired',
};

const MAX_EVENT_ID = 255;
/** Marks derived IDs apart from the caller's. */
const DERIVED_ID_PREFIX = 'usage:';

/**
 * Validates usage events as Batch Meter Usage does and records the valid ones in the metering
 * ledger, in one transaction. Late usage is carried to a later hour of its month that is still open;
 * usage past its deadline is Expired. Answers exactly one outcome per event, in input order.
 */
export async function recordUsageEvents(ledger: MeteringLedger, events: UsageEvent[], options: RecordingOptions = {}): Promise<RecordOutcome[]> {
	return await usageRecorder(ledger, options)(events);
}

/**
 * Records the events of one input part by part (each part in one transaction), as recordUsageEvents
 * does for all of them at once: the same time and settings for every part, and event IDs derived
 * across parts, so that an input recorded again gets the same IDs however it is divided.
 */
export function usageRecorder(ledger: MeteringLedger, options: RecordingOptions = {}): (events: UsageEvent[]) => Promise<RecordOutcome[]> {
	const { deriveEventIds = true, billLateUsageLater = false, ...metering } = options;
	const settings = resolveMeteringOptions(metering);
	const now = settings.now();
	const occurrences = new Map<string, number>();
	const rules = { ...settings, now, truncateToHour: true, ledgerJudgesDeadline: true };
	return async (events) => {
		const outcomes: RecordOutcome[] = new Array(events.length);
		const valid: LedgerUsageEvent[] = [];
		const positions: number[] = [];
		const derived = new Set<number>();
		events.forEach((event, index) => {
			const eventId = checkEventId(event.eventId);
			const checked = eventId.ok ? validateUsageEvent(event, rules) : eventId;
			if (!checked.ok) {
				outcomes[index] = { source: event.source, status: 'Invalid', error: checked.error };
				return;
			}
			const ledgerEvent = ledgerEventOf(checked.value);
			const id = eventId.ok ? eventId.value : undefined;
			if (id !== undefined) ledgerEvent.eventId = id;
			else if (deriveEventIds) {
				ledgerEvent.eventId = derivedEventId(ledgerEvent, occurrences);
				derived.add(index);
			}
			positions.push(index);
			valid.push(ledgerEvent);
		});
		const answers = valid.length
			? await ledger.recordEvents(valid, { now, maxRecordAgeHours: settings.maxRecordAgeHours, billLateUsageLater })
			: [];
		answers.forEach((answer, n) => {
			const index = positions[n];
			outcomes[index] = {
				source: events[index].source,
				status: STATUS[answer.result],
				productCode: valid[n].productCode,
				usage: valid[n],
				...(answer.keyId !== undefined ? { keyId: answer.keyId } : {}),
				hour: answer.hour,
				...(answer.carriedFrom ? { carriedFrom: answer.carriedFrom } : {}),
				...(answer.deadline ? { deadline: answer.deadline } : {}),
				...(answer.late && answer.result !== 'expired' ? { late: answer.late } : {}),
				...(valid[n].eventId !== undefined ? { eventId: valid[n].eventId } : {}),
				...(derived.has(index) ? { derivedEventId: true } : {}),
				...(answerError(answer, settings.maxRecordAgeHours) ?? {}),
			};
		});
		return outcomes;
	};
}

function ledgerEventOf(usage: ValidUsageEvent): LedgerUsageEvent {
	const { productCode, licenseArn, licenseArnAsGiven, customer, dimension } = usage.identity;
	return {
		productCode,
		...(licenseArn !== undefined ? { licenseArn } : {}),
		...(licenseArnAsGiven !== undefined ? { licenseArnAsGiven } : {}),
		customer,
		dimension,
		quantity: decimalToString(usage.quantity),
		timestamp: usage.timestamp,
		...(usage.allocations
			? { allocations: usage.allocations.map(({ quantity, tags, tagSet }) => ({ quantity: decimalToString(quantity), ...(tags ? { tags } : {}), tagSet })) }
			: {}),
	};
}

function answerError(answer: RecordAnswer, maxRecordAgeHours: number): { error: UsageError } | undefined {
	if (answer.result === 'afterFinalReport') {
		return { error: { code: 'AfterFinalReport', message: 'Not billed: this usage arrived after the final usage report of its license or customer (at cancellation)' } };
	}
	if (answer.result !== 'expired') return undefined;
	const what = `usage of ${answer.hour.toISOString()}`;
	const message =
		answer.late === 'monthSent'
			? `Not billed: ${what} arrived after its hour was sent, and no later hour of its month can still be sent (usage is never moved into another month)`
			: expiredMessage(what, answer.hour.getTime(), maxRecordAgeHours);
	return { error: { code: 'Expired', message, field: 'timestamp', rule: answer.late } };
}

/**
 * An event's identity when it has no ID: a digest of its usage and of how many identical events
 * came before it in this input. The same input again gets the same IDs; two identical events in
 * one input stay two.
 */
function derivedEventId(event: LedgerUsageEvent, occurrences: Map<string, number>): string {
	const usage = JSON.stringify([
		event.productCode,
		event.licenseArn ?? null,
		event.customer,
		event.dimension,
		event.quantity,
		event.timestamp.toISOString(),
		event.allocations?.map(({ quantity, tagSet }) => [quantity, tagSet]) ?? null,
	]);
	const digest = createHash('sha256').update(usage).digest('base64url');
	const occurrence = (occurrences.get(digest) ?? 0) + 1;
	occurrences.set(digest, occurrence);
	return `${DERIVED_ID_PREFIX}${digest}:${occurrence}`;
}

function checkEventId(value: unknown): Checked<string | undefined> {
	if (isAbsent(value)) return ok(undefined);
	const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : undefined;
	if (text === undefined) return fail('InvalidEventId', 'eventId', 'type', `Event ID ${describeValue(value)} is not text or a number: give the ID your source assigned to the event`);
	if (text.length === 0 || text.length > MAX_EVENT_ID) {
		return fail('InvalidEventId', 'eventId', 'length', `Event ID ${describeValue(value)} is ${text.length} characters long: it must be 1 to ${MAX_EVENT_ID} characters`);
	}
	return ok(text);
}
