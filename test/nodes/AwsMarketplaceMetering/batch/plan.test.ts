import fc from 'fast-check';

import {
	envelopeBytes,
	fitsInOneRequest,
	planBatches,
	recordBytes,
	type PlannedRecord,
	type UsageRecord,
} from '../../../../nodes/AwsMarketplaceMetering/batch';
import { at, license } from './events';

const record = (n: number, fields: Partial<UsageRecord> = {}): UsageRecord => ({
	Timestamp: new Date(at(15)),
	CustomerAWSAccountId: String(100000000000 + n),
	LicenseArn: license(n),
	Dimension: 'requests',
	Quantity: n,
	...fields,
});
const legacy = (n: number): UsageRecord => ({ Timestamp: new Date(at(15)), CustomerIdentifier: `cust-${n}`, Dimension: 'requests', Quantity: n });
const planned = (productCode: string, usageRecord: UsageRecord): PlannedRecord => ({ productCode, record: usageRecord });
const wireBytes = (records: UsageRecord[], productCode?: string) =>
	Buffer.byteLength(
		JSON.stringify({
			UsageRecords: records.map((usageRecord) => ({ ...usageRecord, Timestamp: usageRecord.Timestamp.getTime() / 1000 })),
			...(productCode ? { ProductCode: productCode } : {}),
		}),
	);

describe('planBatches', () => {
	it('sends at most 25 records a request', () => {
		const batches = planBatches(Array.from({ length: 60 }, (_, n) => planned('prod-a', record(n))));
		expect(batches.map((batch) => batch.records.length)).toEqual([25, 25, 10]);
		expect(batches.flatMap((batch) => batch.records.map((usageRecord) => usageRecord.Quantity))).toEqual(Array.from({ length: 60 }, (_, n) => n));
	});

	it('keeps products apart and license-based records apart from product-code ones, in order of first appearance', () => {
		const batches = planBatches([
			planned('prod-b', legacy(1)),
			planned('prod-a', record(2)),
			planned('prod-b', record(3)),
			planned('prod-a', legacy(4)),
			planned('prod-b', legacy(5)),
			planned('prod-a', record(6)),
			planned('prod-a', { ...legacy(7), CustomerIdentifier: undefined, CustomerAWSAccountId: '200000000000' }),
		]);
		expect(batches.map((batch) => [batch.productCode, batch.sendProductCode, batch.records.map((usageRecord) => usageRecord.Quantity)])).toEqual([
			['prod-b', true, [1, 5]],
			['prod-a', false, [2, 6]],
			['prod-b', false, [3]],
			['prod-a', true, [4, 7]],
		]);
	});

	it('puts records that differ only by license in different requests, so that an answer without its license names one', () => {
		const sameAccount = (n: number) => record(0, { LicenseArn: license(n), Quantity: 5 });
		const batches = planBatches([planned('prod-a', sameAccount(1)), planned('prod-a', record(2)), planned('prod-a', sameAccount(3)), planned('prod-a', sameAccount(4))]);
		expect(batches.map((batch) => batch.records.map((usageRecord) => [usageRecord.LicenseArn, usageRecord.Quantity]))).toEqual([
			[[license(1), 5], [license(2), 2]],
			[[license(3), 5]],
			[[license(4), 5]],
		]);
	});

	it('is deterministic', () => {
		const input = Array.from({ length: 80 }, (_, n) => planned(n % 3 ? 'prod-a' : 'prod-b', n % 2 ? record(n) : legacy(n)));
		expect(planBatches(input)).toEqual(planBatches(input.map((entry) => ({ ...entry }))));
	});

	it('splits requests to stay under 1 MB when allocations are big, and estimates no less than the real body', () => {
		const tags = (n: number) => Array.from({ length: 5 }, (_, t) => ({ Key: `key-${t}-${'k'.repeat(90)}`, Value: `${n}-€-"${'v'.repeat(240)}` }));
		const big = (n: number) => record(n, { Quantity: 200, UsageAllocations: Array.from({ length: 200 }, (_, a) => ({ AllocatedUsageQuantity: 1, Tags: tags(a) })) });
		const records = Array.from({ length: 7 }, (_, n) => big(n));
		const single = wireBytes([records[0]]);
		expect(single).toBeGreaterThan(300_000);
		expect(recordBytes(records[0]) + envelopeBytes(undefined)).toBeGreaterThanOrEqual(single);

		const batches = planBatches(records.map((usageRecord) => planned('prod-a', usageRecord)));
		expect(batches.length).toBeGreaterThan(1);
		for (const batch of batches) expect(wireBytes(batch.records)).toBeLessThan(1_000_000);
		expect(batches.flatMap((batch) => batch.records)).toEqual(records);
		expect(batches.map((batch) => batch.records.length)).toEqual([2, 2, 2, 1]);
	});

	it('tells whether a record fits in one request at all', () => {
		const tags = Array.from({ length: 5 }, (_, t) => ({ Key: `key-${t}-${'k'.repeat(90)}`, Value: 'v'.repeat(256) }));
		const huge = record(1, { UsageAllocations: Array.from({ length: 2500 }, () => ({ AllocatedUsageQuantity: 1, Tags: tags })) });
		expect(fitsInOneRequest(record(1), 'prod-a')).toBe(true);
		expect(fitsInOneRequest(huge, 'prod-a')).toBe(false);
	});

	it('never estimates a request smaller than its JSON body, whatever the text', () => {
		const text = fc.string({ unit: 'binary', maxLength: 40 });
		const usageRecord = fc.record({
			Timestamp: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }),
			CustomerIdentifier: text,
			LicenseArn: fc.option(text, { nil: undefined }),
			Dimension: text,
			Quantity: fc.integer({ min: 0, max: 2147483647 }),
			UsageAllocations: fc.option(
				fc.array(fc.record({ AllocatedUsageQuantity: fc.nat(), Tags: fc.array(fc.record({ Key: text, Value: text }), { maxLength: 5 }) }), { maxLength: 4 }),
				{ nil: undefined },
			),
		});
		fc.assert(
			fc.property(fc.array(usageRecord, { minLength: 1, maxLength: 25 }), text, (records, productCode) => {
				const estimate = envelopeBytes(productCode) + records.reduce((sum, usageRecord) => sum + recordBytes(usageRecord), 0);
				expect(estimate).toBeGreaterThanOrEqual(wireBytes(records, productCode));
			}),
		);
	});

	it('honours other limits', () => {
		const batches = planBatches(Array.from({ length: 7 }, (_, n) => planned('prod-a', record(n))), { maxRecords: 3, maxBytes: 1_000_000 });
		expect(batches.map((batch) => batch.records.length)).toEqual([3, 3, 1]);
	});
});
