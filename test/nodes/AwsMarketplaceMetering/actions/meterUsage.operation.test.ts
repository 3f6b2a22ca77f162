import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';
import { runNode } from '../../../helpers/workflow';

const HOUR = 3600_000;

describe('Meter Usage', () => {
	const emulator = useEmulator({ products: [{ productCode: 'prod-ami', dimensions: ['vcpu-hours', 'gpu-hours'], type: 'ami' }] });
	beforeEach(() => emulator().reset());

	const meter = (parameters: Record<string, unknown>, items?: Record<string, unknown>[]) =>
		runNode({
			parameters: { operation: 'meterUsage', productCode: 'prod-ami', usageDimension: 'vcpu-hours', usageQuantity: 4, ...parameters },
			credentials: emulatorCredential(emulator()),
			items,
			onError: 'continueErrorOutput',
		});

	it('reports the current hour by default, truncated to its start', async () => {
		const { outputs } = await meter({});
		const json = outputs[0][0].json;
		const hourStart = Math.floor(Date.now() / HOUR) * HOUR;
		expect(json).toMatchObject({ productCode: 'prod-ami', usageDimension: 'vcpu-hours', usageQuantity: 4, timestamp: new Date(hourStart).toISOString() });
		expect(json.meteringRecordId).toEqual(expect.any(String));
		expect(emulator().log[0].body).toMatchObject({ ProductCode: 'prod-ami', UsageDimension: 'vcpu-hours', UsageQuantity: 4, Timestamp: hourStart / 1000 });
	});

	it('is idempotent for the same hour and quantity, and explains a different quantity', async () => {
		const first = (await meter({})).outputs[0][0].json.meteringRecordId;
		expect((await meter({})).outputs[0][0].json.meteringRecordId).toBe(first);
		const { outputs } = await meter({ usageQuantity: 5 });
		expect(outputs[1][0].json.error).toBe('Usage for this hour and dimension was already reported with another quantity');
	});

	it('answers a dry run without metering', async () => {
		const { outputs } = await meter({ usageDimension: 'gpu-hours', options: { dryRun: true } });
		expect(outputs[0][0].json).toMatchObject({ dryRun: true, wouldSucceed: true });
		expect(emulator().stats().billed).toEqual({});
	});

	it('makes a retried workflow idempotent with a stable client token', async () => {
		const options = { clientToken: 'run-42-item-0' };
		const first = (await meter({ options })).outputs[0][0].json.meteringRecordId;
		expect((await meter({ options })).outputs[0][0].json.meteringRecordId).toBe(first);
		const conflict = await meter({ usageQuantity: 9, options });
		expect(conflict.outputs[1][0].json.error).toBe('The client token was already used with other parameters');
	});

	it('sends usage allocations with their tags', async () => {
		const usageAllocations = JSON.stringify([
			{ allocatedUsageQuantity: 3, tags: { team: 'data' } },
			{ allocatedUsageQuantity: 1, tags: [{ key: 'team', value: 'web' }] },
		]);
		const { outputs } = await meter({ options: { usageAllocations } });
		expect(outputs[0][0].json.meteringRecordId).toEqual(expect.any(String));
		expect(emulator().log[0].body).toMatchObject({
			UsageAllocations: [
				{ AllocatedUsageQuantity: 3, Tags: [{ Key: 'team', Value: 'data' }] },
				{ AllocatedUsageQuantity: 1, Tags: [{ Key: 'team', Value: 'web' }] },
			],
		});
	});

	it('rejects bad input before calling AWS, naming the item, the field and the rule', async () => {
		const { outputs } = await meter({ usageQuantity: '={{ $json.quantity }}', timestamp: '={{ $json.timestamp }}', options: { usageAllocations: '={{ $json.allocations }}' } }, [
			{ quantity: 2.5, timestamp: new Date().toISOString() },
			{ quantity: 1, timestamp: new Date(Date.now() - 7 * HOUR).toISOString() },
			{ quantity: 4, timestamp: new Date().toISOString(), allocations: [{ allocatedUsageQuantity: 3, tags: { team: 'data' } }] },
			{ quantity: 1, timestamp: 'yesterday' },
		]);
		expect(outputs[0]).toEqual([]);
		const errors = outputs[1].map((item) => `${String(item.json.error)} | ${String(item.json.details)}`);
		expect(errors[0]).toMatch(/Usage Quantity.*2\.5.*integer/);
		expect(errors[1]).toMatch(/Timestamp.*6 hours/);
		expect(errors[2]).toMatch(/Usage Allocations add up to 3, not the Usage Quantity 4/);
		expect(errors[3]).toMatch(/Timestamp.*yesterday/);
		expect(errors.every((error, index) => error.includes(`Item ${index}`))).toBe(true);
		expect(emulator().log).toHaveLength(0);
	});
});
