import {
	NodeOperationError,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type IPairedItemData,
} from 'n8n-workflow';

import { summarizeReport, type EventOutcome, type EventSource, type MeteringReport, type UsageError, type UsageRecord, type UsageStatus } from '../batch';
import type { EventSources } from './usageEvents';

/** Outcomes that mean the usage was not accepted: always error items. */
const FAILED_STATUSES: ReadonlySet<UsageStatus | 'AfterFinalReport'> = new Set(['Invalid', 'Rejected', 'Failed', 'Expired', 'AfterFinalReport']);
/** Sent, answered, and not billed: error items unless the user opts out. */
export const UNBILLED_STATUSES: ReadonlySet<UsageStatus> = new Set(['Unprocessed', 'DuplicateRecord', 'CustomerNotSubscribed']);

// What to do about the statuses AWS answers without an error of its own.
const UNBILLED_ADVICE: Partial<Record<UsageStatus, UsageError>> = {
	DuplicateRecord: {
		code: 'DuplicateRecord',
		message: 'Not billed: AWS already holds another quantity for this customer, dimension and hour and bills only that first one',
		description:
			'Send each hour once, with all of its usage, after the hour has ended (the metering ledger does this across runs); usage sent for an hour already reported is lost.',
	},
	CustomerNotSubscribed: {
		code: 'CustomerNotSubscribed',
		message: 'Not billed: the customer has no active subscription to this product',
		description:
			'The subscription ended (AWS accepts usage for about an hour after cancellation) or the account or License ARN is not the one Resolve Customer returned: stop serving the customer, or fix the identifiers.',
	},
};

// For an item holding several records, the status that most needs attention speaks for it.
const SEVERITY: UsageStatus[] = ['Invalid', 'Rejected', 'Failed', 'Expired', 'Unprocessed', 'CustomerNotSubscribed', 'DuplicateRecord', 'Success'];

export type OutputMode = 'perItem' | 'perRecord' | 'summary';

export interface OutcomeContext {
	node: INode;
	itemCount: number;
	recordsMode: boolean;
	/** Items whose records field could not be read, with why. */
	unreadable: Map<number, string>;
	/** Whether Unprocessed, DuplicateRecord and CustomerNotSubscribed are errors too. */
	unbilledAsErrors: boolean;
}

export function isError(status: string, ctx: Pick<OutcomeContext, 'unbilledAsErrors'>): boolean {
	return FAILED_STATUSES.has(status as UsageStatus) || (ctx.unbilledAsErrors && UNBILLED_STATUSES.has(status as UsageStatus));
}

function errorOf(outcome: EventOutcome): UsageError | undefined {
	return outcome.error ?? UNBILLED_ADVICE[outcome.status];
}

/** The output of Batch Meter Usage without a ledger; `sources` says where the report's events came from. */
export function outcomeItems(report: MeteringReport, mode: OutputMode, ctx: OutcomeContext, sources: EventSources): INodeExecutionData[] {
	if (mode === 'summary') return [summaryItem(report, ctx, sources)];
	if (mode === 'perRecord') return perRecordItems(report, ctx, sources);
	return perInputItems(report, ctx, sources);
}

/** The first input item that was not metered, as the error that stops the workflow. */
export function firstFailure(report: MeteringReport, ctx: OutcomeContext, sources: EventSources): NodeOperationError | undefined {
	const [unreadable] = ctx.unreadable;
	if (unreadable) return itemError(ctx.node, unreadable[0], itemMessage(unreadable[1], { itemIndex: unreadable[0] }, ctx.itemCount));
	let first = -1;
	let failed = 0;
	let metered = 0;
	report.outcomes.forEach((outcome, event) => {
		if (isError(outcome.status, ctx)) {
			failed++;
			if (first < 0) first = event;
		} else if (outcome.status === 'Success') metered++;
	});
	if (failed === 0) return undefined;
	const outcome = report.outcomes[first];
	const source = sources.sourceOf(first);
	const error = errorOf(outcome);
	return new NodeOperationError(ctx.node, itemMessage(error?.message ?? outcome.status, source, ctx.itemCount), {
		itemIndex: source.itemIndex,
		description:
			(error?.description ? `${error.description} ` : '') +
			`${failed} of ${report.outcomes.length} usage events were not billed; ${metered} were. ` +
			'Fix the input and run again: records already metered are answered with the same metering record ID, not billed twice. ' +
			'Set the node’s "On Error" setting to continue to get every item’s outcome instead.',
	});
}

