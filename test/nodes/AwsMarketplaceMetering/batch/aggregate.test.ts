import {
	UsageSums,
	validateUsageEvent,
	type AggregationOptions,
	type UsageEvent,
} from '../../../../nodes/AwsMarketplaceMetering/batch';
import { NOW, at, legacyEvent, license, usageEvent } from './events';

const DEFAULTS: AggregationOptions = { aggregate: true, truncateToHour: true, nonIntegerQuantity: 'error' };

/** The records, each with the positions of the events summed into it. */
function aggregate(events: UsageEvent[], options: Partial<AggregationOptions> = {}) {
	const settings = { ...DEFAULTS, ...options };
	const sums = new UsageSums(settings);
	const positions = events.map((event) => {
		const checked = validateUsageEvent(event, { ...settings, now: new Date(NOW), maxRecordAgeHours: 6, maxFutureSkewMinutes: 5 });
		if (!checked.ok) throw new Error(checked.error.message);
		return sums.add(checked.value);
	});
	return sums.records().map((record, position) => {
		const members = positions.flatMap((recordOf, index) => (recordOf === position ? [index] : []));
		expect(record.events).toBe(members.length);
		return { ...record, members };
	});
}

const records = (events: UsageEvent[], options: Partial<AggregationOptions> = {}) =>
	aggregate(events, options).map(({ outcome }) => {
		if (!outcome.ok) throw new Error(outcome.error.message);
		return outcome.value;
	});

