// The metering ledger examples on real n8n: usage events keep arriving at the ingest webhook (n8n's server)
// between hourly runs (`n8n execute`, another process: both take turns on the embedded ledger's folder), some of
// them late, some duplicated; one hourly run is killed with SIGKILL in the middle of sending; a license's final
// usage is sent at cancellation. In the end the emulator must have billed exactly the events: each event once,
// late ones in a later hour, nothing twice, nothing after the final report.
import { LEASE_MS } from '../../../nodes/AwsMarketplaceMetering/batch';
import { eventBridgeLicenseArn, EXAMPLE_CUSTOMERS, triggerPath, webhookPath, withLedgerSettings, type ExampleCustomer, type ExampleName, type Workflow } from '../../../scripts/e2e/lib/examples';
import { nodeOutput, type N8nRun } from '../../../scripts/e2e/lib/n8n';
import { licenseEvent, TriggerDriver } from '../../../scripts/e2e/lib/trigger';
import { log, sleep, type E2e, type Json } from './context';
import {
	customerNames,
	describeExpected,
	executeProcess,
	LEDGER_HOURLY_ID,
	LEDGER_REPORT_ID,
	LedgerScenario,
	ledgerLockHolder,
	setEmulatorFaults,
	type Expected,
} from './ledgerScenario';

/**
 * The hourly example as the test imports it: hours close as soon as they end (usage 1 to 5 hours old is due
 * at once), short resend and timeout budgets, and no zero usage: these cases compare the billing with the usage
 * events, whatever hour the test runs in (the sign-up's license would get a zero record once its hour closed).
 * The lifecycle cases run the example as shipped, zero records included.
 */
const HOURLY_OPTIONS = { unprocessedRetryMaxSeconds: 5, requestTimeoutSeconds: 5, maxAttempts: 1, zeroUsage: {} };
/** The emulator's answer delay while the run to be killed sends: far longer than the test needs to kill it. */
const SLOW_ANSWER_MS = 30_000;

/** The ledger examples' copies the test imports beside the examples. */
export function ledgerTestWorkflows(workflows: Record<ExampleName, Workflow>): Workflow[] {
	return [
		{
			...withLedgerSettings(workflows.hourlyMetering, { closeAfterMinutes: 0, options: HOURLY_OPTIONS }),
			id: LEDGER_HOURLY_ID,
			name: `${workflows.hourlyMetering.name} (test: hours close at once, short lease)`,
		},
		{ ...withLedgerSettings(workflows.report, { closeAfterMinutes: 0 }), id: LEDGER_REPORT_ID, name: `${workflows.report.name} (test)` },
	];
}

const { acme, globex, initech } = EXAMPLE_CUSTOMERS;
const api = 'api_calls';
const storage = 'storage_gb';
const users = 'users';
type Key = [ExampleCustomer, string, hoursAgo: number, quantity: number];

/** Settled, so that a later case reads its outcome: a rejection nobody awaits yet would end jest's process. */
type Settled<T> = { value: T; error?: undefined } | { value?: undefined; error: unknown };
const settled = <T>(promise: Promise<T>): Promise<Settled<T>> => promise.then((value) => ({ value }), (error: unknown) => ({ error }));
function unwrap<T>(outcome: Settled<T>): T {
	if (outcome.error !== undefined) throw outcome.error;
	return outcome.value as T;
}

/**
 * The cases in two parts, with other cases between them: those run while the killed run's lease lapses, and must
 * bill nothing. Needs n8n's server running with the usage and lifecycle examples published.
 */
