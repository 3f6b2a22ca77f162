// The metering ledger examples on real n8n: usage events keep arriving at the ingest webhook (n8n's server)
// between hourly runs (`n8n execute`, another process: both take turns on the embedded ledger's folder), some of
// them late, some duplicated; one hourly run is killed with SIGKILL in the middle of sending; a license's final
// usage is sent at cancellation. In the end the emulator must have billed exactly the events: each event once,
// late ones in a later hour, nothing twice, nothing after the final report.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

import type { RequestLogEntry } from '../../emulator';
import { LEASE_MS } from '../../nodes/AwsMarketplaceMetering/batch';
import {
	eventBridgeLicenseArn,
	EXAMPLE_CUSTOMERS,
	postJson,
	triggerPath,
	usageEvent,
	withLedgerSettings,
	type ExampleCustomer,
	type ExampleName,
	type Workflow,
} from './lib/examples';
import { nodeOutput, type N8nRun, type N8nServer } from './lib/n8n';
import type { Checks } from './lib/report';
import type { Stack } from './lib/stack';
import { licenseEvent, TriggerDriver } from './lifecycle';

const HOUR = 3_600_000;

export const LEDGER_HOURLY_ID = 'mpLedgerHourlyE2e';
export const LEDGER_REPORT_ID = 'mpLedgerReportE2e';

/**
 * The hourly example as the test imports it: hours close as soon as they end (usage 1 to 5 hours old is due
 * at once), short resend and timeout budgets, and no zero usage: these checks compare the billing with the usage
 * events, whatever hour the test runs in (the sign-up's license would get a zero record once its hour closed).
 * The lifecycle checks run the example as shipped, zero records included.
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

type Json = Record<string, unknown>;
const { acme, globex, initech } = EXAMPLE_CUSTOMERS;
const customerNames = new Map<string, string>(Object.values(EXAMPLE_CUSTOMERS).map((customer) => [customer.licenseArn, customer.name]));

/** What the ingest webhook must answer for one event: its status, and the hour it counts in (hours before H). */
type Expected = [eventId: string, status: string, hoursAgo?: number, carriedFromHoursAgo?: number];

class LedgerScenario {
	/** The start of the hour in progress when the scenario starts: events are placed relative to it. */
	readonly start = Math.floor(Date.now() / HOUR) * HOUR;
	/** What the emulator must have billed, by its billing key: grows with every run. */
	private readonly expected = new Map<string, number>();
	/** Every usage event posted, in order, repeats included. */
	readonly posted: Json[] = [];

	constructor(
		private readonly stack: Stack,
		private readonly server: N8nServer,
		private readonly checks: Checks,
	) {}

	hour(hoursAgo: number): string {
		return new Date(this.start - hoursAgo * HOUR).toISOString();
	}

	/** H-5, H-0, H+1: the hour relative to the one in progress at the start. */
	label(hour: string | Date): string {
		const hoursAgo = Math.round((this.start - new Date(hour).getTime()) / HOUR);
		return hoursAgo > 0 ? `H-${hoursAgo}` : `H+${-hoursAgo}`;
	}

	/** hoursAgo 0: the hour in progress now (which may have moved on since the start). */
	hoursAgoNow(): number {
		return Math.round((this.start - Math.floor(Date.now() / HOUR) * HOUR) / HOUR);
	}

	event(eventId: string, customer: ExampleCustomer, dimension: string, hoursAgo: number, minute: number, quantity: number): Json {
		// The hour in progress: now.
		const timestamp = hoursAgo <= 0 ? new Date() : new Date(this.start - hoursAgo * HOUR + minute * 60_000);
		return usageEvent(eventId, customer, dimension, quantity, timestamp);
	}

