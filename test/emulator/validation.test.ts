import { BatchMeterUsageCommand, MeterUsageCommand, RegisterUsageCommand, type UsageRecord } from '@aws-sdk/client-marketplace-metering';

import { meteringClient, sendSigned, useEmulator } from '../helpers/emulator';

const HOUR = 3600_000;
const now = () => new Date(Math.floor(Date.now() / HOUR) * HOUR);
const record = (overrides: Record<string, unknown> = {}) =>
	({ Timestamp: now(), CustomerAWSAccountId: '111122223333', Dimension: 'requests', Quantity: 1, ...overrides }) as UsageRecord;

describe('model validation', () => {
	const emulator = useEmulator();
	beforeEach(() => emulator().reset());
	const client = () => meteringClient(emulator());
	const lastEntry = () => emulator().log[emulator().log.length - 1];

	it('answers ValidationException in AWS’s words, with the member path, and logs the violations', async () => {
		const sent = client().send(new BatchMeterUsageCommand({ ProductCode: 'prod', UsageRecords: [record(), record({ Quantity: -1 })] }));
		await expect(sent).rejects.toMatchObject({
			name: 'ValidationException',
			message: "1 validation error detected: Value '-1' at 'usageRecords.2.member.quantity' failed to satisfy constraint: Member must have value greater than or equal to 0",
		});
		expect(lastEntry()).toMatchObject({ operation: 'BatchMeterUsage', httpStatus: 400, errorType: 'ValidationException', records: 2 });
		expect(lastEntry().validationErrors).toHaveLength(1);
	});

	it('lists every violation of every field', async () => {
		const bad = record({
			CustomerAWSAccountId: '12a',
			Dimension: '',
			LicenseArn: 'arn:aws:license-manager:l-1',
			CustomerIdentifier: 'x'.repeat(256),
			UsageAllocations: [{ AllocatedUsageQuantity: 1, Tags: [{ Key: 'k~', Value: 'v' }, { Key: 'a', Value: 'b'.repeat(257) }] }],
		});
		const tooMany = Array.from({ length: 26 }, () => record());
		await expect(client().send(new BatchMeterUsageCommand({ ProductCode: 'bad code!', UsageRecords: [bad, ...tooMany] }))).rejects.toMatchObject({
			name: 'ValidationException',
		});
		expect(lastEntry().validationErrors).toEqual([
			expect.stringMatching(/^Value '\[.*' at 'usageRecords' failed to satisfy constraint: Member must have length less than or equal to 25$/),
			`Value '${'x'.repeat(256)}' at 'usageRecords.1.member.customerIdentifier' failed to satisfy constraint: Member must have length less than or equal to 255`,
			"Value '' at 'usageRecords.1.member.dimension' failed to satisfy constraint: Member must have length greater than or equal to 1",
			"Value '' at 'usageRecords.1.member.dimension' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\s\\S]+",
			"Value 'k~' at 'usageRecords.1.member.usageAllocations.1.member.tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9+ -=._:\\/@]+$",
			`Value '${'b'.repeat(257)}' at 'usageRecords.1.member.usageAllocations.1.member.tags.2.member.value' failed to satisfy constraint: Member must have length less than or equal to 256`,
			"Value '12a' at 'usageRecords.1.member.customerAWSAccountId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9]+$",
			expect.stringMatching(/^Value 'arn:aws:license-manager:l-1' at 'usageRecords.1.member.licenseArn' failed to satisfy constraint: Member must satisfy regular expression pattern: \^arn:aws/),
			"Value 'bad code!' at 'productCode' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[-a-zA-Z0-9/=:_.@]*$",
		]);
	});

	it('checks required members, allocation and tag counts, client token, nonce and key version bounds', async () => {
		const tags = Array.from({ length: 6 }, (_, n) => ({ Key: `k${n}`, Value: 'v' }));
		await expect(
			client().send(new MeterUsageCommand({ ProductCode: 'p', UsageDimension: 'd', Timestamp: now(), ClientToken: 'x'.repeat(65), UsageAllocations: [{ AllocatedUsageQuantity: 0, Tags: tags }] })),
		).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/^2 validation errors detected: /) });
		expect(lastEntry().validationErrors).toEqual([
			expect.stringMatching(/at 'usageAllocations.1.member.tags' failed to satisfy constraint: Member must have length less than or equal to 5$/),
			expect.stringMatching(/at 'clientToken' failed to satisfy constraint: Member must have length less than or equal to 64$/),
		]);
		await expect(client().send(new MeterUsageCommand({ ProductCode: 'p', UsageDimension: 'd', Timestamp: now(), UsageAllocations: [] }))).rejects.toMatchObject({
			name: 'ValidationException',
			message: expect.stringContaining("at 'usageAllocations' failed to satisfy constraint: Member must have length greater than or equal to 1"),
		});
		await expect(client().send(new RegisterUsageCommand({ ProductCode: 'p', PublicKeyVersion: 0, Nonce: 'n'.repeat(256) }))).rejects.toMatchObject({
			name: 'ValidationException',
			message: expect.stringMatching(/^2 validation errors detected: Value '0' at 'publicKeyVersion' .*greater than or equal to 1; Value 'n+' at 'nonce' .*less than or equal to 255$/),
		});

		const missing = await sendSigned(emulator(), { operation: 'MeterUsage', body: JSON.stringify({ ProductCode: 'p' }) });
		expect(missing.status).toBe(400);
		expect(missing.json()).toEqual({
			__type: 'ValidationException',
			message:
				"2 validation errors detected: Value null at 'timestamp' failed to satisfy constraint: Member must not be null; Value null at 'usageDimension' failed to satisfy constraint: Member must not be null",
		});
	});

	it('answers SerializationException for JSON of the wrong type or shape', async () => {
		const send = (operation: string, body: unknown) => sendSigned(emulator(), { operation, body: typeof body === 'string' ? body : JSON.stringify(body) });
		const cases: [string, unknown, string][] = [
			['BatchMeterUsage', { UsageRecords: [{ ...record(), Timestamp: now().getTime() / 1000, Quantity: 2.5 }] }, "VALUE_NUMBER at 'usageRecords.1.member.quantity' can not be converted to an Integer"],
			['BatchMeterUsage', { UsageRecords: [{ ...record(), Timestamp: '2024-01-01T00:00:00Z' }] }, "VALUE_STRING at 'usageRecords.1.member.timestamp' can not be converted to a Timestamp"],
			['BatchMeterUsage', { UsageRecords: { a: 1 } }, "START_OBJECT at 'usageRecords' can not be converted to a List"],
			['MeterUsage', { ProductCode: 'p', UsageDimension: 'd', Timestamp: 1, UsageQuantity: 2147483648 }, "VALUE_NUMBER at 'usageQuantity' can not be converted to an Integer"],
			['MeterUsage', { ProductCode: 7, UsageDimension: 'd', Timestamp: 1, DryRun: 'yes' }, "VALUE_NUMBER at 'productCode' can not be converted to a String"],
			['ResolveCustomer', '{not json', 'The request body is not valid JSON.'],
		];
		for (const [operation, body, message] of cases) {
			const answer = await send(operation, body);
			expect([answer.status, answer.json()]).toEqual([400, { __type: 'SerializationException', message }]);
			expect(lastEntry().validationErrors).toContain(message.replace(/\.$/, ''));
		}
	});

	it('accepts fractional epoch seconds and the largest quantity', async () => {
		const answer = await sendSigned(emulator(), {
			operation: 'BatchMeterUsage',
			body: JSON.stringify({ UsageRecords: [{ ...record(), Timestamp: Date.now() / 1000 - 0.5, Quantity: 2147483647, LicenseArn: 'arn:aws:license-manager::123456789012:license:l-1' }] }),
		});
		expect(answer.status).toBe(200);
		expect((answer.json() as { Results: { Status: string }[] }).Results[0].Status).toBe('Success');
	});

	it('rejects a body over 1 MB with 413 and logs it', async () => {
		const records = Array.from({ length: 25 }, () => ({
			...record(),
			Timestamp: Date.now() / 1000,
			UsageAllocations: Array.from({ length: 2500 }, (_, n) => ({ AllocatedUsageQuantity: 0, Tags: [{ Key: 'allocation', Value: `bucket-${n}` }] })),
		}));
		const answer = await sendSigned(emulator(), { operation: 'BatchMeterUsage', body: JSON.stringify({ UsageRecords: records }) });
		expect(answer.status).toBe(413);
		expect(answer.json()).toMatchObject({ __type: 'RequestEntityTooLargeException' });
		expect(lastEntry()).toMatchObject({ operation: 'BatchMeterUsage', httpStatus: 413, errorType: 'RequestEntityTooLargeException' });
		expect(lastEntry().validationErrors![0]).toMatch(/exceeds the limit of 1048576 bytes/);
	});
});
