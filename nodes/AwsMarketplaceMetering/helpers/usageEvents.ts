import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { EventSource, UsageEvent } from '../batch';

const RECORD_FIELDS = [
	'eventId',
	'productCode',
	'customerIdentifier',
	'customerAWSAccountId',
	'licenseArn',
	'dimension',
	'quantity',
	'timestamp',
	'usageAllocations',
] as const;
type RecordField = (typeof RECORD_FIELDS)[number];

// The AWS casing of the same fields, accepted in "records from a field" mode.
const AWS_NAMES: Record<RecordField, string> = {
	eventId: 'EventId',
	productCode: 'ProductCode',
	customerIdentifier: 'CustomerIdentifier',
	customerAWSAccountId: 'CustomerAWSAccountId',
	licenseArn: 'LicenseArn',
	dimension: 'Dimension',
	quantity: 'Quantity',
	timestamp: 'Timestamp',
	usageAllocations: 'UsageAllocations',
};

export interface MappedItems {
	events: UsageEvent[];
	/** Whether the items hold arrays of records ("Usage Records From a Field"). */
	recordsMode: boolean;
	/** Items whose records field is missing or not an array: they have no events. */
	unreadable: Map<number, string>;
}

/** The events of the input items from `first` up to (not including) `end`. */
export interface ItemRange extends MappedItems {
	first: number;
	end: number;
}

/** Turns the input items into usage events, keeping the item (and record) each came from. */
export function readUsageEvents(this: IExecuteFunctions, items: INodeExecutionData[]): MappedItems {
	const [all] = readUsageEventsInParts.call(this, items, Infinity);
	return all ?? { events: [], unreadable: new Map(), recordsMode: this.getNodeParameter('inputMode', 0, 'eachItem') === 'recordsField' };
}

/**
 * The same events in parts of whole items, each about `eventsPerPart` events, read as they are
 * needed: a run that handles one part at a time keeps one part's events, not every item's.
 */
export function* readUsageEventsInParts(this: IExecuteFunctions, items: INodeExecutionData[], eventsPerPart: number): Generator<ItemRange> {
	const recordsMode = this.getNodeParameter('inputMode', 0, 'eachItem') === 'recordsField';
	const read = recordsMode ? recordsReader(this) : itemReader(this);
	let part: ItemRange = { events: [], unreadable: new Map(), recordsMode, first: 0, end: 0 };
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const unreadable = read(items[itemIndex], itemIndex, part.events);
		if (unreadable !== undefined) part.unreadable.set(itemIndex, unreadable);
		part.end = itemIndex + 1;
		if (part.events.length >= eventsPerPart) {
			yield part;
			part = { events: [], unreadable: new Map(), recordsMode, first: part.end, end: part.end };
		}
	}
	if (part.end > part.first) yield part;
}

/** The input items' events, part by part as they are iterated, and where each came from. */
export interface UsageEventParts {
	parts: Iterable<UsageEvent[]>;
	recordsMode: boolean;
	/** Filled as `parts` is read. */
	unreadable: Map<number, string>;
	sources: EventSources;
}

/**
 * The events for Batch Meter Usage, which sums each part as it comes and keeps none of its events: only
 * where each came from is kept, as numbers.
 */
export function readUsageEventParts(this: IExecuteFunctions, items: INodeExecutionData[]): UsageEventParts {
	const recordsMode = this.getNodeParameter('inputMode', 0, 'eachItem') === 'recordsField';
	const unreadable = new Map<number, string>();
	const sources = new EventSources();
	const read = readUsageEventsInParts.call(this, items, EVENTS_PER_PART);
	function* parts() {
		for (const part of read) {
			for (const [itemIndex, why] of part.unreadable) unreadable.set(itemIndex, why);
			for (const event of part.events) sources.add(event.source);
			yield part.events;
		}
	}
	return { parts: parts(), recordsMode, unreadable, sources };
}

// Small enough that a part's events die young, large enough that handing them over costs nothing.
const EVENTS_PER_PART = 1000;

/** Where each event came from, by its position: numbers rather than an object per event for the whole run. */
export class EventSources {
	private readonly itemIndexes: number[] = [];
	// -1 for an event that is its item (not one of an item's records).
	private readonly recordIndexes: number[] = [];

