import { type ParsedAllocation, toUsageAllocations } from './allocations';
import { type BatchLimits, DEFAULT_BATCH_LIMITS, fitsInOneRequest, recordBytes } from './plan';
import { type Decimal, addDecimal, roundDecimal, sumDecimals } from './quantity';
import { CONSTRAINTS, type Customer, MAX_QUANTITY, fail, ok } from './rules';
import { HOUR_MS } from '../../shared/ledger/hours';
import { truncateToHour } from './timestamp';
import type { Checked, NonIntegerQuantity, UsageRecord } from './types';
import type { ValidUsageEvent } from './validate';

export interface AggregationOptions {
	aggregate: boolean;
	truncateToHour: boolean;
	nonIntegerQuantity: NonIntegerQuantity;
	limits?: BatchLimits;
}

/** One record to send (or why it cannot be), and the events it stands for. */
export interface AggregatedRecord {
	/** Positions of the contributing events in the input array, in input order. */
	members: number[];
	productCode: string;
	outcome: Checked<UsageRecord>;
}

/**
 * Sums events of the same key into one record (when aggregating; otherwise one record per event),
 * merges their allocations by tag set, rounds as configured and re-checks the result. Records come
 * in order of their first event.
 */
export function aggregateUsageRecords(events: ValidUsageEvent[], options: AggregationOptions): AggregatedRecord[] {
	const groups = options.aggregate ? groupByUsageKey(events) : events.map((_, index) => [index]);
	return groups.map((members) => ({ members, productCode: events[members[0]].productCode, outcome: buildRecord(events, members, options) }));
}

type Hours = Map<number, number[]>;
type Dimensions = Map<string, Hours>;
type Customers = Map<string, Dimensions>;
type Owners = Map<string, Customers>;

/**
 * The positions of the events of each of AWS's deduplication keys, in order of their first event.
 * The key is the license (or the product, for records without one), the customer, the dimension and
 * the UTC hour: AWS bills only the first quantity it receives per key. Looked up part by part rather
 * than as one text, which would be built and hashed once per event; license and product owners, and
 * account IDs and customer identifiers, are kept apart, so that no two keys of different kinds meet.
 */
function groupByUsageKey(events: ValidUsageEvent[]): number[][] {
	const groups: number[][] = [];
	// [license, product] × [account ID, customer identifier].
	const roots: Owners[] = [new Map(), new Map(), new Map(), new Map()];
	for (let index = 0; index < events.length; index++) {
		const { licenseArn, productCode, customer, dimension, timestamp } = events[index];
		const byIdentifier = 'CustomerIdentifier' in customer;
		const root = roots[(licenseArn !== undefined ? 0 : 2) + (byIdentifier ? 1 : 0)];
		const customers = entry(root, licenseArn ?? productCode, newMap as () => Customers);
		const dimensions = entry(customers, byIdentifier ? customer.CustomerIdentifier : customer.CustomerAWSAccountId, newMap as () => Dimensions);
		const hours = entry(dimensions, dimension, newMap as () => Hours);
		const hour = Math.floor(timestamp.getTime() / HOUR_MS);
		const members = hours.get(hour);
		if (members) members.push(index);
		else {
			const started = [index];
			hours.set(hour, started);
			groups.push(started);
		}
	}
	return groups;
}

const newMap = () => new Map();

function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
	let value = map.get(key);
	if (value === undefined) map.set(key, (value = make()));
	return value;
}

// One pass over the group's events: no array or callback per event.
function buildRecord(events: ValidUsageEvent[], members: number[], options: AggregationOptions): Checked<UsageRecord> {
	const first = events[members[0]];
	const quantities: Decimal[] = new Array(members.length);
	let earliest = Infinity;
	let licenseArnAsGiven: string | undefined;
	let allocated = false;
	for (let position = 0; position < members.length; position++) {
		const event = events[members[position]];
		earliest = Math.min(earliest, event.timestamp.getTime());
		licenseArnAsGiven ??= event.licenseArnAsGiven;
		allocated ||= event.allocations !== undefined;
		quantities[position] = event.quantity;
	}
	return recordFromSum(
		{
			Timestamp: options.truncateToHour ? truncateToHour(first.timestamp) : new Date(earliest),
			customer: first.customer,
			// Summed on the canonical spelling, sent in the first full ARN spelling given (see givenLicenseArn).
			licenseArn: licenseArnAsGiven ?? first.licenseArn,
			Dimension: first.dimension,
			productCode: first.productCode,
		},
		{
			total: sumDecimals(quantities),
			allocations: allocated ? mergeAllocations(members.map((index) => events[index])) : undefined,
			events: members.length,
		},
		options,
	);
}