function perInputItems(report: MeteringReport, ctx: OutcomeContext, sources: EventSources): INodeExecutionData[] {
	// One event per item unless the items hold records: then no list per item is needed.
	if (!ctx.recordsMode) {
		const items: INodeExecutionData[] = new Array(ctx.itemCount);
		// The events of one record have alike items: its JSON is built once and each item gets a copy of its own
		// (null for an error item, whose message names its item: built for each).
		const shared = new Map<EventOutcome, IDataObject | null>();
		report.outcomes.forEach((outcome, event) => {
			const itemIndex = sources.itemIndexOf(event);
			let json = shared.get(outcome);
			if (json === undefined) shared.set(outcome, (json = isError(outcome.status, ctx) ? null : outcomeJson(outcome, sources.sourceOf(event))));
			if (json === null) return void (items[itemIndex] = outcomeItem(outcome, sources.sourceOf(event), { item: itemIndex }, ctx));
			const { usageRecord } = json;
			items[itemIndex] = { json: { ...json, usageRecord: usageRecord && { ...(usageRecord as IDataObject) } }, pairedItem: { item: itemIndex } };
		});
		return items;
	}
	const byItem: number[][] = Array.from({ length: ctx.itemCount }, () => []);
	for (let event = 0; event < report.outcomes.length; event++) byItem[sources.itemIndexOf(event)].push(event);
	return byItem.map((events, itemIndex) => {
		const unreadable = ctx.unreadable.get(itemIndex);
		if (unreadable !== undefined) return errorItem(itemIndex, itemMessage(unreadable, { itemIndex }, ctx.itemCount), { status: 'Invalid' });
		const status = worstStatus(events.map((event) => report.outcomes[event]));
		const json: IDataObject = { status, records: events.map((event) => outcomeJson(report.outcomes[event], sources.sourceOf(event))) };
		if (!isError(status, ctx)) return { json, pairedItem: { item: itemIndex } };
		const failed = events.find((event) => report.outcomes[event].status === status)!;
		return errorItem(itemIndex, itemMessage(errorOf(report.outcomes[failed])?.message ?? status, sources.sourceOf(failed), ctx.itemCount), json);
	});
}

function perRecordItems(report: MeteringReport, ctx: OutcomeContext, sources: EventSources): INodeExecutionData[] {
	const unreadable = [...ctx.unreadable].map(([itemIndex, message]) =>
		errorItem(itemIndex, itemMessage(message, { itemIndex }, ctx.itemCount), { status: 'Invalid' }),
	);
	// The events of each record sent, by position.
	const byRecord = new Map<UsageRecord, number[]>();
	const unsent: INodeExecutionData[] = [];
	report.outcomes.forEach((outcome, event) => {
		if (outcome.record && outcome.status !== 'Invalid') {
			const group = byRecord.get(outcome.record);
			if (group) group.push(event);
			else byRecord.set(outcome.record, [event]);
		} else {
			const source = sources.sourceOf(event);
			unsent.push(outcomeItem(outcome, source, { item: source.itemIndex }, ctx));
		}
	});
	const sent = [...byRecord.values()].map((events) =>
		outcomeItem(report.outcomes[events[0]], sources.sourceOf(events[0]), pairedItems(events.map((event) => sources.itemIndexOf(event))), ctx),
	);
	return [...sent, ...unsent, ...unreadable];
}

