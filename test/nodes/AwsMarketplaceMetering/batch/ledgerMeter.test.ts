import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
	CLAIM_LIMIT,
	LEASE_MS,
	meterFromLedger,
	RENEW_EVERY_MS,
	type Every,
	type SendBatch,
	type UsageBatch,
} from '../../../../nodes/AwsMarketplaceMetering/batch';
import { openLedger, type LedgerUsageEvent, type MeteringLedger } from '../../../../nodes/shared/ledger';
import { openPgliteSession } from '../../../../nodes/shared/ledger/pglite';
import { SCHEMA, type SqlSession } from '../../../../nodes/shared/ledger/sql';
import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';
import { useLedgerFolder } from '../../../helpers/ledger';
import { runNode, type NodeRun } from '../../../helpers/workflow';
import { FakeClock, FakeMeteringService, onClock } from './fakeService';

// meterFromLedger on the embedded ledger against a fake BatchMeterUsage: how claims are packed into
// requests, and what a run does when its lease is gone. Then through Batch Meter Usage against the emulator:
// a run that waits longer than its lease renews it.

const HOUR = 3_600_000;
const MINUTE = 60_000;
const NOW = Date.parse('2026-11-22T21:07:00.000Z');
const license = (n: number) => `arn:aws:license-manager::123456789012:license:l-${String(n).padStart(32, '0')}`;
/** The start of the hour `hoursAgo` hours before NOW's. */
const hourStart = (hoursAgo: number) => new Date(Math.floor(NOW / HOUR) * HOUR - hoursAgo * HOUR);

/** One unit of usage: of prod-0 by license, of prod-1 by legacy customer identifier. */
function usage(product: 0 | 1, customer: number, hour: Date): LedgerUsageEvent {
	const common = { productCode: `prod-${product}`, dimension: 'requests', quantity: '1', timestamp: hour };
	return product === 0
		? { ...common, licenseArn: license(customer), customer: { CustomerAWSAccountId: String(100000000000 + customer) } }
		: { ...common, customer: { CustomerIdentifier: `legacy-${customer}` } };
}

