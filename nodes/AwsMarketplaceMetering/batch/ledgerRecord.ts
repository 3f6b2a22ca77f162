import type { LedgerUsageEvent, MeteringLedger, RecordResult } from '../ledger/types';
import { resolveMeteringOptions } from './options';
import { decimalToString } from './quantity';
import { describeValue, fail, isAbsent, ok } from './rules';
import type { Checked, EventSource, MeteringOptions, UsageError, UsageEvent } from './types';
import { validateUsageEvent } from './validate';

export type RecordStatus = 'Recorded' | 'DuplicateEvent' | 'AfterFinalReport' | 'Invalid';

/** What the ledger made of one usage event. */
export interface RecordOutcome {
	source: EventSource;
	status: RecordStatus;
	productCode?: string;
	keyId?: number;
	/** The hour the event is counted in. */
	hour?: Date;
	/** The event's own hour, when its usage was carried to a later one. */
	carriedFrom?: Date;
	error?: UsageError;
}

const STATUS: Record<RecordResult, RecordStatus> = {
	recorded: 'Recorded',
	duplicateEvent: 'DuplicateEvent',
	afterFinalReport: 'AfterFinalReport',
};

const MAX_EVENT_ID = 255;

/**
 * Validates usage events as Batch Meter Usage does and records the valid ones in the metering
 * ledger, in one transaction. Late usage is accepted: the ledger carries it to an hour still open.
 * Answers exactly one outcome per event, in input order.
 */
export async function recordUsageEvents(ledger: MeteringLedger, events: UsageEvent[], options: Partial<MeteringOptions> = {}): Promise<RecordOutcome[]> {
	const settings = resolveMeteringOptions(options);
	const now = settings.now();
	const outcomes: RecordOutcome[] = new Array(events.length);
	const valid: LedgerUsageEvent[] = [];
	const positions: number[] = [];
	const rules = { ...settings, now, truncateToHour: true, acceptLateUsage: true };
	events.forEach((event, index) => {
		const eventId = checkEventId(event.eventId);
		const checked = eventId.ok ? validateUsageEvent(event, rules) : eventId;
		if (!checked.ok) {
			outcomes[index] = { source: event.source, status: 'Invalid', error: checked.error };
			return;
		}
		const usage = checked.value;
		const id = eventId.ok ? eventId.value : undefined;
		positions.push(index);
		valid.push({
			...(id !== undefined ? { eventId: id } : {}),
			productCode: usage.productCode,
			...(usage.licenseArn !== undefined ? { licenseArn: usage.licenseArn } : {}),
			customer: usage.customer,
			dimension: usage.dimension,
			quantity: decimalToString(usage.quantity),
			timestamp: usage.timestamp,
			...(usage.allocations
				? { allocations: usage.allocations.map(({ quantity, tags, tagSet }) => ({ quantity: decimalToString(quantity), ...(tags ? { tags } : {}), tagSet })) }
				: {}),
		});
	});
	const answers = valid.length ? await ledger.recordEvents(valid, { now }) : [];
	answers.forEach((answer, n) => {
		const index = positions[n];
		outcomes[index] = {
			source: events[index].source,
			status: STATUS[answer.result],
			productCode: valid[n].productCode,
			keyId: answer.keyId,
			hour: answer.hour,
			...(answer.carriedFrom ? { carriedFrom: answer.carriedFrom } : {}),
			...(answer.result === 'afterFinalReport'
				? { error: { code: 'AfterFinalReport', message: 'Not billed: this usage arrived after the final usage report of its license or customer (at cancellation)' } }
				: {}),
		};
	});
	return outcomes;
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