	/** POSTs usage events to the ingest webhook and checks what became of each one. */
	async ingest(what: string, body: Json | Json[], expected: Expected[]): Promise<{ answer: Json; answeredAt: number }> {
		const { workflows } = this.stack;
		this.posted.push(...(Array.isArray(body) ? body : [body]));
		const { status, json, text } = await postJson(this.server.url, workflows.usage, body);
		const answeredAt = Date.now();
		this.checks.equal(`${what}: the ingest webhook answers HTTP 200`, status, 200);
		const results = (json.results ?? []) as Json[];
		this.checks.equal(
			`${what}: ${describeExpected(expected)}`,
			results.map((result) => [result.eventId, result.status, result.hour ? this.label(String(result.hour)) : null, result.carriedFrom ? this.label(String(result.carriedFrom)) : null]),
			expected.map(([eventId, eventStatus, hoursAgo, carriedFrom]) => [
				eventId,
				eventStatus,
				hoursAgo === undefined ? null : this.label(this.hour(hoursAgo)),
				carriedFrom === undefined ? null : this.label(this.hour(carriedFrom)),
			]),
		);
		const count = (eventStatus: string) => expected.filter(([, candidate]) => candidate === eventStatus).length;
		this.checks.equal(
			`${what}: the answer counts them`,
			[json.received, json.recorded, json.duplicates, json.afterFinalReport, json.invalid],
			[expected.length, count('Recorded'), count('DuplicateEvent'), count('AfterFinalReport'), count('Invalid')],
		);
		if (status !== 200) process.stdout.write(`      ${text}\n`);
		return { answer: json, answeredAt };
	}

	/** Runs the hourly workflow with `n8n execute`; answers the run and the usage records the emulator received. */
	async meter(): Promise<{ run: N8nRun; sent: string[] }> {
		const { emulator, n8n } = this.stack;
		const logStart = emulator.log.length;
		const run = await n8n.execute(LEDGER_HOURLY_ID);
		return { run, sent: this.recordsIn(emulator.log.slice(logStart)) };
	}

	/** The usage records of BatchMeterUsage requests, as "Acme api_calls H-5 150". */
	recordsIn(entries: RequestLogEntry[]): string[] {
		return entries
			.filter((entry) => entry.operation === 'BatchMeterUsage')
			.flatMap((entry) => ((entry.body as { UsageRecords?: Json[] } | undefined)?.UsageRecords ?? []).map((record) => this.recordLabel(record)))
			.sort();
	}

	private recordLabel(record: Json): string {
		const timestamp = typeof record.Timestamp === 'number' ? new Date(record.Timestamp * 1000) : new Date(String(record.Timestamp));
		return `${customerNames.get(String(record.LicenseArn)) ?? String(record.LicenseArn)} ${String(record.Dimension)} ${this.label(timestamp)} ${String(record.Quantity)}`;
	}

	/** An item Batch Meter Usage or Meter Open Hours Now put out for a key, as "Acme api_calls H-5 150". */
	keyLabel(item: Json): string {
		const details = (item.details ?? item) as Json;
		const record = details.usageRecord as Json | null;
		return `${customerNames.get(String(details.licenseArn)) ?? String(details.licenseArn)} ${String(details.dimension)} ${this.label(String(details.hour))} ${record ? String(record.Quantity) : '-'}`;
	}

	label3(customer: ExampleCustomer, dimension: string, hoursAgo: number, quantity: number): string {
		return `${customer.name} ${dimension} ${this.label(this.hour(hoursAgo))} ${quantity}`;
	}

	/** These keys are billed from now on; checks that the emulator's billing is exactly what was expected so far. */
	billed(what: string, keys: Array<[ExampleCustomer, string, number, number]>): void {
		for (const [customer, dimension, hoursAgo, quantity] of keys) {
			this.expected.set(`${customer.licenseArn}|${customer.customerAWSAccountId}|${dimension}|${this.hour(hoursAgo)}`, quantity);
		}
		const actual = Object.entries(this.stack.emulator.stats().billed).map(([key, { quantity }]) => `${this.billingLabel(key)} ${quantity}`);
		const expected = [...this.expected].map(([key, quantity]) => `${this.billingLabel(key)} ${quantity}`);
		this.checks.equal(`${what}: the emulator's billing is exactly the ${expected.length} customer-dimension-hours expected`, actual.sort(), expected.sort());
	}

