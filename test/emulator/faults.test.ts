import { request } from 'node:http';

import {
	BatchMeterUsageCommand,
	InternalServiceErrorException,
	MarketplaceMeteringClient,
	ResolveCustomerCommand,
	ThrottlingException,
	type UsageRecord,
} from '@aws-sdk/client-marketplace-metering';

import { DEFAULT_TEST_CREDENTIAL } from '../../emulator';
import { meteringClient, sendSigned, useEmulator, withEmulator } from '../helpers/emulator';

const HOUR = 3600_000;
const lastHour = () => new Date(Math.floor(Date.now() / HOUR) * HOUR - HOUR);
const records = (count: number): UsageRecord[] =>
	Array.from({ length: count }, (_, n) => ({
		Timestamp: lastHour(),
		CustomerAWSAccountId: String(100000000000 + n),
		LicenseArn: `arn:aws:license-manager::123456789012:license:l-${String(n).padStart(32, '0')}`,
		Dimension: 'requests',
		Quantity: n + 1,
	}));

const outcome = (promise: Promise<unknown>) =>
	promise.then(
		() => 'ok',
		(error: Error) => error.name,
	);

describe('fault injection', () => {
	const emulator = useEmulator({ seed: 42 });
	beforeEach(() => {
		emulator().reset();
		emulator().setFaults({});
	});
	const client = () => meteringClient(emulator());
	const resolve = () => meteringClient(emulator()).send(new ResolveCustomerCommand({ RegistrationToken: 'token' }));

	it('throttles a seeded fraction of requests, the same ones again after a reset', async () => {
		emulator().setFaults({ throttleRate: 0.5 });
		const run = async () => {
			const outcomes: string[] = [];
			for (let n = 0; n < 40; n++) outcomes.push(await outcome(resolve()));
			return outcomes;
		};
		const first = await run();
		expect(first.filter((name) => name === 'ThrottlingException').length).toBeGreaterThan(8);
		expect(first.filter((name) => name === 'InvalidTokenException').length).toBeGreaterThan(8);
		expect(emulator().stats().requests.ResolveCustomer.ThrottlingException).toBe(first.filter((name) => name === 'ThrottlingException').length);
		emulator().reset();
		expect(await run()).toEqual(first);
		emulator().setFaults({ throttleRate: 1 });
		await expect(resolve()).rejects.toBeInstanceOf(ThrottlingException);
	});

	it('enforces a per-operation quota over a sliding second', async () => {
		emulator().setFaults({ quotaPerSecond: 5 });
		const burst = await Promise.all(Array.from({ length: 12 }, () => outcome(resolve())));
		expect(burst.filter((name) => name === 'ThrottlingException')).toHaveLength(7);
		// Another operation has its own quota.
		expect(await outcome(client().send(new BatchMeterUsageCommand({ UsageRecords: [] })))).toBe('ok');
		await new Promise((resolveTimer) => setTimeout(resolveTimer, 1100));
		expect(await outcome(resolve())).toBe('InvalidTokenException');
	});

	it('answers InternalServiceErrorException (500) at the server error rate', async () => {
		emulator().setFaults({ serverErrorRate: 1 });
		const failure = resolve();
		await expect(failure).rejects.toBeInstanceOf(InternalServiceErrorException);
		await expect(failure).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
	});

	it('returns a fraction of records unprocessed and meters only the processed ones', async () => {
		emulator().setFaults({ unprocessedRate: 0.4 });
		const sent = records(25);
		const answer = await client().send(new BatchMeterUsageCommand({ UsageRecords: sent }));
		const unprocessed = answer.UnprocessedRecords!;
		expect(unprocessed.length).toBeGreaterThan(2);
		expect(answer.Results!.length + unprocessed.length).toBe(25);
		expect(emulator().log[0]).toMatchObject({ records: 25, unprocessed: unprocessed.length });
		const billed = emulator().stats().meteredQuantity();
		expect(billed).toBe(answer.Results!.reduce((sum, result) => sum + result.UsageRecord!.Quantity!, 0));

		emulator().setFaults({});
		const retry = await client().send(new BatchMeterUsageCommand({ UsageRecords: unprocessed }));
		expect(retry.Results!.every((result) => result.Status === 'Success')).toBe(true);
		expect(emulator().stats().meteredQuantity()).toBe((25 * 26) / 2);
	});

	it('drops the connection after processing: the answer is lost, the usage is billed', async () => {
		emulator().setFaults({ dropRate: 1 });
		await expect(client().send(new BatchMeterUsageCommand({ UsageRecords: records(3) }))).rejects.toThrow();
		expect(emulator().log[0]).toMatchObject({ operation: 'BatchMeterUsage', httpStatus: 0, errorType: 'Dropped' });
		expect(emulator().stats().requests.BatchMeterUsage).toEqual({ Dropped: 1 });
		expect(emulator().stats().meteredQuantity()).toBe(6);
	});

	it('adds latency to every metering answer', async () => {
		emulator().setFaults({ latencyMs: 300 });
		const started = Date.now();
		await expect(resolve()).rejects.toBeDefined();
		expect(Date.now() - started).toBeGreaterThanOrEqual(290);
	});

	it('spares STS and the admin endpoints', async () => {
		emulator().setFaults({ serverErrorRate: 1, throttleRate: 1 });
		const identity = await sendSigned(emulator(), { body: 'Action=GetCallerIdentity&Version=2011-06-15' });
		expect(identity.status).toBe(200);
		expect((await fetch(`${emulator().url}/_emulator/stats`)).status).toBe(200);
	});

	it('hangs requests without answering until the client gives up', async () => {
		emulator().setFaults({ hang: true });
		const impatient = new MarketplaceMeteringClient({
			endpoint: emulator().url,
			region: emulator().region,
			credentials: DEFAULT_TEST_CREDENTIAL,
			maxAttempts: 1,
			requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
		});
		const started = Date.now();
		await expect(impatient.send(new ResolveCustomerCommand({ RegistrationToken: 'token' }))).rejects.toThrow(/timed out|timeout/i);
		expect(Date.now() - started).toBeLessThan(5000);
		expect(emulator().log[0]).toMatchObject({ operation: 'ResolveCustomer', httpStatus: 0, errorType: 'Hung' });
	});
});

describe('stopping', () => {
	it('destroys hung connections instead of waiting for them', async () => {
		let hung: Promise<string> | undefined;
		const started = Date.now();
		await withEmulator({ faults: { hang: true } }, async (emulator) => {
			hung = new Promise<string>((resolveHung) => {
				const pending = request(`${emulator.url}/`, { method: 'POST', headers: { 'x-amz-target': 'AWSMPMeteringService.ResolveCustomer' } });
				pending.on('response', () => resolveHung('answered'));
				pending.on('error', (error) => resolveHung(error.message));
				pending.end('{}');
			});
			while (emulator.log.length === 0) await new Promise((resolveTimer) => setTimeout(resolveTimer, 10));
		});
		expect(await hung).toBe('socket hang up');
		expect(Date.now() - started).toBeLessThan(3000);
	});
});