describe('meterFromLedger', () => {
	let ledger: MeteringLedger;
	let raw: SqlSession;
	let clock: FakeClock;
	let timed: MeteringLedger;
	let service: FakeMeteringService;
	let folder: string;
	beforeAll(async () => {
		folder = mkdtempSync(join(tmpdir(), 'ledger-meter-'));
		ledger = await openLedger({ store: 'embedded', folder });
		raw = await openPgliteSession(folder, 30_000);
	}, 120_000);
	afterAll(async () => {
		await raw?.close();
		await ledger?.close();
		rmSync(folder, { recursive: true, force: true });
	});
	beforeEach(async () => {
		await raw.query(`TRUNCATE ${SCHEMA}.usage_event, ${SCHEMA}.usage_key, ${SCHEMA}.final_report RESTART IDENTITY`);
		clock = new FakeClock(NOW);
		timed = onClock(ledger, clock);
		service = new FakeMeteringService({ clock, random: () => 0.5 });
	});
	const options = (claimant: string) => ({ claimant, closeAfterMinutes: 10, now: clock.now, sleep: clock.sleep, every: clock.every, random: () => 0.5 });

	it('sends 2,500×k+n keys in as few requests as packing them all at once: ceil(keys / 25) per product, oldest hours first', async () => {
		// Six closed hours of one product each: each claim of 2,500 keys holds 1,255 of prod-0 and 1,245 of prod-1.
		const hours: [0 | 1, number][] = [[0, 1255], [1, 1245], [0, 1255], [1, 1245], [0, 20], [1, 20]];
		const events = hours.flatMap(([product, keys], index) => Array.from({ length: keys }, (_, n) => usage(product, n, hourStart(8 - index))));
		expect(events).toHaveLength(2 * CLAIM_LIMIT + 40);
		await ledger.recordEvents(events, { now: clock.now() });
		const claims: number[] = [];
		const counted: MeteringLedger = {
			...timed,
			claim: async (...args) => {
				const claim = await timed.claim(...args);
				claims.push(claim.claimed.length);
				return claim;
			},
		};

		const report = await meterFromLedger(counted, service.send, options('run'));

		expect(claims).toEqual([CLAIM_LIMIT, CLAIM_LIMIT, 40]);
		const requests = (product: string) => service.calls.filter((call) => call.batch.productCode === product);
		// 2,530 and 2,510 keys: 102 and 101 requests, where packing each claim on its own takes 103 and 101.
		expect(['prod-0', 'prod-1'].map((product) => requests(product).length)).toEqual([102, 101]);
		expect(report.requests).toBe(203);
		expect(report.keys).toHaveLength(events.length);
		expect(report.keys.every((outcome) => outcome.status === 'Success')).toBe(true);
		expect(service.billed.size).toBe(events.length);
		for (const product of ['prod-0', 'prod-1']) {
			const hours = requests(product).flatMap((call) => call.batch.records.map((record) => record.Timestamp.getTime()));
			expect(hours).toEqual([...hours].sort((a, b) => a - b));
		}
	});

	it('sends once a waiting key that was taken over, handed back to be re-driven, and claimed again', async () => {
		await ledger.recordEvents([usage(0, 0, hourStart(3)), ...[1, 2, 3, 4].map((customer) => usage(0, customer, hourStart(2)))], { now: clock.now() });
		let claims = 0;
		const interrupted: MeteringLedger = {
			...timed,
			claim: async (claimOptions, build) => {
				if (++claims === 2) {
					// Paused past the lease between two claims: another run takes the oldest key over and gives it back.
					clock.time += LEASE_MS + 1000;
					const [key] = (await timed.claim({ ...claimOptions, now: clock.now(), claimant: 'other', limit: 1 }, build)).claimed;
					await timed.settle('other', [{ keyId: key.keyId, outcome: 'retry', error: 'Throttled' }], { now: clock.now() });
				}
				return await timed.claim({ ...claimOptions, now: clock.now() }, build);
			},
		};

		// Claims of 3 keys hold less than a request: the first claim's keys wait for the next claims'.
		const report = await meterFromLedger(interrupted, service.send, { ...options('run'), claimLimit: 3 });

		expect(service.calls.map((call) => call.batch.records.length)).toEqual([5]);
		expect(report.keys.map((outcome) => [outcome.key.keyId, outcome.status])).toEqual([1, 2, 3, 4, 5].map((keyId) => [keyId, 'Success']));
		expect((await ledger.report()).map((row) => [row.keyId, row.state, row.attempts])).toEqual([
			[1, 'billed', 3],
			[2, 'billed', 1],
			[3, 'billed', 1],
			[4, 'billed', 1],
			[5, 'billed', 1],
		]);
	});

	it('sends no more the keys a renewal finds taken over (the run was paused past its lease), and reports them without settling them', async () => {
		await ledger.recordEvents([0, 1, 2].map((customer) => usage(0, customer, hourStart(2))), { now: clock.now() });
		// Paused: the run's renewals do not happen, and its first request comes back unprocessed after three minutes.
		let paused = true;
		const every: Every = (ms, tick) => clock.every(ms, () => (paused ? undefined : tick()));
		const resent: UsageBatch[] = [];
		let first = true;
		const send: SendBatch = async (batch) => {
			if (!first) {
				resent.push(batch);
				return await service.send(batch);
			}
			first = false;
			await clock.sleep(LEASE_MS + MINUTE);
			return { results: [], unprocessed: batch.records };
		};
		const settled: number[] = [];
		const watched: MeteringLedger = {
			...timed,
			settle: async (claimant, outcomes, settleOptions) => {
				settled.push(...outcomes.map((outcome) => outcome.keyId));
				return await timed.settle(claimant, outcomes, settleOptions);
			},
		};

		const [paused_, next] = await Promise.all([
			meterFromLedger(watched, send, { ...options('paused'), every }),
			clock.sleep(LEASE_MS + 1000).then(async () => {
				const report = await meterFromLedger(timed, service.send, options('next'));
				paused = false;
				return report;
			}),
		]);

		expect(next.keys.map((outcome) => outcome.status)).toEqual(['Success', 'Success', 'Success']);
		expect(resent).toEqual([]);
		expect(settled).toEqual([]);
		expect(paused_.keys.map((outcome) => [outcome.status, outcome.error?.code])).toEqual([
			['Failed', 'LeaseLost'],
			['Failed', 'LeaseLost'],
			['Failed', 'LeaseLost'],
		]);
		expect(paused_.keys[0].error?.message).toMatch(/^Not settled by this run\. Another run took this usage record over: this run had not renewed its claim for 2 minutes/);
		const rows = await ledger.report();
		expect(rows.map((row) => [row.state, row.attempts])).toEqual([
			['billed', 2],
			['billed', 2],
			['billed', 2],
		]);
	});

	it('reports what AWS answered for a key found taken over at its settlement, with a note; the ledger keeps the other run\'s answer', async () => {
		await ledger.recordEvents([usage(0, 0, hourStart(2))], { now: clock.now() });
		const slow = (ms: number): SendBatch => async (batch) => {
			await clock.sleep(ms);
			return await service.send(batch);
		};
		const [paused, next] = await Promise.all([
			meterFromLedger(timed, slow(LEASE_MS + MINUTE), { ...options('paused'), every: () => () => undefined }),
			clock.sleep(LEASE_MS + 1000).then(() => meterFromLedger(timed, slow(5 * MINUTE), options('next'))),
		]);

		expect(paused.keys).toEqual([expect.objectContaining({ status: 'Success', meteringRecordId: 'mr-1', note: expect.stringMatching(/^Another run took this usage record over/) })]);
		expect(next.keys).toEqual([expect.objectContaining({ status: 'Success', meteringRecordId: 'mr-1' })]);
		expect(next.keys[0].note).toBeUndefined();
		expect(await ledger.report()).toEqual([expect.objectContaining({ state: 'billed', meteringRecordId: 'mr-1', attempts: 2 })]);
	});

	it('stops renewing when the run ends, and when it fails', async () => {
		await ledger.recordEvents([usage(0, 0, hourStart(2))], { now: clock.now() });
		const stops = jest.fn();
		const every: Every = (ms, tick) => {
			const stop = clock.every(ms, tick);
			return () => {
				stops();
				stop();
			};
		};
		await meterFromLedger(timed, service.send, { ...options('ends'), every });
		expect(stops).toHaveBeenCalledTimes(1);

		await ledger.recordEvents([usage(0, 1, hourStart(2))], { now: clock.now() });
		const failing: MeteringLedger = { ...timed, settle: () => Promise.reject(new Error('the ledger is gone')) };
		await expect(meterFromLedger(failing, service.send, { ...options('fails'), every })).rejects.toThrow('the ledger is gone');
		expect(stops).toHaveBeenCalledTimes(2);
	});
});