/** What identifies a record: everything but its quantity. */
export interface RecordIdentity {
	Timestamp: Date;
	customer: Customer;
	licenseArn?: string;
	Dimension: string;
	productCode: string;
}

/** Usage summed for one record: the exact total and the allocations merged by tag set. */
export interface SummedUsage {
	total: Decimal;
	allocations?: ParsedAllocation[];
	events: number;
}

/** Rounds summed usage as configured into one usage record and checks what summing can break. */
export function recordFromSum(identity: RecordIdentity, usage: SummedUsage, options: Pick<AggregationOptions, 'nonIntegerQuantity' | 'limits'>): Checked<UsageRecord> {
	const { allocations } = usage;
	const what = usage.events > 1 ? ` summed over ${usage.events} events of this customer, dimension and hour` : '';
	const quantity = roundDecimal(usage.total, options.nonIntegerQuantity);
	if (quantity > BigInt(MAX_QUANTITY)) {
		return fail(
			'InvalidQuantity',
			'quantity',
			'aggregateRange',
			`Quantity${what} is ${quantity}: AWS accepts at most ${MAX_QUANTITY} per usage record and bills one record per customer, dimension and hour; meter in a larger unit`,
		);
	}
	if (allocations && allocations.length > CONSTRAINTS.usageAllocations.max) {
		return fail(
			'InvalidUsageAllocations',
			'usageAllocations',
			'aggregateCount',
			`Usage Allocations${what} are ${allocations.length} distinct tag sets: AWS accepts at most ${CONSTRAINTS.usageAllocations.max} per usage record`,
		);
	}
	const usageAllocations = allocations && toUsageAllocations(allocations, quantity);
	const record: UsageRecord = {
		Timestamp: identity.Timestamp,
		...identity.customer,
		...(identity.licenseArn !== undefined ? { LicenseArn: identity.licenseArn } : {}),
		Dimension: identity.Dimension,
		Quantity: Number(quantity),
		...(usageAllocations ? { UsageAllocations: usageAllocations } : {}),
	};
	const limits = options.limits ?? DEFAULT_BATCH_LIMITS;
	// Without allocations a record is a few kilobytes at most: only allocations can outgrow a request.
	if (usageAllocations && !fitsInOneRequest(record, identity.productCode, limits)) {
		return fail(
			'RequestTooLarge',
			'usageAllocations',
			'requestSize',
			`Usage Allocations${what} make the usage record ${recordBytes(record)} bytes: a BatchMeterUsage request must stay under ${limits.maxBytes} bytes; use fewer or shorter tags`,
		);
	}
	return ok(record);
}

/** Allocations with the same tag set add up; events without allocations count as untagged usage. */
function mergeAllocations(group: ValidUsageEvent[]): ParsedAllocation[] {
	const merged = new Map<string, { tags?: ParsedAllocation['tags']; quantity: Decimal }>();
	const add = (tagSet: string, tags: ParsedAllocation['tags'], quantity: Decimal) => {
		const existing = merged.get(tagSet);
		if (existing) existing.quantity = addDecimal(existing.quantity, quantity);
		else merged.set(tagSet, { tags, quantity });
	};
	for (const event of group) {
		if (event.allocations) for (const allocation of event.allocations) add(allocation.tagSet, allocation.tags, allocation.quantity);
		else add('', undefined, event.quantity);
	}
	return [...merged].map(([tagSet, { tags, quantity }]) => ({ quantity, tagSet, ...(tags ? { tags } : {}) }));
}