export function ledgerFlows(e2e: E2e) {
	let s: LedgerScenario;
	const ingestCase = (what: string, body: () => Json | Json[], expected: Expected[]) =>
		test(`${what}: ${describeExpected(expected)}`, async () => {
			await s.ingest(body(), expected);
		});
	const labels = (keys: Key[]) => keys.map(([customer, dimension, hoursAgo, quantity]) => s.label3(customer, dimension, hoursAgo, quantity)).sort();
	const rowLabel = (row: Json) => `${customerNames.get(String(row.licenseArn)) ?? String(row.licenseArn)} ${String(row.dimension)} ${s.label(String(row.hour))}`;

	// What the run killed while sending left behind, for the cases after its lease.
	const frozen: Key[] = [
		[acme, api, 1, 46],
		[acme, storage, 2, 12],
		[globex, api, 3, 9],
	];
	let killedAt: number;
	let killedSent: string[];
	let duringKill: Promise<Settled<{ answeredAt: number }>>;
	// The hour in progress when Globex's final usage is sent, and when usage comes after it.
	let now: number;
	let later: number;
	let billedBeforeWait: string;

	function describeUntilLease(): void {
		describe('The metering ledger: usage webhook, hourly runs, one killed while sending, final usage', () => {
			beforeAll(async () => {
				e2e.stack.emulator.reset();
				await e2e.server.waitForWebhook(webhookPath(e2e.stack.workflows.usage), 'POST');
				s = new LedgerScenario(e2e.stack, e2e.server);
				log(`Metering ledger: "${e2e.stack.workflows.usage.name}" (webhook, n8n's server), "${e2e.stack.workflows.hourlyMetering.name}" (n8n execute); H = ${s.hour(0)}`);
			});

			ingestCase(
				'the first batch (an array, one event twice in it)',
				() => [
					s.event('e1', acme, api, 5, 5, 100),
					s.event('e2', acme, api, 5, 40, 50),
					s.event('e3', acme, api, 3, 10, 70),
					s.event('e4', globex, api, 5, 20, 30),
					s.event('e5', acme, storage, 4, 59, 10),
					s.event('e6', initech, api, 3, 30, 5),
					s.event('e2', acme, api, 5, 40, 50),
				],
				[
					['e1', 'Recorded', 5],
					['e2', 'Recorded', 5],
					['e3', 'Recorded', 3],
					['e4', 'Recorded', 5],
					['e5', 'Recorded', 4],
					['e6', 'Recorded', 3],
					['e2', 'DuplicateEvent', 5],
				],
			);
			ingestCase('one event, not in an array', () => s.event('e7', globex, users, 4, 15, 3), [['e7', 'Recorded', 4]]);

			test('n8n’s server keeps the embedded ledger open between executions (its process holds the folder’s lock)', () => {
				expect(ledgerLockHolder(e2e.stack.n8n.n8nFolder)).toBe(e2e.server.process.pid);
			});

			// Another process: the idle server lets go of the ledger when the run waits for it.
			let firstRun: N8nRun;
			const firstBilled: Key[] = [
				[acme, api, 5, 150],
				[acme, api, 3, 70],
				[acme, storage, 4, 10],
				[globex, api, 5, 30],
				[globex, users, 4, 3],
			];
			test('hourly run 1 (n8n execute) succeeds; "Billed" holds each closed customer-dimension-hour once, its events summed', async () => {
				log('Hourly run 1');
				firstRun = (await s.meter()).run;
				expect(firstRun.status).toBe('success');
				expect(nodeOutput(firstRun, 'Billed').map((item) => `${s.keyLabel(item)} ${String(item.status)}`).sort()).toEqual(labels(firstBilled).map((label) => `${label} Success`).sort());
				s.billed(firstBilled);
			});
			test('hourly run 1: the usage AWS refused (a license it does not know) goes to "Follow up" with the reason', () => {
				expect(nodeOutput(firstRun, 'Follow up').map((item) => [item.licenseArn, item.dimension, s.label(String(item.hour)), item.status, typeof item.reason === 'string' && item.reason.length > 0])).toEqual([
					[initech.licenseArn, api, s.label(s.hour(3)), 'Rejected', true],
				]);
			});

			ingestCase(
				'the second batch (late events for billed hours, events sent again, a new hour, one 26 hours late)',
				() => [
					s.event('e8', acme, api, 5, 50, 20),
					s.event('e9', globex, api, 5, 55, 7),
					s.event('e1', acme, api, 5, 5, 100),
					s.event('e3', acme, api, 3, 10, 999),
					s.event('e10', globex, users, 2, 5, 4),
					s.event('e11', acme, api, 3, 45, 15),
					s.event('e-stale', globex, api, 26, 10, 500),
				],
				[
					['e8', 'Recorded', 4, 5],
					['e9', 'Recorded', 4, 5],
					['e1', 'DuplicateEvent', 5],
					['e3', 'DuplicateEvent', 3],
					['e10', 'Recorded', 2],
					['e11', 'Recorded', 2, 3],
					['e-stale', 'Expired', 26],
				],
			);

			test('hourly run 2 bills the late usage in the hours it was carried to, and the new hour; billed hours are not sent again', async () => {
				log('Hourly run 2');
				const { run, sent } = await s.meter();
				const billed: Key[] = [
					[acme, api, 4, 20],
					[acme, api, 2, 15],
					[globex, api, 4, 7],
					[globex, users, 2, 4],
				];
				expect(run.status).toBe('success');
				expect(sent).toEqual(labels(billed));
				expect(nodeOutput(run, 'Follow up')).toHaveLength(0);
				// The duplicates and the repeated event with another quantity counted once.
				s.billed(billed);
			});

			ingestCase(
				'the third batch',
				() => [s.event('e12', acme, api, 1, 10, 40), s.event('e13', acme, storage, 2, 30, 12), s.event('e14', globex, api, 3, 0, 9), s.event('e15', acme, api, 4, 20, 6)],
				[
					['e12', 'Recorded', 1],
					['e13', 'Recorded', 2],
					['e14', 'Recorded', 3],
					['e15', 'Recorded', 1, 4],
				],
			);

			test('hourly run 3 holds the ledger (its lock names its process) while its request is with AWS, and dies of SIGKILL printing no result', async () => {
				const { emulator, n8n } = e2e.stack;
				log(`Hourly run 3, killed with SIGKILL once its BatchMeterUsage request reached the emulator (answers delayed ${SLOW_ANSWER_MS / 1000} s)`);
				await setEmulatorFaults(emulator.url, { latencyMs: SLOW_ANSWER_MS });
				const logStart = emulator.log.length;
				const killedRun = settled(n8n.execute(LEDGER_HOURLY_ID));
				try {
					let requestArrived = false;
					for (const deadline = Date.now() + 90_000; Date.now() < deadline && !requestArrived; await sleep(50)) {
						requestArrived = emulator.log.slice(logStart).some((entry) => entry.operation === 'BatchMeterUsage');
					}
					const pid = executeProcess(n8n.userFolder, LEDGER_HOURLY_ID);
					expect({ requestArrived, process: pid !== undefined }).toEqual({ requestArrived: true, process: true });
					// Usage arriving meanwhile: the webhook's execution (in n8n's server) waits for the ledger the killed run holds.
					const posted = Date.now();
					duringKill = settled(
						s.ingest([s.event('e16', acme, storage, 2, 45, 8), s.event('e13', acme, storage, 2, 30, 12)], [
							['e16', 'Recorded', 1, 2],
							['e13', 'DuplicateEvent', 2],
						]),
					);
					await sleep(2000);
					expect(ledgerLockHolder(n8n.n8nFolder)).toBe(pid);
					process.kill(-pid!, 'SIGKILL');
					killedAt = Date.now();
					log(`killed ${((killedAt - posted) / 1000).toFixed(1)} s after a batch was posted`);
				} finally {
					await setEmulatorFaults(emulator.url, {});
				}
				const killed = await killedRun;
				expect(killed.value).toBeUndefined();
				expect(String(killed.error)).toMatch(/SIGKILL/);
				killedSent = s.recordsIn(emulator.log.slice(logStart));
			});

			test('the killed run had sent the closed hours, the late event e15 in hour H-1 with e12; AWS billed the request whose answer was lost', () => {
				expect(killedSent).toEqual(labels(frozen));
				// The emulator bills on arrival, as AWS may: the answer was lost with the process.
				s.billed(frozen);
			});

			test('a batch posted while the killed run held the ledger: the webhook waited and took the ledger over from the killed process', async () => {
				const { answeredAt } = unwrap(await duringKill);
				expect(answeredAt).toBeGreaterThan(killedAt);
			});

			test('Get Metering Report shows the keys the killed run claimed as "sending", their quantity frozen', async () => {
				const rows = nodeOutput(await e2e.stack.n8n.execute(LEDGER_REPORT_ID), 'Get Metering Report');
				expect(rows.filter((row) => row.state === 'sending').map((row) => `${rowLabel(row)} ${String(row.sentQuantity)}`).sort()).toEqual(labels(frozen));
			});

			test('hourly run 4, within the killed run’s lease, sends only the late event e16 (carried from the frozen hour H-2 to H-1)', async () => {
				log('Hourly run 4, within the killed run’s lease');
				const { run, sent } = await s.meter();
				expect(run.status).toBe('success');
				expect(sent).toEqual([s.label3(acme, storage, 1, 8)]);
				s.billed([[acme, storage, 1, 8]]);
			});

			test('Globex’s usage in the hour in progress is recorded', async () => {
				now = s.hoursAgoNow();
				await s.ingest(
					[s.event('e17', globex, api, now, 0, 11), s.event('e18', globex, users, now, 0, 2)],
					[
						['e17', 'Recorded', now],
						['e18', 'Recorded', now],
					],
				);
			});

			test('License Deprovisioned for Globex (its ARN as EventBridge spells it): the lifecycle example sends its hour in progress at once, and Notify says so', async () => {
				const { emulator, workflows } = e2e.stack;
				log(`"${workflows.lifecycle.name}": License Deprovisioned event for Globex`);
				await e2e.server.waitForWebhook(triggerPath(workflows.lifecycle), 'POST');
				const logStart = emulator.log.length;
				const driver = new TriggerDriver(e2e.stack, e2e.server);
				const final = await driver.eventBridge(workflows.lifecycle, 'License Deprovisioned - Manufacturer', {
					event: licenseEvent(eventBridgeLicenseArn(globex.licenseArn), globex.customerAWSAccountId, 'agmt-abcdexampleid'),
				});
				expect(final.status).toBe(200);
				const requestId = (final.sent.detail as Json).requestId;
				const run = (await driver.waitForExecutions(workflows.lifecycle.id, 'requestId', [requestId])).get(requestId)![0];
				const notified = nodeOutput(run, 'Notify')[0] ?? {};
				const finalUsage = [s.label3(globex, api, now, 11), s.label3(globex, users, now, 2)].sort();
				// Notify names the license in Resolve Customer's spelling, under which its usage was recorded.
				expect(notified.licenseArn).toBe(globex.licenseArn);
				// Meter Open Hours Now sent Globex's hour in progress, and nothing else.
				expect(s.recordsIn(emulator.log.slice(logStart))).toEqual(finalUsage);
				expect(((notified.billed ?? []) as Json[]).map((item) => `${s.keyLabel(item)} ${String(item.status)}`).sort()).toEqual(finalUsage.map((label) => `${label} Success`));
				expect(String(notified.message)).toMatch(/final usage .*11 api_calls/);
				s.billed([
					[globex, api, now, 11],
					[globex, users, now, 2],
				]);
			});

			test('Globex’s usage after its final report is AfterFinalReport, kept apart and never sent', async () => {
				// Its own hour was sent as final usage: the ledger keeps it in the next hour, never sent. (Should the hour
				// have moved on since e17, it is kept in its own hour.)
				later = s.hoursAgoNow();
				const afterFinal: Expected = later === now ? ['e19', 'AfterFinalReport', now - 1, now] : ['e19', 'AfterFinalReport', later];
				await s.ingest(s.event('e19', globex, api, later, 0, 5), [afterFinal]);
				// The trigger's deliveries come next, while the killed run's lease lapses: they must bill nothing.
				billedBeforeWait = JSON.stringify(e2e.stack.emulator.stats().billed);
			});
		});
	}

	function describeAfterLease(): void {
		describe('The metering ledger after the killed run’s lease', () => {
			let billedBefore: ReturnType<typeof e2e.stack.emulator.stats>['billed'];
			let fifth: { run: N8nRun; sent: string[] };

			test('the cases run while waiting for the lease billed nothing', () => {
				expect(JSON.stringify(e2e.stack.emulator.stats().billed)).toBe(billedBeforeWait);
			});

			test('hourly run 5 resends exactly the killed run’s records: the frozen quantities (H-2 storage_gb stays 12 although e16 came for it)', async () => {
				// A live run renews its lease; the killed one renewed it last before it was killed.
				const lapse = killedAt + LEASE_MS + 2000 - Date.now();
				log(`Waiting ${Math.round(lapse / 1000)} s more for the killed run's lease (${LEASE_MS / 1000} s from its last renewal) to lapse; hourly run 5`);
				await sleep(lapse);
				billedBefore = e2e.stack.emulator.stats().billed;
				fifth = await s.meter();
				expect(fifth.run.status).toBe('success');
				expect(fifth.sent).toEqual(killedSent);
			});

			test('AWS answers the resend with the metering record IDs of the lost answer: billed once', () => {
				const resent = nodeOutput(fifth.run, 'Billed');
				expect(resent.map((item) => `${s.keyLabel(item)} ${String(item.meteringRecordId)}`).sort()).toEqual(
					frozen
						.map(([customer, dimension, hoursAgo, quantity]) => {
							const key = `${customer.licenseArn}|${customer.customerAWSAccountId}|${dimension}|${s.hour(hoursAgo)}`;
							return `${s.label3(customer, dimension, hoursAgo, quantity)} ${billedBefore[key]?.meteringRecordId}`;
						})
						.sort(),
				);
				s.billed([]);
			});

			let report: Json[];
			test('Get Metering Report at the end: every customer-dimension-hour billed once, late usage with carriedFrom/carriedTo, Initech and the usage after the final report not billed', async () => {
				report = nodeOutput(await e2e.stack.n8n.execute(LEDGER_REPORT_ID), 'Get Metering Report');
				const row = (customer: ExampleCustomer, dimension: string, hoursAgo: number, state: string, status: string | null, quantity: number, sent: number | null, from: number[] = [], to: number[] = []) => [
					`${customer.name} ${dimension} ${s.label(s.hour(hoursAgo))}`,
					state,
					status,
					String(quantity),
					sent,
					from.map((hour) => s.label(s.hour(hour))),
					to.map((hour) => s.label(s.hour(hour))),
				];
				const expectedRows = [
					row(acme, api, 5, 'billed', 'Success', 150, 150, [], [4]),
					row(acme, api, 4, 'billed', 'Success', 20, 20, [5], [1]),
					row(acme, api, 3, 'billed', 'Success', 70, 70, [], [2]),
					row(acme, api, 2, 'billed', 'Success', 15, 15, [3]),
					row(acme, api, 1, 'billed', 'Success', 46, 46, [4]),
					row(acme, storage, 4, 'billed', 'Success', 10, 10),
					row(acme, storage, 2, 'billed', 'Success', 12, 12, [], [1]),
					row(acme, storage, 1, 'billed', 'Success', 8, 8, [2]),
					row(globex, api, 5, 'billed', 'Success', 30, 30, [], [4]),
					row(globex, api, 4, 'billed', 'Success', 7, 7, [5]),
					row(globex, api, 3, 'billed', 'Success', 9, 9),
					...(later === now
						? [row(globex, api, now, 'billed', 'Success', 11, 11, [], [now - 1]), row(globex, api, now - 1, 'notBilled', 'AfterFinalReport', 5, null, [now])]
						: [row(globex, api, now, 'billed', 'Success', 11, 11), row(globex, api, later, 'notBilled', 'AfterFinalReport', 5, null)]),
					row(globex, users, 4, 'billed', 'Success', 3, 3),
					row(globex, users, 2, 'billed', 'Success', 4, 4),
					row(globex, users, now, 'billed', 'Success', 2, 2),
					row(initech, api, 3, 'notBilled', 'Rejected', 5, 5),
				];
				const states = report.map((item) => [
					rowLabel(item),
					item.state,
					item.status,
					item.quantity,
					item.sentQuantity,
					(item.carriedFrom as string[]).map((hour) => s.label(hour)),
					(item.carriedTo as string[]).map((hour) => s.label(hour)),
				]);
				const order = (rows: unknown[][]) => [...rows].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
				expect(order(states)).toEqual(order(expectedRows));
			});

			test('the ledger’s sent quantities and metering record IDs of its billed hours are the emulator’s', () => {
				expect(
					report
						.filter((item) => item.state === 'billed')
						.map((item) => `${rowLabel(item)} ${String(item.sentQuantity)} ${String(item.meteringRecordId)}`)
						.sort(),
				).toEqual(
					Object.entries(e2e.stack.emulator.stats().billed)
						.map(([key, { quantity, meteringRecordId }]) => {
							const [license, , dimension, hour] = key.split('|');
							return `${customerNames.get(license) ?? license} ${dimension} ${s.label(hour)} ${quantity} ${meteringRecordId}`;
						})
						.sort(),
				);
			});

			// The whole point. Every distinct event ID counts once, with the quantity it first came with; AWS refuses
			// Initech's license; e19 came after Globex's final report; e-stale came past its hour's deadline.
			test('the emulator billed the events exactly: per customer and dimension, the sum of the distinct event IDs posted', () => {
				const unbillable = (event: Json) => event.licenseArn === initech.licenseArn || event.eventId === 'e19' || event.eventId === 'e-stale';
				const distinct = new Map<string, Json>();
				for (const event of s.posted) if (!distinct.has(String(event.eventId))) distinct.set(String(event.eventId), event);
				const seriesOf = (key: string) => key.split('|').slice(0, 3).join('|');
				const add = (map: Map<string, number>, series: string, quantity: number) => map.set(series, (map.get(series) ?? 0) + quantity);
				const fromEvents = new Map<string, number>();
				for (const event of distinct.values()) {
					if (!unbillable(event)) add(fromEvents, `${String(event.licenseArn)}|${String(event.customerAWSAccountId)}|${String(event.dimension)}`, Number(event.quantity));
				}
				const billedPerSeries = new Map<string, number>();
				for (const [key, { quantity }] of Object.entries(e2e.stack.emulator.stats().billed)) add(billedPerSeries, seriesOf(key), quantity);
				const expectedPerSeries = new Map<string, number>();
				for (const [key, quantity] of s.expectedBilling()) add(expectedPerSeries, seriesOf(key), quantity);
				const bySeries = (map: Map<string, number>) =>
					[...map].map(([series, quantity]) => `${customerNames.get(series.split('|')[0]) ?? series} ${series.split('|')[2]} ${quantity}`).sort();
				log(`${distinct.size} distinct event IDs of ${s.posted.length} posted`);
				expect(bySeries(billedPerSeries)).toEqual(bySeries(fromEvents));
				// The test's own expectations per hour add up to the same events.
				expect(bySeries(expectedPerSeries)).toEqual(bySeries(fromEvents));
			});
		});
	}

	return { describeUntilLease, describeAfterLease };
}