function summaryItem(report: MeteringReport, ctx: OutcomeContext, sources: EventSources): INodeExecutionData {
	const errors: IDataObject[] = [];
	report.outcomes.forEach((outcome, event) => {
		if (isError(outcome.status, ctx)) errors.push({ ...sources.sourceOf(event), status: outcome.status, error: errorOf(outcome)?.message ?? '' });
	});
	for (const [itemIndex, message] of ctx.unreadable) errors.push({ itemIndex, status: 'Invalid', error: message });
	return {
		json: { ...(summarizeReport(report) as unknown as IDataObject), errors },
		pairedItem: pairedItems(Array.from({ length: ctx.itemCount }, (_, itemIndex) => itemIndex)),
	};
}

function outcomeItem(outcome: EventOutcome, source: EventSource, pairedItem: IPairedItemData | IPairedItemData[], ctx: OutcomeContext): INodeExecutionData {
	const json = outcomeJson(outcome, source);
	if (!isError(outcome.status, ctx)) return { json, pairedItem };
	const message = itemMessage(errorOf(outcome)?.message ?? outcome.status, source, ctx.itemCount);
	const item = errorItem(source.itemIndex, message, json);
	return { ...item, pairedItem };
}

function outcomeJson(outcome: EventOutcome, source: EventSource): IDataObject {
	const error = errorOf(outcome);
	// Built field by field rather than from spread parts: one object per item, not five.
	const json: IDataObject = {
		status: outcome.status,
		meteringRecordId: outcome.meteringRecordId ?? null,
		productCode: outcome.productCode ?? null,
		usageRecord: outcome.record ? recordJson(outcome.record) : null,
		aggregatedEvents: outcome.aggregatedEvents,
	};
	if (source.recordIndex !== undefined) json.recordIndex = source.recordIndex;
	if (outcome.note) json.note = outcome.note;
	if (error) {
		json.error = error.message;
		json.errorCode = error.code;
		if (error.description) json.errorDescription = error.description;
	}
	return json;
}

// An aggregated record is shared by all its events: render it once.
const recordJsonCache = new WeakMap<UsageRecord, IDataObject>();

export function recordJson(record: UsageRecord): IDataObject {
	let json = recordJsonCache.get(record);
	if (!json) {
		json = { ...(record as unknown as IDataObject), Timestamp: record.Timestamp.toISOString() };
		recordJsonCache.set(record, json);
	}
	// Each item gets its own copy, so that a later node changing one item changes no other.
	return { ...json };
}

/** Whether the item goes to the error output (see errorItem). */
export function isErrorItem(item: INodeExecutionData): boolean {
	return typeof item.json.error === 'string' && 'details' in item.json;
}

// n8n routes an item to the error output when its JSON holds only `error` and `details`, so the
// outcome goes into `details`. (An item's `error` property would make n8n drop its JSON.)
export function errorItem(itemIndex: number, message: string, details: IDataObject): INodeExecutionData {
	const rest = { ...details };
	delete rest.error;
	return { json: { error: message, details: rest }, pairedItem: { item: itemIndex } };
}

function itemError(node: INode, itemIndex: number, message: string): NodeOperationError {
	return new NodeOperationError(node, message, { itemIndex });
}

function worstStatus(outcomes: EventOutcome[]): UsageStatus {
	for (const status of SEVERITY) if (outcomes.some((outcome) => outcome.status === status)) return status;
	return 'Success';
}

function pairedItems(itemIndexes: number[]): IPairedItemData[] {
	return [...new Set(itemIndexes)].map((item) => ({ item }));
}

/**
 * A message about one input item, numbered as n8n's editor numbers items (from 0): "… [item 2, record 0]". The editor
 * adds " [item N]" to an error's title itself when the node had several input items, unless the title says it already.
 */
export function itemMessage(message: string, source: EventSource, itemCount: number): string {
	const where = [
		...(itemCount > 1 ? [`item ${source.itemIndex}`] : []),
		...(source.recordIndex !== undefined ? [`record ${source.recordIndex}`] : []),
	];
	return where.length > 0 ? `${message} [${where.join(', ')}]` : message;
}