// A run from the ledger that waits longer than its lease for AWS's answer keeps its keys: it renews the
// lease while it waits, so a run started meanwhile finds nothing to take over. Date and timeouts are
// fake (n8n's sleep, the SDK's request timeout, the emulator's answer delay), so minutes pass in seconds.

// Taken before the timers are faked: the real time n8n, PGlite and the sockets need between fake steps.
const realSetTimeout = setTimeout;
const realPause = (ms: number) => new Promise((resolve) => realSetTimeout(resolve, ms));

/** Moves fake time on by `stepMs` at a time, with a real pause after each step, until `done()`. */
async function advanceUntil(done: () => boolean, stepMs: number, pauseMs = 20): Promise<void> {
	for (let steps = 0; !done(); steps++) {
		if (steps > 10_000) throw new Error('Fake time ran on without the run getting there');
		await jest.advanceTimersByTimeAsync(stepMs);
		await realPause(pauseMs);
	}
}

function tracked(promise: Promise<NodeRun>): { promise: Promise<NodeRun>; done: () => boolean } {
	let settled = false;
	void promise.finally(() => (settled = true)).catch(() => undefined);
	return { promise, done: () => settled };
}

describe('Batch Meter Usage from the ledger, waiting longer than the lease', () => {
	const emulator = useEmulator();
	useLedgerFolder();
	afterEach(() => jest.useRealTimers());

	const run = (operation: string, items: Record<string, unknown>[], parameters: Record<string, unknown> = {}) =>
		runNode({
			parameters: { operation, ledger: 'embedded', closeAfterMinutes: 0, ...parameters },
			credentials: emulatorCredential(emulator()),
			items,
		});
	const batchRequests = () => emulator().log.filter((entry) => entry.operation === 'BatchMeterUsage');

	it('keeps its keys: a run started after the lease would have lapsed takes none over, and each key is sent once', async () => {
		const hour = new Date(Math.floor(Date.now() / HOUR) * HOUR - HOUR).toISOString();
		const items = Array.from({ length: 10 }, (_, n) => ({ productCode: 'prod-lease', customerAWSAccountId: '123456789012', licenseArn: license(n), dimension: 'requests', quantity: n + 1, timestamp: hour }));
		expect((await run('recordUsage', items)).outputs[0].map((item) => item.json.status)).toEqual(items.map(() => 'Recorded'));

		// AWS answers the slow run after twice the lease.
		emulator().setFaults({ latencyMs: 2 * LEASE_MS });
		jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask', 'hrtime', 'performance'], advanceTimers: false });
		const startedAt = Date.now();
		const slow = tracked(run('batchMeterUsage', [{}], { source: 'ledger', options: { requestTimeoutSeconds: 600, maxAttempts: 1 } }));
		await advanceUntil(() => batchRequests().length === 1, 10);
		expect(batchRequests()[0].records).toBe(10);

		// Past the lease a run that did not renew it would have had: another run starts, answered at once.
		await advanceUntil(() => Date.now() - startedAt >= LEASE_MS + RENEW_EVERY_MS, 1_000);
		emulator().setFaults({});
		const meanwhile = tracked(run('batchMeterUsage', [{}], { source: 'ledger' }));
		await advanceUntil(meanwhile.done, 10);
		expect((await meanwhile.promise).outputs[0]).toEqual([]);
		expect(slow.done()).toBe(false);

		await advanceUntil(slow.done, 1_000);
		const { outputs, error } = await slow.promise;
		expect(error).toBeUndefined();
		expect(Date.now() - startedAt).toBeGreaterThan(2 * LEASE_MS);
		expect(outputs[0].map((item) => item.json.status)).toEqual(items.map(() => 'Success'));
		expect(batchRequests()).toHaveLength(1);
		jest.useRealTimers();

		const report = await run('getMeteringReport', [{}], { filters: { productCode: 'prod-lease' } });
		expect(report.outputs[0].map((item) => [item.json.state, item.json.attempts])).toEqual(items.map(() => ['billed', 1]));
		expect(emulator().stats().meteredQuantity()).toBe(55);
	}, 120_000);
});
