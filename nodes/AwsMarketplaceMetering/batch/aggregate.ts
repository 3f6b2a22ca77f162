import { type ParsedAllocation, toUsageAllocations } from './allocations';
import { type BatchLimits, DEFAULT_BATCH_LIMITS, fitsInOneRequest, recordBytes } from './plan';
import { type Decimal, addDecimal, roundDecimal } from './quantity';
import { CONSTRAINTS, type Customer, MAX_QUANTITY, fail, ok } from './rules';
import { HOUR_MS } from '../../shared/ledger/hours';
import { truncateToHour } from './timestamp';
import type { Checked, NonIntegerQuantity, UsageRecord } from './types';
import type { UsageIdentity, ValidUsageEvent } from './validate';

export interface AggregationOptions {
	aggregate: boolean;
	truncateToHour: boolean;
	nonIntegerQuantity: NonIntegerQuantity;
	limits?: BatchLimits;
}

/** One record to send (or why it cannot be), and how many events it stands for. */
export interface AggregatedRecord {
	productCode: string;
	/** Events summed into it. */
	events: number;
	outcome: Checked<UsageRecord>;
}

type Hours = Map<number, number>;
type Dimensions = Map<string, Hours>;
type Customers = Map<string, Dimensions>;
type Owners = Map<string, Customers>;

/**
 * Sums events into records as they are validated (when aggregating: one record per key; otherwise one
 * per event), so that no event is kept once it is added: a run holds a running sum per record, not its
 * events. Merges allocations by tag set; `records()` rounds as configured and re-checks the result.
 * Records come in order of their first event.
 */
export class UsageSums {
	private readonly sums: RecordSum[] = [];
	// The hours of each identity's key: events given alike share an identity, so one lookup finds them.
	private readonly hoursByIdentity = new Map<UsageIdentity, Hours>();
	// [license, product] × [account ID, customer identifier].
	private readonly roots: Owners[] = [new Map(), new Map(), new Map(), new Map()];

	constructor(private readonly options: AggregationOptions) {}

	/** Adds a valid event to its record; answers that record's position. */
	add(event: ValidUsageEvent): number {
		const position = this.options.aggregate ? this.positionOf(event) : this.start(event);
		this.sums[position].add(event);
		return position;
	}

	records(): AggregatedRecord[] {
		return this.sums.map((sum) => ({ productCode: sum.first.identity.productCode, events: sum.events, outcome: sum.record(this.options) }));
	}

	private start(event: ValidUsageEvent): number {
		return this.sums.push(new RecordSum(event)) - 1;
	}

	private positionOf(event: ValidUsageEvent): number {
		let hours = this.hoursByIdentity.get(event.identity);
		if (!hours) this.hoursByIdentity.set(event.identity, (hours = this.hoursOf(event.identity)));
		const hour = Math.floor(event.timestamp.getTime() / HOUR_MS);
		let position = hours.get(hour);
		if (position === undefined) hours.set(hour, (position = this.start(event)));
		return position;
	}

	/**
	 * The hours of an identity's key among AWS's deduplication keys: the license (or the product, for records
	 * without one), the customer, the dimension and the UTC hour; AWS bills only the first quantity it receives
	 * per key. Identities given in other spellings (of a license ARN, or with another product code under one
	 * license) share them. License and product owners, and account IDs and customer identifiers, are kept
	 * apart, so that no two keys of different kinds meet.
	 */
	private hoursOf({ licenseArn, productCode, customer, dimension }: UsageIdentity): Hours {
		const byIdentifier = 'CustomerIdentifier' in customer;
		const root = this.roots[(licenseArn !== undefined ? 0 : 2) + (byIdentifier ? 1 : 0)];
		const customers = entry(root, licenseArn ?? productCode, newMap as () => Customers);
		const dimensions = entry(customers, byIdentifier ? customer.CustomerIdentifier : customer.CustomerAWSAccountId, newMap as () => Dimensions);
		return entry(dimensions, dimension, newMap as () => Hours);
	}
}

const newMap = () => new Map();

function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
	let value = map.get(key);
	if (value === undefined) map.set(key, (value = make()));
	return value;
}

/** One record's events, summed as they come: what the record needs of them, not the events. */
class RecordSum {
	events = 0;
	private earliest = Infinity;
	private licenseArnAsGiven: string | undefined;
	// Whole quantities, nearly all of them, add up as a number (exact below 2^53) without a BigInt per
	// addition; the first fraction, or a sum past that, switches to the exact decimal.
	private whole = 0;
	private exact: Decimal | undefined;
	// Created by the first event with allocations, in the order their tag sets first appear.
	private allocations: Map<string, { tags?: ParsedAllocation['tags']; quantity: Decimal }> | undefined;

	/** Its identity: the first event's product, customer, license, dimension and hour. */
	constructor(readonly first: ValidUsageEvent) {}

	add(event: ValidUsageEvent): void {
		if (event.allocations || this.allocations) this.allocate(event);
		this.events++;
		this.earliest = Math.min(this.earliest, event.timestamp.getTime());
		this.licenseArnAsGiven ??= event.identity.licenseArnAsGiven;
		const { quantity } = event;
		if (this.exact === undefined && quantity.scale === 0) {
			const sum = this.whole + Number(quantity.units);
			if (Number.isSafeInteger(sum)) {
				this.whole = sum;
				return;
			}
		}
		this.exact = addDecimal(this.total(), quantity);
	}

	record(options: AggregationOptions): Checked<UsageRecord> {
		const { timestamp, identity } = this.first;
		return recordFromSum(
			{
				Timestamp: options.truncateToHour ? truncateToHour(timestamp) : new Date(this.earliest),
				customer: identity.customer,
				// Summed on the canonical spelling, sent in the first full ARN spelling given (see givenLicenseArn).
				licenseArn: this.licenseArnAsGiven ?? identity.licenseArn,
				Dimension: identity.dimension,
				productCode: identity.productCode,
			},
			{
				total: this.total(),
				allocations: this.allocations && [...this.allocations].map(([tagSet, { tags, quantity }]) => ({ quantity, tagSet, ...(tags ? { tags } : {}) })),
				events: this.events,
			},
			options,
		);
	}

	private total(): Decimal {
		return this.exact ?? { units: BigInt(this.whole), scale: 0 };
	}

	/** Allocations with the same tag set add up; events without allocations count as untagged usage. */
	private allocate(event: ValidUsageEvent): void {
		if (!this.allocations) {
			this.allocations = new Map();
			// Every event before this one came without allocations.
			if (this.events > 0) this.allocations.set('', { quantity: this.total() });
		}
		if (!event.allocations) return this.allocateTo('', undefined, event.quantity);
		for (const { tagSet, tags, quantity } of event.allocations) this.allocateTo(tagSet, tags, quantity);
	}

	private allocateTo(tagSet: string, tags: ParsedAllocation['tags'], quantity: Decimal): void {
		const existing = this.allocations!.get(tagSet);
		if (existing) existing.quantity = addDecimal(existing.quantity, quantity);
		else this.allocations!.set(tagSet, { tags, quantity });
	}
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
