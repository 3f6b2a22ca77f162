import type { Emulator } from '../../emulator';
import { emulatorCredential } from '../helpers/credentials';
import { useEmulator } from '../helpers/emulator';
import { usageEvents } from '../helpers/usage';
import { runNode } from '../helpers/workflow';

// A flaky network and a throttling service, for thousands of usage events: every item comes out
// once, AWS bills exactly the sum of the inputs per key, and a rerun bills nothing more.
describe('reliability: faults', () => {
	const emulator = useEmulator({ seed: 7 });

	const options = { maxRequestsPerSecond: 100, concurrency: 10, unprocessedRetries: 12, maxAttempts: 10, requestTimeoutSeconds: 5 };
	const meter = (items: Record<string, unknown>[]) =>
		runNode({
			parameters: { operation: 'batchMeterUsage', options },
			credentials: emulatorCredential(emulator()),
			items,
			onError: 'continueErrorOutput',
		});

	it('meters every event exactly once through throttling, 5xx, dropped connections and unprocessed records', async () => {
		emulator().reset();
		emulator().setFaults({ throttleRate: 0.3, serverErrorRate: 0.1, dropRate: 0.05, unprocessedRate: 0.2 });
		const events = usageEvents({ count: 3000, customers: 120, seed: 1 });

		const first = await meter(events);
		const [metered, failed] = first.outputs;
		expect(failed).toEqual([]);
		expect(metered.map((item) => item.pairedItem)).toEqual(events.map((_, item) => ({ item })));
		expect(new Set(metered.map((item) => item.json.status))).toEqual(new Set(['Success']));

		const expected = expectedBilling(events);
		expect(billedQuantities(emulator())).toEqual(expected);
		const faultsSeen = emulator().stats().requests.BatchMeterUsage;
		expect(Object.keys(faultsSeen)).toEqual(expect.arrayContaining(['ThrottlingException', 'InternalServiceErrorException']));

		// The same workflow again: the same records, answered with the same IDs, nothing billed twice.
		const ids = metered.map((item) => item.json.meteringRecordId);
		const second = await meter(events);
		expect(second.outputs[1]).toEqual([]);
		expect(second.outputs[0].map((item) => item.json.meteringRecordId)).toEqual(ids);
		expect(billedQuantities(emulator())).toEqual(expected);
		// Two runs of 3,000 events through the SDK's backoff and the node's resends: about 40 s alone, more beside other suites.
	}, 180_000);

	it('ends a hung endpoint with a timeout error instead of hanging the workflow', async () => {
		emulator().reset();
		emulator().setFaults({ hang: true });
		const started = Date.now();
		const { outputs } = await runNode({
			parameters: { operation: 'batchMeterUsage', options: { requestTimeoutSeconds: 1, maxAttempts: 2 } },
			credentials: emulatorCredential(emulator()),
			items: usageEvents({ count: 3, customers: 3, seed: 2 }),
			onError: 'continueErrorOutput',
		});
		emulator().setFaults({});
		expect(outputs[0]).toEqual([]);
		expect(outputs[1].map((item) => (item.json.details as { status: string }).status)).toEqual(['Failed', 'Failed', 'Failed']);
		expect(String(outputs[1][0].json.error)).toMatch(/timed out/i);
		expect(Date.now() - started).toBeLessThan(30_000);
	});
});

function expectedBilling(events: Record<string, unknown>[]): Record<string, number> {
	const sums: Record<string, number> = {};
	for (const event of events) {
		const hour = new Date(Math.floor(Date.parse(String(event.timestamp)) / 3600_000) * 3600_000).toISOString();
		const key = `${String(event.licenseArn)}|${String(event.customerAWSAccountId)}|${String(event.dimension)}|${hour}`;
		sums[key] = (sums[key] ?? 0) + Number(event.quantity);
	}
	return sums;
}

function billedQuantities(emulator: Emulator): Record<string, number> {
	return Object.fromEntries(Object.entries(emulator.stats().billed).map(([key, { quantity }]) => [key, quantity]));
}
