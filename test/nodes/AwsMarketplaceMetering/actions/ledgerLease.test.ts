import { LEASE_MS, RENEW_EVERY_MS } from '../../../../nodes/AwsMarketplaceMetering/batch';
import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';
import { useLedgerFolder } from '../../../helpers/ledger';
import { runNode, type NodeRun } from '../../../helpers/workflow';

// A run from the ledger that waits longer than its lease for AWS's answer keeps its keys: it renews the
// lease while it waits, so a run started meanwhile finds nothing to take over. Date and timeouts are
// fake (n8n's sleep, the SDK's request timeout, the emulator's answer delay), so minutes pass in seconds.

const HOUR = 3600_000;
const license = (n: number) => `arn:aws:license-manager::123456789012:license:l-${String(n).padStart(32, '0')}`;
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
