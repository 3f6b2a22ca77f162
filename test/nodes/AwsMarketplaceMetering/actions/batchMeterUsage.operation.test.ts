import { emulatorCredential } from '../../../helpers/credentials';
import type { Emulator } from '../../../../emulator';
import { useEmulator, withEmulator } from '../../../helpers/emulator';
import { NODE_NAME, runNode, type OnError } from '../../../helpers/workflow';

const HOUR = 3600_000;
const hourStart = (hoursAgo: number) => Math.floor(Date.now() / HOUR) * HOUR - hoursAgo * HOUR;
const license = (n: number) => `arn:aws:license-manager::123456789012:license:l-${String(n).padStart(32, '0')}`;

interface BatchBody {
	ProductCode?: string;
	UsageRecords: { CustomerAWSAccountId?: string; CustomerIdentifier?: string; LicenseArn?: string; Dimension: string; Quantity: number; Timestamp: number }[];
}

describe('Batch Meter Usage', () => {
	const emulator = useEmulator({
			products: [
				{ productCode: 'prod-new', dimensions: ['requests', 'storage'] },
				{ productCode: 'prod-legacy', dimensions: ['users'] },
			],
			customers: [
				...Array.from({ length: 30 }, (_, n) => ({ customerAWSAccountId: String(100000000000 + n), productCode: 'prod-new', licenseArn: license(n) })),
				{ customerAWSAccountId: '200000000000', customerIdentifier: 'legacy-1', productCode: 'prod-legacy' },
			],
		});
	beforeEach(() => emulator().reset());

	const meter = (items: Record<string, unknown>[], parameters: Record<string, unknown> = {}, onError: OnError = 'continueErrorOutput') =>
		runNode({ parameters: { operation: 'batchMeterUsage', ...parameters }, credentials: emulatorCredential(emulator()), items, onError });
	const batches = () => emulator().log.filter((entry) => entry.operation === 'BatchMeterUsage').map((entry) => entry.body as BatchBody);

	// 30 customers x 2 dimensions x 3 events each, spread over one hour: 180 events, 60 keys.
	const events = Array.from({ length: 180 }, (_, n) => ({
		productCode: 'prod-new',
		customerAWSAccountId: String(100000000000 + (n % 30)),
		licenseArn: license(n % 30),
		dimension: n % 60 < 30 ? 'requests' : 'storage',
		quantity: 1 + (n % 7),
		timestamp: new Date(hourStart(1) + (n % 50) * 60_000).toISOString(),
	}));

	it('sums events per customer, dimension and hour and sends at most 25 records a request', async () => {
		const { outputs, error } = await meter(events);
		expect(error).toBeUndefined();
		expect(outputs[0]).toHaveLength(180);
		expect(outputs[0].map((item) => item.pairedItem)).toEqual(events.map((_, item) => ({ item })));
		expect(outputs[0].every((item) => item.json.status === 'Success' && item.json.aggregatedEvents === 3)).toBe(true);

		const sent = batches();
		expect(sent.map((body) => body.UsageRecords.length)).toEqual([25, 25, 10]);
		expect(sent.every((body) => body.ProductCode === undefined)).toBe(true);
		expect(sent.flatMap((body) => body.UsageRecords).every((record) => record.Timestamp === hourStart(1) / 1000)).toBe(true);

		const expected: Record<string, number> = {};
		for (const event of events) expected[`${event.customerAWSAccountId}|${event.dimension}`] = (expected[`${event.customerAWSAccountId}|${event.dimension}`] ?? 0) + event.quantity;
		const billed: Record<string, number> = {};
		for (const record of sent.flatMap((body) => body.UsageRecords)) billed[`${record.CustomerAWSAccountId}|${record.Dimension}`] = record.Quantity;
		expect(billed).toEqual(expected);
	});

	it('tells what the run did in an execution hint, as n8n’s own nodes do', async () => {
		const { run } = await meter([...events.slice(0, 3), { ...events[3], quantity: -1 }]);
		expect(run.data.resultData.runData[NODE_NAME][0].hints).toEqual([
			{ message: '4 usage events summed into 3 usage records in 1 request; 1 not billed', location: 'outputPane' },
		]);
	});

	it('counts in its hint as not billed exactly the items on the error output', async () => {
		// An item whose records field is no array, and one holding an invalid record: two error items, one invalid event.
		const { run, outputs } = await meter([{ usageRecords: 'none' }, { usageRecords: [events[0], { ...events[1], quantity: -1 }] }, { usageRecords: [events[2]] }], { inputMode: 'recordsField' });
		expect(outputs[1]).toHaveLength(2);
		expect(run.data.resultData.runData[NODE_NAME][0].hints).toEqual([{ message: '3 usage events summed into 2 usage records in 1 request; 2 not billed', location: 'outputPane' }]);
	});

	it('tells requests that isolate a rejected record apart from resends in its hint', async () => {
		const { run, outputs } = await meter([events[0], { ...events[1], dimension: 'no-such-dimension' }, events[31], events[2]]);
		expect(outputs[1]).toHaveLength(1);
		const [{ message }] = run.data.resultData.runData[NODE_NAME][0].hints!;
		expect(message).toMatch(/^4 usage events summed into 4 usage records in (\d+) requests \((\d+) to isolate a rejected usage record\); 1 not billed$/);
		const [, requests, isolation] = /in (\d+) requests \((\d+) to/.exec(message)!;
		expect(Number(isolation)).toBe(Number(requests) - 1);
		expect(batches()).toHaveLength(Number(requests));
	});

	it('refuses Source Usage in the Ledger without a Metering Ledger, sending nothing', async () => {
		const { error } = await runNode({
			parameters: { resource: 'usage', operation: 'batchMeterUsage', ledger: 'none', source: 'ledger' },
			credentials: emulatorCredential(emulator()),
			items: [events[0]],
			typeVersion: 3,
		});
		expect(error?.message).toBe('Source is Usage in the Ledger but Metering Ledger is None: choose the ledger Record Usage writes to');
		expect(batches()).toEqual([]);
	});

	it('from version 3 on, reads Usage Allocations only when mapped: an item’s field does not turn red in the editor by default', async () => {
		const usageAllocations = [{ allocatedUsageQuantity: 2, tags: { team: 'a' } }];
		const item = { ...events[0], quantity: 2, usageAllocations };
		const version3 = (parameters: Record<string, unknown>) =>
			runNode({ parameters: { resource: 'usage', operation: 'batchMeterUsage', ...parameters }, credentials: emulatorCredential(emulator()), items: [item], typeVersion: 3 });
		expect((await version3({})).outputs[0].map((output) => output.json.status)).toEqual(['Success']);
		expect((batches()[0].UsageRecords[0] as { UsageAllocations?: unknown }).UsageAllocations).toBeUndefined();
		emulator().reset();
		await version3({ usageAllocations: '={{ $json.usageAllocations }}' });
		expect((batches()[0].UsageRecords[0] as { UsageAllocations?: unknown[] }).UsageAllocations).toHaveLength(1);
	});

	it('sends one product per request and the product code only with legacy customer identifiers', async () => {
		const legacy = { productCode: 'prod-legacy', customerIdentifier: 'legacy-1', dimension: 'users', quantity: 2, timestamp: hourStart(0) };
		const { outputs } = await meter([{ usageRecords: [events[0], legacy, events[1]] }], { inputMode: 'recordsField' });
		expect((outputs[0][0].json.records as { status: string }[]).map((record) => record.status)).toEqual(['Success', 'Success', 'Success']);
		expect(batches()).toEqual([
			{ UsageRecords: [expect.objectContaining({ LicenseArn: license(0) }), expect.objectContaining({ LicenseArn: license(1) })] },
			{ ProductCode: 'prod-legacy', UsageRecords: [expect.objectContaining({ CustomerIdentifier: 'legacy-1', Quantity: 2 })] },
		]);
	});

	it('reports invalid items as errors naming the field and the rule, and still meters the rest', async () => {
		const { outputs } = await meter([
			{ ...events[0], quantity: 2.5 },
			events[1],
			{ ...events[2], timestamp: new Date(Date.now() - 30 * HOUR).toISOString() },
			{ ...events[3], dimension: 'no-such-dimension' },
		]);
		const [metered, failed] = outputs;
		expect(metered.map((item) => [item.pairedItem, item.json.status])).toEqual([[{ item: 1 }, 'Success']]);
		const status = (item: (typeof failed)[number]) => (item.json.details as { status: string }).status;
		expect(failed.map((item) => [item.pairedItem, status(item)])).toEqual([
			[{ item: 0 }, 'Invalid'],
			[{ item: 2 }, 'Expired'],
			[{ item: 3 }, 'Rejected'],
		]);
		expect(failed[0].json.error).toMatch(/[Qq]uantity.*2\.5.*integer.* \[item 0\]$/);
		expect(failed[1].json.error).toMatch(/^Not billed: Timestamp .* is past its deadline, .* \(usage is accepted until 24 hours after its time\) \[item 2\]$/);
		expect(failed[2].json.error).toMatch(/(InvalidUsageDimension|dimension).* \[item 3\]$/i);
		// The rejected record was isolated: the valid one went through despite sharing its first request.
		expect(batches().flatMap((body) => body.UsageRecords).some((record) => record.Dimension === 'no-such-dimension')).toBe(true);
	});

	it('stops the workflow on the first item that was not metered when errors are not continued', async () => {
		const { error } = await meter([events[0], { ...events[1], quantity: -1 }], {}, 'stopWorkflow');
		expect(error?.message).toMatch(/[Qq]uantity.* \[item 1\]$/);
		expect(error?.description).toMatch(/1 of 2 usage events were not billed; 1 were/);
	});

	const unsubscribed = { productCode: 'prod-legacy', customerIdentifier: 'legacy-9', dimension: 'users', quantity: 2, timestamp: hourStart(1) };

	it('sends usage AWS did not bill to the error output, with what to do, unless told otherwise', async () => {
		const { outputs } = await meter([unsubscribed, { ...unsubscribed, customerIdentifier: 'legacy-1' }], { customerIdType: 'customerIdentifier' });
		const [billed, unbilled] = outputs;
		expect(billed.map((item) => item.pairedItem)).toEqual([{ item: 1 }]);
		expect(unbilled).toHaveLength(1);
		expect(unbilled[0].json.error).toBe('Not billed: the customer has no active subscription to this product [item 0]');
		expect(unbilled[0].json.details).toMatchObject({ status: 'CustomerNotSubscribed', errorDescription: expect.stringMatching(/stop serving the customer/) });

		const optedOut = await meter([unsubscribed], { customerIdType: 'customerIdentifier', options: { unbilledAsErrors: false } });
		expect(optedOut.outputs[0].map((item) => item.json.status)).toEqual(['CustomerNotSubscribed']);
		expect(optedOut.outputs[1]).toEqual([]);

		const stopped = await meter([unsubscribed], { customerIdType: 'customerIdentifier' }, 'stopWorkflow');
		expect(stopped.error?.message).toBe('Not billed: the customer has no active subscription to this product');
	});

	it('reports DuplicateRecord as usage lost, not as success', async () => {
		await meter([events[0]], { options: { aggregate: false } });
		const { outputs } = await meter([{ ...events[0], quantity: 99 }], { options: { aggregate: false } });
		expect(outputs[1].map((item) => (item.json.details as { status: string }).status)).toEqual(['DuplicateRecord']);
		expect(outputs[1][0].json.error).toMatch(/^Not billed: AWS already holds another quantity for this customer, dimension and hour/);
	});

	it('requires the License ARN with an account ID, so one customer’s hour is never keyed twice', async () => {
		const { outputs } = await meter([{ ...events[0], licenseArn: '' }, { ...events[1], licenseArn: 'arn:aws:s3:::bucket/x' }]);
		expect(outputs[0]).toEqual([]);
		expect(outputs[1].map((item) => item.json.error)).toEqual([
			expect.stringMatching(/^License ARN is missing: a usage record identified by Customer AWS Account ID needs the License ARN.* \[item 0\]$/),
			expect.stringMatching(/^License ARN "arn:aws:s3:::bucket\/x" is not a License Manager license ARN.* \[item 1\]$/),
		]);
		expect(batches()).toEqual([]);
	});

	it('meters usage up to 24 hours old by default, oldest hour first', async () => {
		const { outputs } = await meter([events[0], { ...events[1], timestamp: new Date(hourStart(23)).toISOString() }]);
		expect(outputs[0].map((item) => item.json.status)).toEqual(['Success', 'Success']);
		expect(batches()[0].UsageRecords.map((record) => record.Timestamp)).toEqual([hourStart(23) / 1000, hourStart(1) / 1000]);
	});

	it('reads each item’s usageAllocations by default', async () => {
		const usageAllocations = [{ allocatedUsageQuantity: 1, tags: { team: 'a' } }, { allocatedUsageQuantity: 1, tags: { team: 'b' } }];
		const { outputs } = await meter([{ ...events[0], quantity: 2, usageAllocations }, events[31]]);
		expect(outputs[0].map((item) => item.json.status)).toEqual(['Success', 'Success']);
		const [withTags, without] = batches()[0].UsageRecords as { UsageAllocations?: unknown[] }[];
		expect(withTags.UsageAllocations).toHaveLength(2);
		expect(without.UsageAllocations).toBeUndefined();
	});

	it('rejects every record of a mis-cased dimension in at most one request per planned request', async () => {
		const { outputs } = await meter(events.map((event) => ({ ...event, dimension: 'Requests' })), { options: { aggregate: false } });
		expect(outputs[0]).toEqual([]);
		expect(outputs[1]).toHaveLength(180);
		expect(batches().length).toBeLessThanOrEqual(8);
		expect(outputs[1].every((item) => (item.json.details as { errorCode: string }).errorCode === 'InvalidUsageDimensionException')).toBe(true);
	});

	it('reads arrays of usage records from a field, one output item per input item', async () => {
		const { outputs } = await meter(
			[{ usageRecords: events.slice(0, 4) }, { usageRecords: [events[4], { ...events[5], quantity: 'many' }] }, { other: 1 }],
			{ inputMode: 'recordsField' },
		);
		const [metered, failed] = outputs;
		expect(metered).toHaveLength(1);
		expect(metered[0].json.status).toBe('Success');
		expect(metered[0].json.records).toHaveLength(4);
		expect(failed.map((item) => [item.pairedItem, (item.json.details as { status: string }).status])).toEqual([[{ item: 1 }, 'Invalid'], [{ item: 2 }, 'Invalid']]);
		expect(failed[1].json.error).toBe('Field "usageRecords" is missing: it must hold an array of usage records [item 2]');
	});

	it('can answer one item per record sent, paired to every contributing item', async () => {
		const { outputs } = await meter(events.slice(0, 60).concat(events.slice(0, 30)), { options: { output: 'perRecord' } });
		expect(outputs[0]).toHaveLength(60);
		expect(outputs[0][0].pairedItem).toEqual([{ item: 0 }, { item: 60 }]);
		expect(outputs[0][0].json.aggregatedEvents).toBe(2);
	});

	it('can answer one summary item', async () => {
		const { outputs } = await meter(events, { options: { output: 'summary' } });
		expect(outputs[0]).toHaveLength(1);
		expect(outputs[0][0].pairedItem).toHaveLength(180);
		expect(outputs[0][0].json).toMatchObject({ requests: 3, errors: [] });
	});

	it('evaluates expressions other than a plain field per item', async () => {
		const { outputs } = await meter(events.slice(0, 2).map((event) => ({ ...event, quantity: undefined, units: 21 })), {
			quantity: '={{ $json.units * 2 }}',
			options: { aggregate: false },
		});
		expect(outputs[0].map((item) => (item.json.usageRecord as { Quantity: number }).Quantity)).toEqual([42, 42]);
	});
});

describe('Batch Meter Usage against each reading of AWS', () => {
	const customers = Array.from({ length: 30 }, (_, n) => ({ customerAWSAccountId: String(100000000000 + n), productCode: 'prod-new', licenseArn: license(n) }));
	const items = customers.map((customer, n) => ({ ...customer, dimension: 'requests', quantity: n + 1, timestamp: new Date(hourStart(1)).toISOString() }));
	const total = items.reduce((sum, item) => sum + item.quantity, 0);
	const run = (emulator: Emulator, options: Record<string, number> = {}) =>
		runNode({
			parameters: { operation: 'batchMeterUsage', options },
			credentials: emulatorCredential(emulator),
			items,
			onError: 'continueErrorOutput',
		});

	it.each(['success', 'duplicateRecord'] as const)('bills every record once through lost answers when AWS answers an identical resend with %s', async (identicalResend) => {
		await withEmulator({ customers, identicalResend, faults: { dropRate: 0.5 }, seed: 3 }, async (emulator) => {
			// One SDK attempt: every lost answer is the node's own resend.
			const { outputs } = await run(emulator, { maxAttempts: 1, requestTimeoutSeconds: 5 });
			expect(outputs[1]).toEqual([]);
			expect(outputs[0].map((item) => item.json.status)).toEqual(items.map(() => 'Success'));
			expect(emulator.stats().meteredQuantity()).toBe(total);
			expect(emulator.log.some((entry) => entry.errorType === 'Dropped')).toBe(true);
		});
	});

	it('isolates the records of a request AWS finds too large (HTTP 413) instead of resending it', async () => {
		await withEmulator({ customers, maxRequestBytes: 4000 }, async (emulator) => {
			const { outputs } = await run(emulator);
			expect(outputs[0]).toHaveLength(30);
			expect(emulator.stats().meteredQuantity()).toBe(total);
			const statuses = emulator.log.map((entry) => entry.httpStatus);
			expect(statuses[0]).toBe(413);
			expect(statuses).toContain(200);
			// Halving, never the same request twice: fewer requests than records.
			expect(statuses.length).toBeLessThan(30);
		});
	});

	it('stops with a clear error when the API is disabled in the Region', async () => {
		await withEmulator({ customers, disabledOperations: ['BatchMeterUsage'] }, async (emulator) => {
			const { outputs } = await run(emulator);
			expect(outputs[1]).toHaveLength(30);
			expect(emulator.log).toHaveLength(1);
			expect(outputs[1][0].json.error).toMatch(/DisabledApi|disabled in this Region/);
		});
	});
});