	private billingLabel(key: string): string {
		const [license, , dimension, hour] = key.split('|');
		return `${customerNames.get(license) ?? license} ${dimension} ${this.label(hour)}`;
	}

	expectedBilling(): Map<string, number> {
		return this.expected;
	}
}

function describeExpected(expected: Expected[]): string {
	const parts: string[] = [];
	const late = expected.filter(([, status, , carried]) => status === 'Recorded' && carried !== undefined).length;
	const onTime = expected.filter(([, status, , carried]) => status === 'Recorded' && carried === undefined).length;
	const duplicates = expected.filter(([, status]) => status === 'DuplicateEvent').length;
	const afterFinal = expected.filter(([, status]) => status === 'AfterFinalReport').length;
	const expired = expected.filter(([, status]) => status === 'Expired').length;
	if (onTime) parts.push(`${onTime} recorded in their own hour`);
	if (late) parts.push(`${late} late, carried to a later hour not yet sent`);
	if (duplicates) parts.push(`${duplicates} duplicate${duplicates > 1 ? 's' : ''} counted once`);
	if (afterFinal) parts.push(`${afterFinal} after the final report, not to be billed`);
	if (expired) parts.push(`${expired} past AWS's deadline for its hour, Expired and never billed`);
	return parts.join(', ');
}

/** The pid of the `n8n execute --id=<id>` running in this user folder (started by this test). */
function executeProcess(userFolder: string, workflowId: string): number | undefined {
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
			if (args.includes('execute') && args.includes(`--id=${workflowId}`) && readlinkSync(`/proc/${entry}/cwd`) === userFolder) return Number(entry);
		} catch {
			// Gone meanwhile, or not ours to read.
		}
	}
	return undefined;
}

/** The pid of the process holding the embedded ledger's folder: its lock is a directory naming its holder. */
function ledgerLockHolder(n8nFolder: string): number | undefined {
	try {
		return (JSON.parse(readFileSync(join(n8nFolder, 'aws-marketplace-metering', 'ledger', 'ledger.lock', 'holder.json'), 'utf8')) as { pid: number }).pid;
	} catch {
		return undefined;
	}
}

