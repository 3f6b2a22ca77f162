import { BatchMeterUsageCommand, ResolveCustomerCommand } from '@aws-sdk/client-marketplace-metering';

import { meteringClient, sendSigned, useEmulator } from '../helpers/emulator';

const HOUR = 3600_000;
const LICENSE = 'arn:aws:license-manager::123456789012:license:l-00000000000000000000000000000001';

describe('emulator server', () => {
	const emulator = useEmulator({ registrationTokens: [{ token: 'token-1', customerAWSAccountId: '111122223333', productCode: 'prod' }] });
	beforeEach(() => {
		emulator().reset();
		emulator().setFaults({});
	});
	const admin = (path: string, init?: RequestInit) => fetch(`${emulator().url}/_emulator/${path}`, init);
	const meter = (quantity: number, dimension = 'requests') =>
		meteringClient(emulator()).send(
			new BatchMeterUsageCommand({
				UsageRecords: [{ Timestamp: new Date(Math.floor(Date.now() / HOUR) * HOUR), CustomerAWSAccountId: '111122223333', LicenseArn: LICENSE, Dimension: dimension, Quantity: quantity }],
			}),
		);

	it('logs every request in arrival order and counts outcomes per operation', async () => {
		await meteringClient(emulator()).send(new ResolveCustomerCommand({ RegistrationToken: 'token-1' }));
		await meter(3);
		await meter(4);
		expect(emulator().log.map((entry) => [entry.operation, entry.httpStatus])).toEqual([
			['ResolveCustomer', 200],
			['BatchMeterUsage', 200],
			['BatchMeterUsage', 200],
		]);
		expect(emulator().log[1]).toMatchObject({ time: expect.stringMatching(/Z$/), records: 1, unprocessed: 0, body: { UsageRecords: [{ Quantity: 3 }] } });
		const stats = emulator().stats();
		expect(stats.requests).toEqual({ ResolveCustomer: { 200: 1 }, BatchMeterUsage: { 200: 2 } });
		expect(stats.meteredQuantity({ product: LICENSE, customer: '111122223333', dimension: 'requests' })).toBe(3);
		expect(stats.meteredQuantity({ dimension: 'other' })).toBe(0);
	});

	it('answers UnknownOperationException for targets and methods it does not serve', async () => {
		const unknown = await sendSigned(emulator(), { operation: 'DescribeEverything', body: '{}' });
		expect([unknown.status, unknown.json()]).toEqual([400, { __type: 'UnknownOperationException', message: expect.stringContaining('AWSMPMeteringService.DescribeEverything') }]);
		expect((await fetch(`${emulator().url}/`)).status).toBe(400);
		expect(emulator().log.map((entry) => [entry.operation, entry.errorType])).toEqual([
			['DescribeEverything', 'UnknownOperationException'],
			['Unknown', 'UnknownOperationException'],
		]);
	});

	it('serves log, stats, public key, reset and faults to other processes without a signature', async () => {
		await meter(5);
		expect(await (await admin('log')).json()).toMatchObject([{ operation: 'BatchMeterUsage', httpStatus: 200 }]);
		const stats = (await (await admin('stats')).json()) as { requests: unknown; billed: Record<string, { quantity: number }> };
		expect(stats.requests).toEqual({ BatchMeterUsage: { 200: 1 } });
		expect(Object.values(stats.billed)).toEqual([{ quantity: 5, meteringRecordId: expect.any(String) }]);
		expect(await (await admin('public-key')).text()).toBe(emulator().publicKeyPem);

		const faults = await admin('faults', { method: 'POST', body: JSON.stringify({ throttleRate: 1 }) });
		expect(await faults.json()).toEqual({ throttleRate: 1 });
		await expect(meter(5)).rejects.toMatchObject({ name: 'ThrottlingException' });
		expect((await admin('faults', { method: 'POST', body: '[1]' })).status).toBe(400);
		await admin('faults', { method: 'POST', body: '{}' });

		expect((await admin('reset', { method: 'POST' })).status).toBe(204);
		expect(emulator().log).toEqual([]);
		expect(emulator().stats().billed).toEqual({});
		// The billing store is cleared: another quantity for the same hour is billed anew.
		expect((await meter(6)).Results![0].Status).toBe('Success');
		expect((await admin('nothing')).status).toBe(404);
		expect(emulator().log).toHaveLength(1);
	});
});

describe('emulator clock', () => {
	const fixed = new Date('2030-03-02T12:30:00Z');
	const emulator = useEmulator({ now: () => fixed });

	it('judges timestamps and logs by its own clock, signatures by the system clock', async () => {
		const answer = await meteringClient(emulator()).send(
			new BatchMeterUsageCommand({
				UsageRecords: [{ Timestamp: new Date('2030-03-01T13:00:00Z'), CustomerAWSAccountId: '1', LicenseArn: LICENSE, Dimension: 'd', Quantity: 1 }],
			}),
		);
		expect(answer.Results![0].Status).toBe('Success');
		expect(emulator().log[0].time).toBe(fixed.toISOString());
		expect(Object.keys(emulator().stats().billed)).toEqual([`${LICENSE}|1|d|2030-03-01T13:00:00.000Z`]);
	});
});
