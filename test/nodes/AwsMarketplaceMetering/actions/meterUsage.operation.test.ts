import { DEFAULT_TEST_CREDENTIAL } from '../../../../emulator';
import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';
import { AwsMarketplaceMetering } from '../../../../nodes/AwsMarketplaceMetering/AwsMarketplaceMetering.node.ts';
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

	it('reports the hour that ended by default, truncated to its start', async () => {
		const { outputs } = await meter({});
		const json = outputs[0][0].json;
		const hourStart = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
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

	it('answers a dry run with permissions only, whatever AWS would say of the product, without metering', async () => {
		const { outputs } = await meter({ productCode: 'prod-unknown', options: { dryRun: true } });
		const json = outputs[0][0].json;
		expect(json).toMatchObject({ dryRun: true, permitted: true, productCode: 'prod-unknown', note: expect.stringMatching(/permissions only.*not the input.*subscription/) });
		expect(json).not.toHaveProperty('wouldSucceed');
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
		// Numbered as n8n's editor numbers items, once.
		expect(errors.every((error, index) => error.split('|')[0].trim().endsWith(`[item ${index}]`))).toBe(true);
		expect(emulator().log).toHaveLength(0);
	});
});

describe('Meter Usage on Amazon Bedrock AgentCore Runtime', () => {
	const AGENTCORE = { accessKeyId: 'AKIAAGENTCORE0000001', secretAccessKey: 'agentcore-secret', runtime: 'agentcore' as const };
	const emulator = useEmulator({ credentials: [AGENTCORE], products: [{ productCode: 'prod-agent', dimensions: ['calls'], type: 'container' }] });
	beforeEach(() => emulator().reset());

	const report = (parameters: Record<string, unknown>, items?: Record<string, unknown>[]) =>
		runNode({
			parameters: { operation: 'meterUsage', deployment: 'agentCoreRuntime', productCode: 'prod-agent', usageDimension: 'calls', usageQuantity: 3, ...parameters },
			credentials: emulatorCredential(emulator(), { accessKeyId: AGENTCORE.accessKeyId, secretAccessKey: AGENTCORE.secretAccessKey }),
			items,
			onError: 'continueErrorOutput',
		});
	const sent = () => emulator().log.map((entry) => entry.body as { ClientToken: string; Timestamp: number });

	it('reports now by default, not rounded to the hour, with a Client Token derived from the item and its report', async () => {
		const before = Date.now();
		const json = (await report({})).outputs[0][0].json;
		const timestamp = Date.parse(String(json.timestamp));
		expect(timestamp).toBeGreaterThanOrEqual(before - 1000);
		expect(timestamp).toBeLessThanOrEqual(Date.now());
		expect(json.meteringRecordId).toEqual(expect.any(String));
		expect(json.clientToken).toMatch(/^[\w-]{43}$/);
		expect(sent()[0]).toMatchObject({ ClientToken: json.clientToken, Timestamp: timestamp / 1000 });
	});

	it('sends the same token when n8n runs the same item again, so AWS bills it once; other usage in the hour is billed too', async () => {
		const at = new Date(Date.now() - 10 * 60_000 + 7).toISOString();
		const items = [
			{ at, quantity: 3 },
			{ at, quantity: 4 },
		];
		const parameters = { timestamp: '={{ $json.at }}', usageQuantity: '={{ $json.quantity }}' };
		const first = (await report(parameters, items)).outputs[0].map((item) => item.json);
		const retried = (await report(parameters, items)).outputs[0].map((item) => item.json);
		expect(retried.map((json) => json.clientToken)).toEqual(first.map((json) => json.clientToken));
		expect(retried.map((json) => json.meteringRecordId)).toEqual(first.map((json) => json.meteringRecordId));
		expect(first[0].clientToken).not.toBe(first[1].clientToken);
		expect(first[0].timestamp).toBe(at);
		expect(emulator().stats().meteredQuantity({ product: 'prod-agent', dimension: 'calls' })).toBe(7);
	});

	it('keeps the derived token when the timestamp is left at now: a re-executed item is not billed again', async () => {
		const items = [{ requestId: 'r-1' }, { requestId: 'r-2' }];
		const first = (await report({}, items)).outputs[0].map((item) => item.json);
		await new Promise((resolve) => setTimeout(resolve, 5));
		const retried = (await report({}, items)).outputs[0].map((item) => item.json);
		expect(retried.map((json) => json.clientToken)).toEqual(first.map((json) => json.clientToken));
		expect(first[0].clientToken).not.toBe(first[1].clientToken);
		expect(retried.map((json) => [json.alreadyReported, json.meteringRecordId])).toEqual([
			[true, null],
			[true, null],
		]);
		expect(retried[0].note).toMatch(/^Not metered again: AWS holds a report of this same item from an earlier run/);
		expect(emulator().stats().meteredQuantity({ product: 'prod-agent', dimension: 'calls' })).toBe(6);
	});

	it('passes on a conflict of a token the user gave: that is the user’s to resolve', async () => {
		await report({ options: { clientToken: 'event-7' } });
		const { outputs } = await report({ options: { clientToken: 'event-7' }, usageQuantity: 5 });
		expect(outputs[1].map((item) => item.json.error)).toEqual([expect.stringMatching(/Client ?Token/i)]);
	});

	it('sends the Client Token the user gives instead', async () => {
		const json = (await report({ options: { clientToken: 'event-42' } })).outputs[0][0].json;
		expect(json.clientToken).toBe('event-42');
		expect(sent()[0].ClientToken).toBe('event-42');
	});
});