async function setEmulatorFaults(emulatorUrl: string, faults: Json): Promise<void> {
	const response = await fetch(`${emulatorUrl}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
	if (!response.ok) throw new Error(`the emulator refused the faults ${JSON.stringify(faults)}: HTTP ${response.status}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Needs n8n's server running with the ingest and final-usage examples published, and the emulator reset (its
 * billing must hold only what these flows bill).
 */
export async function checkLedgerFlows(
	stack: Stack,
	server: N8nServer,
	checks: Checks,
	log: (message: string) => void,
	/** Other checks to run while waiting for the killed run's lease to lapse: they must bill nothing. */
	whileWaiting?: () => Promise<void>,
): Promise<void> {
	const { emulator, n8n, workflows } = stack;
	const s = new LedgerScenario(stack, server, checks);
	const api = 'api_calls';
	const storage = 'storage_gb';
	const users = 'users';
	log(`Metering ledger: "${workflows.usage.name}" (webhook, n8n's server), "${workflows.hourlyMetering.name}" (n8n execute); H = ${s.hour(0)}`);

	// 1. Usage arrives: an array of events (one of them twice in the same request), then one event on its own.
	await s.ingest(
		'first batch',
		[
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
	await s.ingest('one event (not an array)', s.event('e7', globex, users, 4, 15, 3), [['e7', 'Recorded', 4]]);
	// The next hourly run, another process, then takes the folder over: the idle server lets go when it waits.
	checks.equal(
		'n8n’s server keeps the embedded ledger open between executions (its process holds the folder’s lock)',
		ledgerLockHolder(n8n.n8nFolder),
		server.process.pid,
	);

	// 2. The hourly run sends every closed hour; AWS refuses Initech's license, which goes to "Follow up".
	log('Hourly run 1');
	const first = await s.meter();
	checks.equal('hourly run 1 (n8n execute) succeeds: the idle server let go of the ledger when it waited', first.run.status, 'success');
	const firstBilled = [
		[acme, api, 5, 150],
		[acme, api, 3, 70],
		[acme, storage, 4, 10],
		[globex, api, 5, 30],
		[globex, users, 4, 3],
	] as Array<[ExampleCustomer, string, number, number]>;
	checks.equal(
		'hourly run 1: "Billed" holds each closed customer-dimension-hour once, its events summed',
		nodeOutput(first.run, 'Billed').map((item) => `${s.keyLabel(item)} ${String(item.status)}`).sort(),
		firstBilled.map(([customer, dimension, hoursAgo, quantity]) => `${s.label3(customer, dimension, hoursAgo, quantity)} Success`).sort(),
	);
	const followUp = nodeOutput(first.run, 'Follow up');
	checks.equal(
		'hourly run 1: the usage AWS refused (a license it does not know) goes to "Follow up" with the reason',
		followUp.map((item) => [item.licenseArn, item.dimension, s.label(String(item.hour)), item.status, typeof item.reason === 'string' && item.reason.length > 0]),
		[[initech.licenseArn, api, s.label(s.hour(3)), 'Rejected', true]],
	);
	s.billed('after hourly run 1', firstBilled);

	// 3. More usage: late events for hours already billed, events sent again, new hours.
	await s.ingest(
		'second batch',
		[
			s.event('e8', acme, api, 5, 50, 20),
			s.event('e9', globex, api, 5, 55, 7),
			s.event('e1', acme, api, 5, 5, 100),
			s.event('e3', acme, api, 3, 10, 999),
			s.event('e10', globex, users, 2, 5, 4),
			s.event('e11', acme, api, 3, 45, 15),
			// 26 hours late: past AWS's deadline for its hour, never billed in another one.
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
	log('Hourly run 2');
	const second = await s.meter();
	checks.equal('hourly run 2 succeeds', second.run.status, 'success');
	const secondBilled = [
		[acme, api, 4, 20],
		[acme, api, 2, 15],
		[globex, api, 4, 7],
		[globex, users, 2, 4],
	] as Array<[ExampleCustomer, string, number, number]>;
	checks.equal(
		'hourly run 2 bills the late usage in the hours it was carried to, and the new hour; billed hours are not sent again',
		second.sent,
		secondBilled.map(([customer, dimension, hoursAgo, quantity]) => s.label3(customer, dimension, hoursAgo, quantity)).sort(),
	);
	checks.equal('hourly run 2: nothing goes to "Follow up"', nodeOutput(second.run, 'Follow up').length, 0);
	s.billed('after hourly run 2 (the duplicates and the repeated event with another quantity counted once)', secondBilled);

	// 4. New usage, then a run killed with SIGKILL while its request is with AWS (the emulator answers slowly).
	await s.ingest(
		'third batch',
		[s.event('e12', acme, api, 1, 10, 40), s.event('e13', acme, storage, 2, 30, 12), s.event('e14', globex, api, 3, 0, 9), s.event('e15', acme, api, 4, 20, 6)],
		[
			['e12', 'Recorded', 1],
			['e13', 'Recorded', 2],
			['e14', 'Recorded', 3],
			['e15', 'Recorded', 1, 4],
		],
	);
	log(`Hourly run 3, killed with SIGKILL once its BatchMeterUsage request reached the emulator (answers delayed ${SLOW_ANSWER_MS / 1000} s)`);
	await setEmulatorFaults(emulator.url, { latencyMs: SLOW_ANSWER_MS });
	const killedLogStart = emulator.log.length;
	const killedRun = n8n.execute(LEDGER_HOURLY_ID).then(
		(run) => ({ run, error: undefined }),
		(error: Error) => ({ run: undefined, error }),
	);
	let requestArrived = 0;
	for (const deadline = Date.now() + 90_000; Date.now() < deadline && !requestArrived; await sleep(50)) {
		if (emulator.log.slice(killedLogStart).some((entry) => entry.operation === 'BatchMeterUsage')) requestArrived = Date.now();
	}
	const pid = executeProcess(n8n.userFolder, LEDGER_HOURLY_ID);
	checks.check('hourly run 3 sent its BatchMeterUsage request', requestArrived > 0 && pid !== undefined, `request arrived: ${requestArrived > 0}, process: ${pid}`);
	if (!requestArrived || pid === undefined) {
		await setEmulatorFaults(emulator.url, {});
		return;
	}
	// Usage arriving meanwhile: the webhook's execution (in n8n's server) waits for the ledger the killed run holds.
	const posted = Date.now();
	const duringKill = s.ingest(
		'a batch posted while run 3 holds the ledger',
		[s.event('e16', acme, storage, 2, 45, 8), s.event('e13', acme, storage, 2, 30, 12)],
		[
			['e16', 'Recorded', 1, 2],
			['e13', 'DuplicateEvent', 2],
		],
	);
	await sleep(2000);
	const holder = ledgerLockHolder(n8n.n8nFolder);
	checks.equal('the killed run holds the embedded ledger (its lock names its process) while sending', holder, pid);
	process.kill(-pid, 'SIGKILL');
	const killedAt = Date.now();
	await setEmulatorFaults(emulator.url, {});
	const killed = await killedRun;
	checks.check('hourly run 3 died of SIGKILL, printing no result', killed.run === undefined && /SIGKILL/.test(killed.error?.message ?? ''), killed.error?.message ?? killed.run?.status);
	const killedSent = s.recordsIn(emulator.log.slice(killedLogStart));
	const frozen = [
		[acme, api, 1, 46],
		[acme, storage, 2, 12],
		[globex, api, 3, 9],
	] as Array<[ExampleCustomer, string, number, number]>;
	checks.equal(
		'hourly run 3 had sent the closed hours, the late event e15 in hour H-1 with e12',
		killedSent,
		frozen.map(([customer, dimension, hoursAgo, quantity]) => s.label3(customer, dimension, hoursAgo, quantity)).sort(),
	);
	// The emulator bills on arrival, as AWS may: the answer was lost with the process.
	s.billed('after the killed run (AWS billed the request whose answer was lost)', frozen);
	const { answeredAt } = await duringKill;
	checks.check(
		`the webhook waited for the ledger and took it over from the killed process (answered ${((answeredAt - killedAt) / 1000).toFixed(1)} s after the kill, posted ${((killedAt - posted) / 1000).toFixed(1)} s before it)`,
		answeredAt > killedAt,
	);

	// 5. Within the killed run's lease: its keys are "sending", and a run leaves them alone.
	const report = await n8n.execute(LEDGER_REPORT_ID);
	const rows = nodeOutput(report, 'Get Metering Report');
	const rowLabel = (row: Json) => `${customerNames.get(String(row.licenseArn)) ?? String(row.licenseArn)} ${String(row.dimension)} ${s.label(String(row.hour))}`;
	checks.equal(
		'Get Metering Report shows the keys the killed run claimed as "sending", their quantity frozen',
		rows.filter((row) => row.state === 'sending').map((row) => `${rowLabel(row)} ${String(row.sentQuantity)}`).sort(),
		frozen.map(([customer, dimension, hoursAgo, quantity]) => s.label3(customer, dimension, hoursAgo, quantity)).sort(),
	);
	log('Hourly run 4, within the killed run’s lease');
	const fourth = await s.meter();
	checks.equal('hourly run 4 succeeds', fourth.run.status, 'success');
	checks.equal(
		'hourly run 4 sends only the late event e16 (carried from the frozen hour H-2 to H-1), not the keys the killed run holds',
		fourth.sent,
		[s.label3(acme, storage, 1, 8)],
	);
	s.billed('after hourly run 4', [[acme, storage, 1, 8]]);

	// 6. Final usage at cancellation: Globex's license ends; its hour in progress is sent at once.
	const now = s.hoursAgoNow();
	await s.ingest(
		'Globex’s usage in the hour in progress',
		[s.event('e17', globex, api, now, 0, 11), s.event('e18', globex, users, now, 0, 2)],
		[
			['e17', 'Recorded', now],
			['e18', 'Recorded', now],
		],
	);
	log(`"${workflows.lifecycle.name}": License Deprovisioned event for Globex, its license ARN as EventBridge spells it`);
	await server.waitForWebhook(triggerPath(workflows.lifecycle), 'POST');
	const finalLogStart = emulator.log.length;
	const driver = new TriggerDriver(stack, server);
	const final = await driver.eventBridge(workflows.lifecycle, 'License Deprovisioned - Manufacturer', {
		event: licenseEvent(eventBridgeLicenseArn(globex.licenseArn), globex.customerAWSAccountId, 'agmt-abcdexampleid'),
	});
	checks.equal('the lifecycle example’s trigger answers HTTP 200', final.status, 200);
	const finalRequestId = (final.sent.detail as Json).requestId;
	const finalRun = (await driver.waitForExecutions(workflows.lifecycle.id, 'requestId', [finalRequestId])).get(finalRequestId)![0];
	const notified = nodeOutput(finalRun, 'Notify')[0] ?? {};
	checks.equal('Notify names the license in Resolve Customer’s spelling, under which its usage was recorded', notified.licenseArn, globex.licenseArn);
	checks.equal(
		'Meter Open Hours Now sent Globex’s hour in progress at once, and nothing else',
		s.recordsIn(emulator.log.slice(finalLogStart)),
		[s.label3(globex, api, now, 11), s.label3(globex, users, now, 2)].sort(),
	);
	checks.equal(
		'Notify reports both as billed',
		((notified.billed ?? []) as Json[]).map((item) => `${s.keyLabel(item)} ${String(item.status)}`).sort(),
		[`${s.label3(globex, api, now, 11)} Success`, `${s.label3(globex, users, now, 2)} Success`].sort(),
	);
	checks.check('Notify says so in its message', /final usage .*11 api_calls/.test(String(notified.message)), String(notified.message));
	s.billed('after the final usage', [
		[globex, api, now, 11],
		[globex, users, now, 2],
	]);
	// Its own hour was sent as final usage: the ledger keeps it apart in the next hour, never sent. (Should the hour
	// have moved on since e17, it is kept in its own hour.)
	const later = s.hoursAgoNow();
	const afterFinal: Expected = later === now ? ['e19', 'AfterFinalReport', now - 1, now] : ['e19', 'AfterFinalReport', later];
	await s.ingest('Globex usage after its final report', s.event('e19', globex, api, later, 0, 5), [afterFinal]);

	// 7. The lease lapses: the next run resends the killed run's keys with their frozen quantities.
	// A live run renews its lease; the killed one renewed it last before it was killed.
	const lapse = killedAt + LEASE_MS + 2000 - Date.now();
	log(`Waiting ${Math.round(lapse / 1000)} s for the killed run's lease (${LEASE_MS / 1000} s from its last renewal) to lapse${whileWaiting ? '; other checks meanwhile' : ''}`);
	if (whileWaiting) {
		const billedBeforeWait = JSON.stringify(emulator.stats().billed);
		await whileWaiting();
		checks.equal('the checks run while waiting for the lease billed nothing', JSON.stringify(emulator.stats().billed), billedBeforeWait);
	}
	await sleep(killedAt + LEASE_MS + 2000 - Date.now());
	log('Hourly run 5, after the lease');
	const billedBefore = emulator.stats().billed;
	const fifth = await s.meter();
	checks.equal('hourly run 5 succeeds', fifth.run.status, 'success');
	checks.equal(
		'hourly run 5 resends exactly the killed run’s records: the frozen quantities (H-2 storage_gb stays 12 although e16 came for it)',
		fifth.sent,
		killedSent,
	);
	const resent = nodeOutput(fifth.run, 'Billed');
	checks.equal(
		'AWS answers the resend with the metering record IDs of the lost answer: billed once',
		resent.map((item) => `${s.keyLabel(item)} ${String(item.meteringRecordId)}`).sort(),
		frozen
			.map(([customer, dimension, hoursAgo, quantity]) => {
				const key = `${customer.licenseArn}|${customer.customerAWSAccountId}|${dimension}|${s.hour(hoursAgo)}`;
				return `${s.label3(customer, dimension, hoursAgo, quantity)} ${billedBefore[key]?.meteringRecordId}`;
			})
			.sort(),
	);
	s.billed('after hourly run 5', []);

	// 8. The report: every hour's state, where late usage went, and the ledger's sent quantities equal AWS's.
	const finalReport = nodeOutput(await n8n.execute(LEDGER_REPORT_ID), 'Get Metering Report');
	const states = finalReport.map((row) => [
		rowLabel(row),
		row.state,
		row.status,
		row.quantity,
		row.sentQuantity,
		(row.carriedFrom as string[]).map((hour) => s.label(hour)),
		(row.carriedTo as string[]).map((hour) => s.label(hour)),
	]);
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
	const order = (rowsToSort: unknown[][]) => [...rowsToSort].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
	checks.equal(
		'Get Metering Report: every customer-dimension-hour billed once, late usage with carriedFrom/carriedTo, Initech and the usage after the final report not billed',
		order(states),
		order(expectedRows),
	);
	const billedNow = emulator.stats().billed;
	checks.equal(
		'the ledger’s sent quantities and metering record IDs of its billed hours are the emulator’s',
		finalReport
			.filter((item) => item.state === 'billed')
			.map((item) => `${rowLabel(item)} ${String(item.sentQuantity)} ${String(item.meteringRecordId)}`)
			.sort(),
		Object.entries(billedNow)
			.map(([key, { quantity, meteringRecordId }]) => {
				const [license, , dimension, hour] = key.split('|');
				return `${customerNames.get(license) ?? license} ${dimension} ${s.label(hour)} ${quantity} ${meteringRecordId}`;
			})
			.sort(),
	);

	// 9. The whole point: the emulator billed the events, exactly. Every distinct event ID counts once, with the
	// quantity it first came with; AWS refuses Initech's license; e19 came after Globex's final report; e-stale came past
	// its hour's deadline.
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
	for (const [key, { quantity }] of Object.entries(billedNow)) add(billedPerSeries, seriesOf(key), quantity);
	const expectedPerSeries = new Map<string, number>();
	for (const [key, quantity] of s.expectedBilling()) add(expectedPerSeries, seriesOf(key), quantity);
	const bySeries = (map: Map<string, number>) =>
		[...map].map(([series, quantity]) => `${customerNames.get(series.split('|')[0]) ?? series} ${series.split('|')[2]} ${quantity}`).sort();
	checks.equal(
		`the emulator billed the events exactly: per customer and dimension, the sum of the ${distinct.size} distinct event IDs of ${s.posted.length} posted (Initech's refused license and the usage after the final report excepted)`,
		bySeries(billedPerSeries),
		bySeries(fromEvents),
	);
	checks.equal('(the test’s own expectations per hour add up to the same events)', bySeries(expectedPerSeries), bySeries(fromEvents));
}