	add(source: EventSource): void {
		this.itemIndexes.push(source.itemIndex);
		this.recordIndexes.push(source.recordIndex ?? -1);
	}

	itemIndexOf(event: number): number {
		return this.itemIndexes[event];
	}

	sourceOf(event: number): EventSource {
		const recordIndex = this.recordIndexes[event];
		return recordIndex < 0 ? { itemIndex: this.itemIndexes[event] } : { itemIndex: this.itemIndexes[event], recordIndex };
	}
}

/** Adds an item's events to `events`, or answers why it has none. */
type ItemReader = (item: INodeExecutionData, itemIndex: number, events: UsageEvent[]) => string | undefined;

function itemReader(ctx: IExecuteFunctions): ItemReader {
	const byAccount = ctx.getNodeParameter('customerIdType', 0, 'awsAccountId') === 'awsAccountId';
	// The customer fields of the other customer type are not shown: empty.
	const read = (field: RecordField, shown = true) => (shown ? fieldReader(ctx, field) : () => undefined);
	// Shown with a metering ledger only; otherwise empty.
	const eventId = read('eventId');
	const productCode = read('productCode');
	const customerIdentifier = read('customerIdentifier', !byAccount);
	const customerAWSAccountId = read('customerAWSAccountId', byAccount);
	const licenseArn = read('licenseArn', byAccount);
	const dimension = read('dimension');
	const quantity = read('quantity');
	const timestamp = read('timestamp');
	const usageAllocations = read('usageAllocations');
	return (item, itemIndex, events) => {
		// Every event of one shape, written field by field.
		events.push({
			source: { itemIndex },
			eventId: eventId(item, itemIndex),
			productCode: productCode(item, itemIndex),
			customerIdentifier: customerIdentifier(item, itemIndex),
			customerAWSAccountId: customerAWSAccountId(item, itemIndex),
			licenseArn: licenseArn(item, itemIndex),
			dimension: dimension(item, itemIndex),
			quantity: quantity(item, itemIndex),
			timestamp: timestamp(item, itemIndex),
			usageAllocations: usageAllocations(item, itemIndex),
		});
		return undefined;
	};
}

/**
 * A parameter left at its `{{ $json.name }}` form is read straight from the item: the same value
 * n8n's expression would give, without evaluating one expression per field and item (which costs
 * more than all of the batching on 100k items). A fixed value is read once; any other expression
 * goes through getNodeParameter for each item.
 */
function fieldReader(ctx: IExecuteFunctions, field: RecordField) {
	const raw = ctx.getNode().parameters[field];
	const match = typeof raw === 'string' ? /^=\{\{\s*\$json(?:\.([A-Za-z_$][\w$]*)|\[\s*(['"])([^'"]+)\2\s*\])\s*\}\}$/.exec(raw) : null;
	if (match) {
		const key = match[1] ?? match[3];
		return (item: INodeExecutionData) => item.json[key];
	}
	if (!(typeof raw === 'string' && raw.startsWith('='))) {
		const constant = emptyToUndefined(ctx.getNodeParameter(field, 0, ''));
		return () => constant;
	}
	return (_item: INodeExecutionData, itemIndex: number) => emptyToUndefined(ctx.getNodeParameter(field, itemIndex, ''));
}

function recordsReader(ctx: IExecuteFunctions): ItemReader {
	return (item, itemIndex, events) => {
		const fieldName = ctx.getNodeParameter('recordsField', itemIndex, 'usageRecords') as string;
		const records = item.json[fieldName];
		if (!Array.isArray(records)) {
			return `Field "${fieldName}" ${records === undefined ? 'is missing' : 'is not an array'}: it must hold an array of usage records`;
		}
		records.forEach((record: unknown, recordIndex) => {
			const event: UsageEvent = { source: { itemIndex, recordIndex } };
			if (record && typeof record === 'object' && !Array.isArray(record)) {
				const fields = record as IDataObject;
				for (const field of RECORD_FIELDS) event[field] = fields[field] ?? fields[AWS_NAMES[field]];
			}
			events.push(event);
		});
		return undefined;
	};
}

function emptyToUndefined(value: unknown): unknown {
	return value === '' ? undefined : value;
}