describe('UsageSums', () => {
	it('sums events of the same license, customer, dimension and hour into one record at the start of the hour', () => {
		const result = aggregate([
			usageEvent({ quantity: 2, timestamp: at(15, 5) }),
			usageEvent({ quantity: 3, timestamp: at(15, 59) }),
			usageEvent({ quantity: 4, timestamp: at(14, 30) }),
			usageEvent({ quantity: 5, dimension: 'storage' }),
			usageEvent({ quantity: 6, customerAWSAccountId: '999999999999', licenseArn: license(2) }),
			usageEvent({ quantity: 7, timestamp: at(15, 30) }),
		]);
		expect(result.map(({ members, outcome }) => [members, outcome.ok && outcome.value])).toEqual([
			[[0, 1, 5], { Timestamp: new Date(at(15)), CustomerAWSAccountId: '123456789012', LicenseArn: license(1), Dimension: 'requests', Quantity: 12 }],
			[[2], { Timestamp: new Date(at(14)), CustomerAWSAccountId: '123456789012', LicenseArn: license(1), Dimension: 'requests', Quantity: 4 }],
			[[3], expect.objectContaining({ Dimension: 'storage', Quantity: 5 })],
			[[4], expect.objectContaining({ CustomerAWSAccountId: '999999999999', Quantity: 6 })],
		]);
	});

	it('keys legacy records by product and customer identifier', () => {
		const result = records([
			legacyEvent({ quantity: 1 }),
			legacyEvent({ quantity: 2, productCode: 'prod-b' }),
			legacyEvent({ quantity: 3 }),
			legacyEvent({ quantity: 4, customerIdentifier: 'cust-2' }),
		]);
		expect(result.map((record) => [record.CustomerIdentifier, record.Quantity])).toEqual([
			['cust-1', 4],
			['cust-1', 2],
			['cust-2', 4],
		]);
		expect(result[0]).not.toHaveProperty('LicenseArn');
	});

	it('keeps the hour as the key without truncation, and sends the earliest timestamp of the hour', () => {
		const result = records(
			[usageEvent({ quantity: 1, timestamp: at(15, 40) }), usageEvent({ quantity: 1, timestamp: at(15, 5) }), usageEvent({ quantity: 1, timestamp: at(14, 50) })],
			{ truncateToHour: false },
		);
		expect(result.map((record) => [record.Timestamp.toISOString(), record.Quantity])).toEqual([
			[at(15, 5), 2],
			[at(14, 50), 1],
		]);
	});

	it('sends one record per event when not aggregating, truncated or not', () => {
		const events = [usageEvent({ quantity: 1, timestamp: at(15, 40) }), usageEvent({ quantity: 2, timestamp: at(15, 5) })];
		expect(records(events, { aggregate: false }).map((record) => [record.Timestamp.toISOString(), record.Quantity])).toEqual([
			[at(15), 1],
			[at(15), 2],
		]);
		expect(records(events, { aggregate: false, truncateToHour: false }).map((record) => record.Timestamp.toISOString())).toEqual([at(15, 40), at(15, 5)]);
	});

	it.each([
		['roundUp', ['0.1', '0.2', '0.7'], 1],
		['roundUp', ['0.1', '0.2', '0.71'], 2],
		['roundNearest', ['0.1', '0.2', '0.2'], 1],
		['roundNearest', ['0.1', '0.2', '0.19'], 0],
		['roundNearest', [1.25, 1.25], 3],
		['roundUp', [5], 5],
		// Whole quantities first, then a fraction, then whole again: summed exactly throughout.
		['roundUp', [2_000_000_000, '0.5', 7], 2_000_000_008],
		['roundNearest', [3, '0.25', '0.25', 4], 8],
	] as const)('%s rounds the sum of %j to %d, exactly', (mode, quantities, expected) => {
		const result = records(
			quantities.map((quantity) => usageEvent({ quantity })),
			{ nonIntegerQuantity: mode },
		);
		expect(result.map((record) => record.Quantity)).toEqual([expected]);
	});

	it('rounds each event alone when not aggregating', () => {
		expect(records([usageEvent({ quantity: 0.4 }), usageEvent({ quantity: 0.4 })], { aggregate: false, nonIntegerQuantity: 'roundUp' }).map((record) => record.Quantity)).toEqual([1, 1]);
	});

	it('merges allocations by tag set in any order and counts events without allocations as untagged', () => {
		const [record] = records([
			usageEvent({ quantity: 3, usageAllocations: [{ allocatedUsageQuantity: 1, tags: { team: 'a', env: 'prod' } }, { allocatedUsageQuantity: 2, tags: { team: 'b' } }] }),
			usageEvent({ quantity: 4 }),
			usageEvent({ quantity: 5, usageAllocations: [{ allocatedUsageQuantity: 5, tags: [{ key: 'env', value: 'prod' }, { key: 'team', value: 'a' }] }] }),
			usageEvent({ quantity: 1, usageAllocations: [{ allocatedUsageQuantity: 1 }] }),
		]);
		expect(record.Quantity).toBe(13);
		expect(record.UsageAllocations).toEqual([
			{ AllocatedUsageQuantity: 6, Tags: [{ Key: 'team', Value: 'a' }, { Key: 'env', Value: 'prod' }] },
			{ AllocatedUsageQuantity: 2, Tags: [{ Key: 'team', Value: 'b' }] },
			{ AllocatedUsageQuantity: 5 },
		]);
	});

	it('counts the usage of events before the first with allocations as untagged, first', () => {
		const [record] = records([
			usageEvent({ quantity: 2 }),
			usageEvent({ quantity: 3, usageAllocations: [{ allocatedUsageQuantity: 3, tags: { team: 'a' } }] }),
			usageEvent({ quantity: 1 }),
		]);
		expect(record.Quantity).toBe(6);
		expect(record.UsageAllocations).toEqual([{ AllocatedUsageQuantity: 3 }, { AllocatedUsageQuantity: 3, Tags: [{ Key: 'team', Value: 'a' }] }]);
	});

	it('reports every contributing event invalid when the sum exceeds the quantity limit', () => {
		const result = aggregate([usageEvent({ quantity: 2_000_000_000 }), usageEvent({ quantity: 200_000_000 }), usageEvent({ quantity: 1, dimension: 'other' })]);
		expect(result[0]).toMatchObject({
			members: [0, 1],
			outcome: {
				ok: false,
				error: {
					code: 'InvalidQuantity',
					rule: 'aggregateRange',
					message: expect.stringMatching(/^Quantity summed over 2 events of this customer, dimension and hour is 2200000000: AWS accepts at most 2147483647 per usage record/),
				},
			},
		});
		expect(result[1].outcome.ok).toBe(true);
	});

	it('reports the events invalid when their merged allocations exceed 2500 tag sets', () => {
		const event = (offset: number) =>
			usageEvent({ quantity: 1300, usageAllocations: Array.from({ length: 1300 }, (_, n) => ({ allocatedUsageQuantity: 1, tags: { n: String(n + offset) } })) });
		expect(aggregate([event(0), event(1300)])[0].outcome).toMatchObject({
			ok: false,
			error: { code: 'InvalidUsageAllocations', rule: 'aggregateCount', message: expect.stringMatching(/^Usage Allocations summed over 2 events .* are 2600 distinct tag sets: AWS accepts at most 2500/) },
		});
		expect(aggregate([event(0), event(0)])[0].outcome.ok).toBe(true);
	});

	it('rounds allocations so that they add up to the rounded quantity, largest fractions first', () => {
		const thirds = [{ team: 'a' }, { team: 'b' }, { team: 'c' }].map((tags) => ({ allocatedUsageQuantity: 0.5, tags }));
		const events = [usageEvent({ quantity: 1.5, usageAllocations: thirds })];
		expect(records(events, { nonIntegerQuantity: 'roundUp' })[0]).toMatchObject({
			Quantity: 2,
			UsageAllocations: [{ AllocatedUsageQuantity: 1 }, { AllocatedUsageQuantity: 1 }, { AllocatedUsageQuantity: 0 }],
		});
		const uneven = [{ q: 0.2, team: 'a' }, { q: 0.7, team: 'b' }, { q: 0.6, team: 'c' }].map(({ q, team }) => ({ allocatedUsageQuantity: q, tags: { team } }));
		expect(records([usageEvent({ quantity: 1.5, usageAllocations: uneven })], { nonIntegerQuantity: 'roundNearest' })[0].UsageAllocations?.map((a) => a.AllocatedUsageQuantity)).toEqual([0, 1, 1]);
		// Untagged fractional usage next to whole allocations rounds consistently.
		const mixed = [usageEvent({ quantity: 2, usageAllocations: [{ allocatedUsageQuantity: 2, tags: { team: 'a' } }] }), usageEvent({ quantity: 0.3 })];
		expect(records(mixed, { nonIntegerQuantity: 'roundUp' })[0]).toMatchObject({
			Quantity: 3,
			UsageAllocations: [{ AllocatedUsageQuantity: 2, Tags: [{ Key: 'team', Value: 'a' }] }, { AllocatedUsageQuantity: 1 }],
		});
	});

	it('sums the events of one license and hour whatever product code they came with: the code is never sent with it', () => {
		const [record] = aggregate([usageEvent({ quantity: 1 }), usageEvent({ quantity: 2, productCode: 'prod-b' })]);
		expect(record).toMatchObject({ members: [0, 1], productCode: 'prod-a', outcome: { ok: true, value: { Quantity: 3 } } });
	});

	it('reports a record that cannot fit in one request', () => {
		const tags = (n: number) => Object.fromEntries(Array.from({ length: 5 }, (_, t) => [`key-${t}-${'k'.repeat(90)}`, `${n}-${'v'.repeat(250)}`]));
		const usageAllocations = Array.from({ length: 800 }, (_, n) => ({ allocatedUsageQuantity: 1, tags: tags(n) }));
		expect(aggregate([usageEvent({ quantity: 800, usageAllocations })])[0].outcome).toMatchObject({
			ok: false,
			error: { code: 'RequestTooLarge', rule: 'requestSize', message: expect.stringMatching(/^Usage Allocations make the usage record \d+ bytes: a BatchMeterUsage request must stay under 1000000 bytes/) },
		});
	});
});