describe('Meter Usage in a Region where AWS disabled it', () => {
	const emulator = useEmulator({ disabledOperations: ['MeterUsage'], credentials: [DEFAULT_TEST_CREDENTIAL] });

	it('says to use the Region AWS enabled for the product, and never another one for an hour already sent', async () => {
		const { error } = await runNode({
			parameters: { operation: 'meterUsage', productCode: 'prod-ami', usageDimension: 'vcpu-hours' },
			credentials: emulatorCredential(emulator()),
		});
		expect(error?.message).toBe('The Metering API is disabled in this Region');
		expect(error?.description).toMatch(/Region AWS enabled for your product.*never resend an hour already metered through another Region/);
		expect(error?.description).not.toContain('us-east-1');
	});
});

describe('Version 2: each operation’s fields have their own names', () => {
	const emulator = useEmulator({ products: [{ productCode: 'prod-ami', dimensions: ['vcpu-hours'], type: 'ami' }] });
	const properties = new AwsMarketplaceMetering().description.properties;
	const shown = (name: string, operation: string, version: number) =>
		properties.filter((property) => property.name === name && property.displayOptions?.show?.operation?.includes(operation) && property.displayOptions.show['@version']?.includes(version));

	it('names Meter Usage’s and Register Usage’s product code apart from Batch Meter Usage’s item field', () => {
		expect(shown('meterUsageProductCode', 'meterUsage', 2)).toHaveLength(1);
		expect(shown('registerUsageProductCode', 'registerUsage', 2)).toHaveLength(1);
		expect(shown('meterUsageTimestamp', 'meterUsage', 2)).toHaveLength(2);
		// Saved version 1 nodes keep the shared names.
		expect(shown('productCode', 'meterUsage', 1)).toHaveLength(1);
		expect(shown('timestamp', 'meterUsage', 1)).toHaveLength(2);
		expect(properties.find((property) => property.name === 'productCode' && property.displayOptions?.show?.operation?.includes('batchMeterUsage'))?.default).toBe('={{ $json.productCode }}');
	});

	it('meters with the version 2 names', async () => {
		const hourStart = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
		const { outputs } = await runNode({
			parameters: { operation: 'meterUsage', meterUsageProductCode: 'prod-ami', usageDimension: 'vcpu-hours', usageQuantity: 2, meterUsageTimestamp: new Date(hourStart + 60_000).toISOString() },
			credentials: emulatorCredential(emulator()),
			typeVersion: 2,
		});
		expect(outputs[0][0].json).toMatchObject({ productCode: 'prod-ami', timestamp: new Date(hourStart).toISOString() });
	});
});

describe('The node’s subtitle', () => {
	it('names the operation as the nodes panel does, for every operation', () => {
		const { subtitle, properties } = new AwsMarketplaceMetering().description;
		const operations = properties.find((property) => property.name === 'operation')!.options as { name: string; value: string }[];
		for (const { name, value } of operations) expect(subtitle).toContain(`${value}: "${name}"`);
	});
});
