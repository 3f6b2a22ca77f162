import { type ParsedAllocation, toUsageAllocations } from './allocations';
import { type BatchLimits, DEFAULT_BATCH_LIMITS, fitsInOneRequest, recordBytes } from './plan';
import { type Decimal, addDecimal, roundDecimal, sumDecimals } from './quantity';
import { CONSTRAINTS, type Customer, MAX_QUANTITY, fail, ok } from './rules';
import { HOUR_MS } from '../ledger/hours';
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
 * AWS's deduplication key: the license (or the product, for records without one), the customer,
 * the dimension and the UTC hour. AWS bills only the first quantity it receives per key.
 */
export function usageKey(event: ValidUsageEvent): string {
	const owner = event.licenseArn !== undefined ? `L${part(event.licenseArn)}` : `P${part(event.productCode)}`;
	const customer = 'CustomerIdentifier' in event.customer ? `I${part(event.customer.CustomerIdentifier)}` : `A${part(event.customer.CustomerAWSAccountId)}`;
	return `${owner}${customer}${part(event.dimension)}${Math.floor(event.timestamp.getTime() / HOUR_MS)}`;
}

// Length-prefixed, so that no two different keys can run together into the same text.
function part(text: string): string {
	return `${text.length}:${text}`;
}

/**
 * Sums events of the same key into one record (when aggregating; otherwise one record per event),
 * merges their allocations by tag set, rounds as configured and re-checks the result. Records come
 * in order of their first event.
 */
export function aggregateUsageRecords(events: ValidUsageEvent[], options: AggregationOptions): AggregatedRecord[] {
	const groups = new Map<string, number[]>();
	events.forEach((event, index) => {
		const key = options.aggregate ? usageKey(event) : String(index);
		const members = groups.get(key);
		if (members) members.push(index);
		else groups.set(key, [index]);
	});
	return [...groups.values()].map((members) => {
		const group = members.map((index) => events[index]);
		return { members, productCode: group[0].productCode, outcome: buildRecord(group, options) };
	});
}

function buildRecord(group: ValidUsageEvent[], options: AggregationOptions): Checked<UsageRecord> {
	const [first] = group;
	const earliest = group.reduce((min, event) => Math.min(min, event.timestamp.getTime()), Infinity);
	return recordFromSum(
		{
			Timestamp: options.truncateToHour ? truncateToHour(first.timestamp) : new Date(earliest),
			customer: first.customer,
			// Summed on the canonical spelling, sent in the first full ARN spelling given (see givenLicenseArn).
			licenseArn: group.find((event) => event.licenseArnAsGiven !== undefined)?.licenseArnAsGiven ?? first.licenseArn,
			Dimension: first.dimension,
			productCode: first.productCode,
		},
		{
			total: sumDecimals(group.map((event) => event.quantity)),
			allocations: group.some((event) => event.allocations) ? mergeAllocations(group) : undefined,
			events: group.length,
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
