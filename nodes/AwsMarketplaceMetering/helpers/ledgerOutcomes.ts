import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { KeyOutcome, LedgerMeteringReport, RecordOutcome, UsageError } from '../batch';
import { errorItem, isErrorItem, itemMessage, isError, recordJson, type OutcomeContext } from './usageOutcomes';

// Outcomes of the ledger's usage keys and of the events recorded in it, as n8n items.

const REDRIVEN = 'The ledger sends it again on a later run, with the same quantity, until AWS’s window for its hour closes';

/**
 * Record Usage: one item per input item (in records-field mode, with one entry per record), for the
 * input items `first` to `end` (not included) whose events these outcomes are.
 */
export function recordedItems(recorded: RecordOutcome[], ctx: OutcomeContext, first = 0, end = ctx.itemCount): INodeExecutionData[] {
	return perInputItem(recorded, new Map(), ctx, first, end);
}

/**
 * Batch Meter Usage with a ledger: one item per input item, telling what became of its event (sent
 * now in its key, or recorded for a later run), then one item per other key this run settled.
 */
export function ledgerMeteringItems(recorded: RecordOutcome[], report: LedgerMeteringReport, ctx: OutcomeContext): INodeExecutionData[] {
	const byKey = new Map(report.keys.map((outcome) => [outcome.key.keyId, outcome]));
	const items = perInputItem(recorded, byKey, ctx);
	const reached = new Set(recorded.map((outcome) => outcome.keyId));
	for (const outcome of report.keys) if (!reached.has(outcome.key.keyId)) items.push(keyItem(outcome, ctx));
	return items;
}

/** The first item that is an error, as the node's error when errors are not continued. */
export function firstLedgerFailure(items: INodeExecutionData[]): { message: string; itemIndex: number } | undefined {
	const failed = items.find(isErrorItem);
	if (!failed) return undefined;
	const paired = failed.pairedItem as { item: number } | undefined;
	return { message: String(failed.json.error), itemIndex: paired?.item ?? 0 };
}

function perInputItem(recorded: RecordOutcome[], sent: Map<number, KeyOutcome>, ctx: OutcomeContext, first = 0, end = ctx.itemCount): INodeExecutionData[] {
	const byItem: RecordOutcome[][] = Array.from({ length: end - first }, () => []);
	for (const outcome of recorded) byItem[outcome.source.itemIndex - first].push(outcome);
	const texts = sharedTexts();
	return byItem.map((outcomes, offset) => {
		const itemIndex = first + offset;
		const unreadable = ctx.unreadable.get(itemIndex);
		if (unreadable !== undefined) return errorItem(itemIndex, itemMessage(unreadable, { itemIndex }, ctx.itemCount), { status: 'Invalid' });
		const entries = outcomes.map((outcome) => eventEntry(outcome, sent.get(outcome.keyId ?? -1), ctx, texts));
		const failed = entries.find((entry) => entry.error);
		const json = ctx.recordsMode ? { status: (failed ?? entries[0])?.json.status ?? 'Recorded', records: entries.map((entry) => entry.json) } : entries[0].json;
		if (!failed) return { json, pairedItem: { item: itemIndex } };
		return errorItem(itemIndex, itemMessage(failed.error!.message, failed.source, ctx.itemCount), json);
	});
}

interface Entry {
	source: RecordOutcome['source'];
	json: IDataObject;
	error?: UsageError;
}

/**
 * Events of one hour share their texts: each time and note written once per execution part, not
 * once per event (100k events: 100k copies of the same note otherwise).
 */
function sharedTexts() {
	const times = new Map<number, string>();
	const notes = new Map<string, string>();
	return {
		iso(date: Date): string {
			let text = times.get(date.getTime());
			if (text === undefined) times.set(date.getTime(), (text = date.toISOString()));
			return text;
		},
		note(outcome: RecordOutcome): string {
			const key = [outcome.status, outcome.hour?.getTime(), outcome.carriedFrom?.getTime(), outcome.deadline?.getTime(), outcome.late, outcome.derivedEventId].join('|');
			let text = notes.get(key);
			if (text === undefined) notes.set(key, (text = [eventNote(outcome), lateNote(outcome)].filter(Boolean).join('. ')));
			return text;
		},
	};
}

function eventEntry(outcome: RecordOutcome, key: KeyOutcome | undefined, ctx: OutcomeContext, texts: ReturnType<typeof sharedTexts>): Entry {
	const where = {
		...(outcome.hour ? { hour: texts.iso(outcome.hour) } : {}),
		...(outcome.carriedFrom ? { carriedFrom: texts.iso(outcome.carriedFrom) } : {}),
		...(outcome.deadline ? { deadline: texts.iso(outcome.deadline) } : {}),
		...(outcome.late ? { billedLate: true } : {}),
		...(outcome.source.recordIndex !== undefined ? { recordIndex: outcome.source.recordIndex } : {}),
	};
	const note = texts.note(outcome);
	// Its key was settled by this run: what AWS answered speaks for the event too.
	if (key && outcome.status === 'Recorded') {
		const { json, error } = keyJson(key, ctx);
		const notes = [lateNote(outcome), json.note].filter(Boolean).join('. ');
		return { source: outcome.source, json: { ...json, ...where, ...(notes ? { note: notes } : {}) }, error };
	}
	// Counted before (n8n's Retry of a failed run): the status says so, recordStatus what AWS answered for its hour now.
	if (key && outcome.status === 'DuplicateEvent') {
		const { json, error } = keyJson(key, ctx);
		const notes = [note, json.note].filter(Boolean).join('. ');
		return { source: outcome.source, json: { ...json, ...where, status: outcome.status, recordStatus: json.status, note: notes }, error };
	}
	const error = outcome.error;
	return {
		source: outcome.source,
		json: {
			status: outcome.status,
			productCode: outcome.productCode ?? null,
			...(outcome.usage ? usageJson(outcome.usage) : {}),
			...where,
			...(note ? { note } : {}),
			...(error ? { error: error.message, errorCode: error.code } : {}),
		},
		error,
	};
}

function eventNote(outcome: RecordOutcome): string | undefined {
	switch (outcome.status) {
		case 'Recorded':
			return `Counted in the usage of ${outcome.hour!.toISOString()}${outcome.carriedFrom ? `, carried from ${outcome.carriedFrom.toISOString()}, whose usage had already been claimed for sending` : ''}: sent once that hour has closed, by this run or a later one (or by another execution sending it right now)`;
		case 'DuplicateEvent':
			return outcome.derivedEventId
				? 'Identical usage was recorded before (the same item in an earlier or retried run): counted once. If it was another event, map an Event ID'
				: 'This event ID was recorded before: counted once';
		default:
			return undefined;
	}
}

function lateNote(outcome: RecordOutcome): string | undefined {
	if (!outcome.late) return undefined;
	const why = outcome.late === 'deadline' ? `past AWS’s deadline for its own hour (${outcome.deadline!.toISOString()})` : 'after every later hour of its month was sent';
	return `Billed late, as "Bill Late Usage in a Later Hour" allows: it arrived ${why}, so the buyer’s invoice shows it in ${outcome.hour!.toISOString()}`;
}

function keyItem(outcome: KeyOutcome, ctx: OutcomeContext): INodeExecutionData {
	const { json, error } = keyJson(outcome, ctx);
	// Usage recorded by earlier runs: it belongs to no input item of this one.
	if (!error) return { json, pairedItem: { item: 0 } };
	return errorItem(0, `Usage of ${outcome.key.hour.toISOString()}: ${error.message}`, json);
}

function keyJson(outcome: KeyOutcome, ctx: OutcomeContext): { json: IDataObject; error?: UsageError } {
	const { key } = outcome;
	const error = isError(outcome.status, ctx) ? (outcome.error ?? { code: outcome.status, message: outcome.status }) : undefined;
	const redriven = outcome.status === 'Unprocessed' || outcome.status === 'Failed';
	const note = [outcome.note, redriven ? REDRIVEN : undefined].filter(Boolean).join('. ');
	return {
		json: {
			status: outcome.status,
			meteringRecordId: outcome.meteringRecordId ?? null,
			productCode: key.productCode,
			licenseArn: key.licenseArn ?? null,
			...customerJson(key.customer),
			dimension: key.dimension,
			hour: key.hour.toISOString(),
			deadline: key.deadline.toISOString(),
			usageRecord: outcome.record ? recordJson(outcome.record) : null,
			aggregatedEvents: outcome.events,
			...(note ? { note } : {}),
			...(outcome.error ? { error: outcome.error.message, errorCode: outcome.error.code } : {}),
			...(outcome.error?.description ? { errorDescription: outcome.error.description } : {}),
		},
		error,
	};
}

/** Whose usage an event recorded, which dimension, how much: as the input names them. */
function usageJson({ licenseArn, customer, dimension, quantity }: NonNullable<RecordOutcome['usage']>): IDataObject {
	return { licenseArn: licenseArn ?? null, ...customerJson(customer), dimension, quantity: Number(quantity) };
}

/** The customer under the names the node's input uses (customerAWSAccountId, customerIdentifier). */
export function customerJson(customer: KeyOutcome['key']['customer']): IDataObject {
	return 'CustomerAWSAccountId' in customer ? { customerAWSAccountId: customer.CustomerAWSAccountId } : { customerIdentifier: customer.CustomerIdentifier };
}
