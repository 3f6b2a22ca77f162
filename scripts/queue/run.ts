// The queue-mode proof on real n8n (`npm run test:queue [-- --keep] [-- --seed=N]`): the distributed engine n8n
// users scale out on, n8n main + two `n8n worker`s + Redis + PostgreSQL (Debian's packages, started here as
// unprivileged users on loopback, data in throwaway folders), n8n's own database and the metering ledger on that
// PostgreSQL, this package's `npm pack` tarball installed as a community package in each process's user folder,
// and the Metering emulator as AWS. Two production webhook calls meter overlapping usage at the same time (the
// main process enqueues them, the two workers run them in parallel), runs with Source = Usage in the Ledger send what
// the metering runs left, and the checks prove exactly-once: what the emulator billed per key is the sum of the distinct events,
// no key was ever sent with two quantities, nothing was answered DuplicateRecord.
//
// Run as `node --import tsx` (package.json), not through the tsx CLI: on Ctrl-C the CLI kills its child with
// SIGKILL 60 ms after relaying the signal, which would cut short the exit handler that stops PostgreSQL and
// removes the throwaway folders.
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client } from 'pg';

import { DEFAULT_TEST_CREDENTIAL, startEmulator, type Emulator, type EmulatorOptions } from '../../emulator';
import { CREDENTIAL_TYPE } from '../e2e/lib/examples';
import { N8n, installN8n, type N8nServer, type N8nWorker } from '../e2e/lib/n8n';
import { buildAndPack, installCommunityPackage } from '../e2e/lib/package';
import { ROOT } from '../e2e/lib/paths';
import { runMain } from '../e2e/lib/main';
import { installCleanup } from '../e2e/lib/proc';
import { Checks, table } from '../e2e/lib/report';
import { isRunning, processUser, startPostgres, startRedis, type Postgres, type Redis } from './services';
import {
	DRAIN_CLOSE_AFTER_MINUTES,
	HOUR_MS,
	METER_CLOSE_AFTER_MINUTES,
	billingKey,
	hourOf,
	isClosed,
	makeDeliveries,
	sumsByKey,
	type Customer,
	type Deliveries,
	type DeliveryPlan,
	type UsageEvent,
} from './usage';
import { AWS_CREDENTIAL, DRAIN_PATH, LEDGER_CREDENTIAL, METER_PATH, drainWorkflow, meterWorkflow } from './workflows';

// Measured: about 3 minutes with n8n already in .e2e-cache (its first install takes about 6 more).
const TIME_LIMIT_MS = 15 * 60_000;
const N8N_DATABASE = 'n8n';
const LEDGER_SCHEMA = 'aws_marketplace_metering';
// Every request waits this long at the emulator, so that the two executions are sending at the same time.
const EMULATOR_LATENCY_MS = 250;

type Json = Record<string, unknown>;

const emulatorConfig = () => JSON.parse(readFileSync(join(ROOT, 'emulator', 'sample-config.json'), 'utf8')) as EmulatorOptions;

const started = Date.now();
const log = (message: string) => process.stdout.write(`\n== ${message} (${Math.round((Date.now() - started) / 1000)} s)\n`);
const info = (message: string) => process.stdout.write(`      ${message}\n`);

const args = process.argv.slice(2);
const keep = args.includes('--keep');
const seed = Number(/^--seed=(\d+)$/.exec(args.find((arg) => arg.startsWith('--seed=')) ?? '')?.[1] ?? Date.now() % 100_000);

interface Running {
	workDir: string;
	postgres?: Postgres;
	redis?: Redis;
	emulator?: Emulator;
	main?: N8nServer;
	workers: N8nWorker[];
}

const running: Running = { workDir: '', workers: [] };
const checks = new Checks();
let summarized = false;
/** The last line, however the run ends. */
function summarize(): void {
	summarized = true;
	process.stdout.write(`${checks.summary()}\n`);
}

async function query<R extends Json>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
	const client = new Client({ connectionString: url });
	await client.connect();
	try {
		return (await client.query<R>(text, params)).rows;
	} finally {
		await client.end();
	}
}

async function post(url: string, body: unknown): Promise<{ status: number; items: Json[]; text: string }> {
	const response = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(180_000),
	});
	const text = await response.text();
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		parsed = undefined;
	}
	const items = Array.isArray(parsed) ? (parsed as Json[]) : parsed && typeof parsed === 'object' && Object.keys(parsed).length > 0 ? [parsed as Json] : [];
	return { status: response.status, items, text };
}

/** Brings up PostgreSQL, Redis, the emulator, n8n main and two workers, each with the package installed. */
async function startStack(): Promise<{ n8n: N8n; main: N8nServer; workers: N8nWorker[]; emulator: Emulator; ledgerUrl: string; n8nUrl: string; postgres: Postgres }> {
	log('Building and packing the package, installing n8n (cached), starting Redis and PostgreSQL');
	const services = (async () => {
		running.redis = await startRedis();
		running.postgres = await startPostgres();
	})();
	const [tarball] = await Promise.all([buildAndPack(running.workDir), installN8n(), services]);
	const redis = running.redis!;
	const postgres = running.postgres!;
	info(`Redis on 127.0.0.1:${redis.port}, PostgreSQL on ${postgres.host}:${postgres.port} (${postgres.folder})`);
	checks.check(`Redis runs as an unprivileged user (${processUser(redis.pid)})`, ![undefined, 'root'].includes(processUser(redis.pid)));
	const postgresPid = postgres.pid();
	checks.check(
		`PostgreSQL runs as an unprivileged user (${postgresPid ? processUser(postgresPid) : 'no pid'})`,
		postgresPid !== undefined && ![undefined, 'root'].includes(processUser(postgresPid)),
	);

	// n8n's own database and the ledger's, side by side on the same server.
	const ledgerUrl = postgres.url(postgres.database);
	await query(ledgerUrl, `CREATE DATABASE ${N8N_DATABASE}`);
	const n8nUrl = postgres.url(N8N_DATABASE);
	const [{ version }] = await query<{ version: string }>(n8nUrl, 'SELECT version()');
	info(version);

	const settings = {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: postgres.host,
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: N8N_DATABASE,
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_PASSWORD: postgres.password,
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
	};
	// Each process has its own user folder, as on separate machines, and its own install of the tarball.
	const n8n = new N8n(join(running.workDir, 'main'), settings);
	const workerFolders = [1, 2].map((index) => new N8n(join(running.workDir, `worker-${index}`), settings));
	log('Installing the tarball as a community package for the main process and each worker');
	await Promise.all([n8n, ...workerFolders].map(async (instance) => await installCommunityPackage(instance.n8nFolder, tarball)));

	const emulator = await startEmulator({ ...emulatorConfig(), port: 0, faults: { latencyMs: EMULATOR_LATENCY_MS } });
	running.emulator = emulator;
	info(`Emulator on ${emulator.url}`);

	log('Importing the credentials and the workflows into n8n’s PostgreSQL database');
	const { accessKeyId, secretAccessKey } = DEFAULT_TEST_CREDENTIAL;
	await n8n.importCredentials([
		{
			...AWS_CREDENTIAL,
			type: CREDENTIAL_TYPE,
			data: { region: emulator.region, credentialSource: 'accessKeys', accessKeyId, secretAccessKey, endpoint: emulator.url },
		},
		{
			...LEDGER_CREDENTIAL,
			type: 'awsMarketplaceMeteringLedgerApi',
			data: { host: postgres.host, port: postgres.port, database: postgres.database, user: postgres.user, password: postgres.password, ssl: 'disable' },
		},
	]);
	await n8n.importWorkflows([meterWorkflow(), drainWorkflow()]);
	for (const workflow of [meterWorkflow(), drainWorkflow()]) await n8n.publishWorkflow(workflow.id);

	log('Starting n8n main and two n8n workers (queue mode)');
	// Concurrency 1: a worker busy with one execution leaves the next to the other worker.
	const [main, ...workers] = await Promise.all([
		n8n.start(),
		...workerFolders.map(async (worker) => await worker.startWorker({ concurrency: 1 })),
	]);
	running.main = main as N8nServer;
	running.workers = workers as N8nWorker[];
	await running.main.waitForWebhook(`/webhook/${METER_PATH}`, 'POST');
	await running.main.waitForWebhook(`/webhook/${DRAIN_PATH}`, 'POST');
	info(`n8n main on ${running.main.url}; workers' health on ${running.workers.map((worker) => worker.url).join(', ')}`);
	const tables = await query<{ tablename: string }>(n8nUrl, `SELECT tablename FROM pg_tables WHERE tablename = 'execution_entity'`);
	checks.equal('n8n keeps its database on the PostgreSQL server (DB_TYPE=postgresdb)', tables.length, 1);
	return { n8n, main: running.main, workers: running.workers, emulator, ledgerUrl, n8nUrl, postgres };
}

interface ExecutionRow extends Json {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	startedAt: Date | null;
	stoppedAt: Date | null;
}

/** Which worker ran an execution, from the workers' own log lines. */
function workerOf(workers: N8nWorker[], executionId: string): number | undefined {
	const index = workers.findIndex((worker) => new RegExp(`Worker started execution ${executionId} \\(job`).test(worker.output()));
	return index < 0 ? undefined : index + 1;
}

interface LedgerKey extends Json {
	key_id: string;
	owner: string;
	customer: string;
	dimension: string;
	hour: Date;
	state: string;
	status: string | null;
	quantity: string;
	events: number;
	sent_quantity: string | null;
	metering_record_id: string | null;
	attempts: number;
	claimed_by: string | null;
}

interface LedgerEvent extends Json {
	event_id: string;
	key_id: string;
	quantity: string;
	happened_at: Date;
	carried_from: Date | null;
}

/** The input items' outcomes: the node answers one item per input item, in order, then one per other key it settled. */
function eventOutcomes(items: Json[], inputs: UsageEvent[]): Array<{ event: UsageEvent; item: Json }> {
	return inputs.map((event, index) => ({ event, item: items[index] ?? {} }));
}

/** The keys an execution's output reports billed. */
function sentKeys(items: Json[]): Set<string> {
	const success = items.filter((item) => item.status === 'Success');
	const keys = success.map(keyOfItem).filter((key): key is string => key !== undefined);
	if (keys.length !== success.length) throw new Error(`an item reported Success names no usage key: ${JSON.stringify(success.find((item) => !keyOfItem(item)))}`);
	return new Set(keys);
}

const hourOfKey = (id: string) => new Date(id.split('|')[3]).getTime();
const time = (date: Date | null) => date?.toISOString().slice(11, 23) ?? '?';

async function executionsOf(n8nUrl: string, workflowId?: string): Promise<ExecutionRow[]> {
	return await query<ExecutionRow>(
		n8nUrl,
		`SELECT id::text AS id, "workflowId", status, mode, "startedAt", "stoppedAt" FROM execution_entity
		WHERE $1::text IS NULL OR "workflowId" = $1 ORDER BY id::int`,
		[workflowId ?? null],
	);
}

/** The usage key of an item the node put out for a key. */
function keyOfItem(item: Json): string | undefined {
	const customer = item.customerAWSAccountId;
	if (typeof item.hour !== 'string' || typeof item.licenseArn !== 'string' || typeof customer !== 'string') return undefined;
	return billingKey({ licenseArn: item.licenseArn, customerAWSAccountId: customer, dimension: String(item.dimension) }, new Date(item.hour).getTime());
}

interface Round extends DeliveryPlan {
	title: string;
	/** The events are late: their hours were billed by earlier runs. */
	late?: boolean;
	/** A run with Source = Usage in the Ledger goes first. */
	drainBefore?: string;
}

// Overlapping deliveries: hours the metering runs send at once (3 or more before the current one), the hour 2
// before (which they only record: it stays open for them, and a ledger run sends it) and the hour in progress.
// Again in other hours; then late usage for the hours already billed, again delivered twice at once: the ledger
// carries it to a later hour. Each round is two executions at once.
const ROUNDS: Round[] = [
	{ label: 'a', hoursBack: [6, 4, 2], openHour: true, title: 'overlapping deliveries' },
	{ label: 'b', hoursBack: [5, 3], openHour: true, title: 'overlapping deliveries in other hours', drainBefore: 'after the first overlapping deliveries' },
	{ label: 'late', hoursBack: [6, 5, 4, 3, 2], openHour: false, title: 'late usage for the hours already billed', late: true },
];

interface RoundResult {
	round: Round;
	deliveries: Deliveries;
	answers: [Json[], Json[]];
	sent: Set<string>;
}

async function concurrentRound(round: Round, deliveries: Deliveries, main: N8nServer, workers: N8nWorker[], n8nUrl: string, seen: Set<string>): Promise<RoundResult> {
	const { first, second, distinct, shared } = deliveries;
	const hours = [...deliveries.closedHours, ...(round.openHour ? [deliveries.openHour] : [])];
	log(
		`Two executions at once, ${round.title}: ${first.length} and ${second.length} events (${shared.size} event IDs in both, one repeated within each), ` +
			`${distinct.length} distinct, ${sumsByKey(distinct).size} usage keys, hours ${hours.map((hour) => new Date(hour).toISOString().slice(11, 16)).join(', ')} UTC`,
	);
	const meterUrl = `${main.url}/webhook/${METER_PATH}`;
	const [answerA, answerB] = await Promise.all([post(meterUrl, { events: first }), post(meterUrl, { events: second })]);
	const ended = Date.now();
	checks.equal('both production webhook calls are answered HTTP 200', [answerA.status, answerB.status], [200, 200]);
	checks.check(
		'each answer has one item per input event (and one per other key it sent)',
		answerA.items.length >= first.length && answerB.items.length >= second.length,
		`${answerA.items.length} and ${answerB.items.length} items: ${answerA.text.slice(0, 300)} ${answerB.text.slice(0, 300)}`,
	);

	const executions = (await executionsOf(n8nUrl, meterWorkflow().id)).filter((row) => !seen.has(row.id));
	for (const row of executions) seen.add(row.id);
	checks.equal('n8n’s database holds two new executions, both production webhook runs, both successful', executions.map((row) => [row.mode, row.status]), [['webhook', 'success'], ['webhook', 'success']]);
	const [runA, runB] = executions;
	if (runA && runB) {
		const ranOn = [workerOf(workers, runA.id), workerOf(workers, runB.id)];
		info(
			`execution ${runA.id} on worker ${ranOn[0] ?? '?'}, ${time(runA.startedAt)}–${time(runA.stoppedAt)}; ` +
				`execution ${runB.id} on worker ${ranOn[1] ?? '?'}, ${time(runB.startedAt)}–${time(runB.stoppedAt)}`,
		);
		checks.check('the two executions ran on different workers (the workers’ logs)', ranOn[0] !== undefined && ranOn[1] !== undefined && ranOn[0] !== ranOn[1], JSON.stringify(ranOn));
		const overlap = runA.startedAt && runB.startedAt && runA.stoppedAt && runB.stoppedAt && runA.startedAt < runB.stoppedAt && runB.startedAt < runA.stoppedAt;
		checks.check('they ran at the same time (their start–stop times in n8n’s database overlap)', Boolean(overlap));
	}

	// Every event ID is counted by exactly one of the two executions; the other, or a repeat, says DuplicateEvent.
	const outcomes = [...eventOutcomes(answerA.items, first), ...eventOutcomes(answerB.items, second)];
	const statuses = new Map<string, number>();
	for (const { item } of outcomes) statuses.set(String(item.status), (statuses.get(String(item.status)) ?? 0) + 1);
	info(`input items' statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
	const unexpected = outcomes.filter(({ item }) => !['Success', 'Recorded', 'DuplicateEvent'].includes(String(item.status)) || item.error !== undefined);
	checks.check('every input item is Success, Recorded or DuplicateEvent (no error, no DuplicateRecord)', unexpected.length === 0, JSON.stringify(unexpected.slice(0, 3)));
	const countedBy = new Map<string, number>();
	for (const { event, item } of outcomes) if (item.status !== 'DuplicateEvent') countedBy.set(event.eventId, (countedBy.get(event.eventId) ?? 0) + 1);
	const miscounted = distinct.filter((event) => countedBy.get(event.eventId) !== 1);
	checks.check(
		`each of the ${distinct.length} distinct event IDs was counted by exactly one execution (the other, or a repeat, answered DuplicateEvent)`,
		miscounted.length === 0,
		miscounted.slice(0, 5).map((event) => `${event.eventId}: ${countedBy.get(event.eventId) ?? 0}`).join(', '),
	);
	if (round.late) {
		const notCarried = outcomes.filter(({ event, item }) => item.status !== 'DuplicateEvent' && item.carriedFrom !== new Date(hourOf(event.timestamp)).toISOString());
		checks.check('every late event is reported carried from its own hour, which was already billed', notCarried.length === 0, JSON.stringify(notCarried.slice(0, 3)));
	} else {
		// Hours still open for the metering runs are recorded, never sent by them.
		const early = outcomes.filter(({ event, item }) => item.status !== 'DuplicateEvent' && !isClosed(hourOf(event.timestamp), ended, METER_CLOSE_AFTER_MINUTES));
		checks.check(
			`the ${early.length} events of hours not closed for these runs (${METER_CLOSE_AFTER_MINUTES} minutes) are Recorded, not sent`,
			early.length > 0 && early.every(({ item }) => item.status === 'Recorded' && item.carriedFrom === undefined),
			JSON.stringify(early.filter(({ item }) => item.status !== 'Recorded').slice(0, 3)),
		);
	}
	const sentA = sentKeys(answerA.items);
	const sentB = sentKeys(answerB.items);
	// Which execution answered which call is not known here; the ledger's claimed_by names them (see below).
	info(`the first call's execution sent ${sentA.size} keys, the second call's ${sentB.size}`);
	checks.equal('no key was reported sent by both executions', [...sentA].filter((key) => sentB.has(key)), []);
	return { round, deliveries, answers: [answerA.items, answerB.items], sent: new Set([...sentA, ...sentB]) };
}

interface DrainResult {
	items: Json[];
	sent: Set<string>;
	started: number;
	ended: number;
}

/** A run of the workflow with Source = Usage in the Ledger: sends every hour closed for it that nobody sent. */
async function drainRun(title: string, main: N8nServer, sentBefore: Set<string>): Promise<DrainResult> {
	log(`A run with Source = Usage in the Ledger (Hour Closes After ${DRAIN_CLOSE_AFTER_MINUTES} minutes), ${title}`);
	const started = Date.now();
	const drain = await post(`${main.url}/webhook/${DRAIN_PATH}`, {});
	const ended = Date.now();
	checks.equal('its webhook is answered HTTP 200', drain.status, 200);
	const items = drain.items.filter((item) => item.status !== undefined);
	const sent = sentKeys(items);
	const hours = new Map<string, number>();
	for (const item of items) hours.set(String(item.hour).slice(11, 16), (hours.get(String(item.hour).slice(11, 16)) ?? 0) + 1);
	info(`it sent ${items.length} keys${items.length ? `, per hour (UTC): ${JSON.stringify(Object.fromEntries(hours))}` : ''}`);
	checks.check('every key it reports is Success (no error, no DuplicateRecord)', items.every((item) => item.status === 'Success' && item.error === undefined), JSON.stringify(items.filter((item) => item.status !== 'Success').slice(0, 3)));
	checks.equal('it sent no key an earlier run sent', [...sent].filter((key) => sentBefore.has(key)), []);
	return { items, sent, started, ended };
}

async function prove(): Promise<void> {
	const { main, workers, emulator, ledgerUrl, n8nUrl } = await startStack();
	// The emulator's subscribed customers with a License ARN: products listed since 2024 meter by account ID and license.
	const customers: Customer[] = (emulatorConfig().customers ?? [])
		.filter((customer) => customer.licenseArn)
		.map(({ customerAWSAccountId, licenseArn, productCode }) => ({ customerAWSAccountId, licenseArn: licenseArn!, productCode }));
	const dimensions = ['api_calls', 'storage_gb', 'users'];
	info(`seed ${seed} (npm run test:queue -- --seed=${seed} makes the same events)`);

	const seen = new Set<string>();
	const results: RoundResult[] = [];
	const drains: DrainResult[] = [];
	const sentSoFar = () => new Set([...results.flatMap((result) => [...result.sent]), ...drains.flatMap((drain) => [...drain.sent])]);
	// One reference time for every round, so that an hour ending between two rounds does not move their hours.
	const reference = Date.now();
	for (const round of ROUNDS) {
		if (round.drainBefore) {
			// The hour the metering runs only recorded, sent now by the ledger run: all its events were in before.
			const recordedOnly = new Set(
				results
					.flatMap((result) => result.deliveries.distinct)
					.filter((event) => hourOf(event.timestamp) === hourOf(reference) - 2 * HOUR_MS)
					.map((event) => billingKey(event, hourOf(event.timestamp))),
			);
			const drain = await drainRun(round.drainBefore, main, sentSoFar());
			checks.equal(`it sent the ${recordedOnly.size} keys of the hour the metering runs only recorded`, [...recordedOnly].filter((key) => !drain.sent.has(key)), []);
			drains.push(drain);
		}
		const deliveries = makeDeliveries(customers, dimensions, reference, seed, round);
		const sentBefore = sentSoFar();
		const result = await concurrentRound(round, deliveries, main, workers, n8nUrl, seen);
		checks.equal('... and none an earlier run sent', [...result.sent].filter((key) => sentBefore.has(key)), []);
		results.push(result);
	}
	const finalDrain = await drainRun('to finish', main, sentSoFar());
	drains.push(finalDrain);
	const drainStarted = finalDrain.started;
	const drainEnded = finalDrain.ended;

	// What the ledger holds, and what AWS (the emulator) billed and received.
	const keys = await query<LedgerKey>(
		ledgerUrl,
		`SELECT key_id::text AS key_id, owner, customer, dimension, hour, state, status, trim_scale(quantity)::text AS quantity, events,
			sent_quantity::text AS sent_quantity, metering_record_id, attempts, claimed_by
		FROM ${LEDGER_SCHEMA}.usage_key ORDER BY hour, key_id`,
	);
	const events = await query<LedgerEvent>(
		ledgerUrl,
		`SELECT event_id, key_id::text AS key_id, trim_scale(quantity)::text AS quantity, happened_at, carried_from FROM ${LEDGER_SCHEMA}.usage_event ORDER BY event_row`,
	);
	const billed = emulator.stats().billed;
	const keyIdOf = (key: LedgerKey) => billingKey({ licenseArn: key.owner, customerAWSAccountId: key.customer, dimension: key.dimension }, key.hour.getTime());
	const ledgerByKey = new Map(keys.map((key) => [keyIdOf(key), key]));
	const ledgerById = new Map(keys.map((key) => [key.key_id, key]));

	log('Exactly once');
	const distinct = results.flatMap((result) => result.deliveries.distinct);
	const byId = new Map(distinct.map((event) => [event.eventId, event]));
	checks.check(
		`the ledger holds each of the ${distinct.length} distinct events once, with its quantity, and nothing else`,
		events.length === distinct.length && events.every((event) => byId.get(event.event_id)?.quantity === Number(event.quantity)),
		`${events.length} events in the ledger`,
	);
	const eventsOfKey = new Map<string, LedgerEvent[]>();
	for (const event of events) eventsOfKey.set(event.key_id, [...(eventsOfKey.get(event.key_id) ?? []), event]);
	const ledgerSum = (key: LedgerKey) => (eventsOfKey.get(key.key_id) ?? []).reduce((sum, event) => sum + Number(event.quantity), 0);
	checks.check('each ledger key’s quantity is the sum of the events counted in it', keys.every((key) => Number(key.quantity) === ledgerSum(key) && key.events === (eventsOfKey.get(key.key_id) ?? []).length));

	// Late usage never reopens a billed hour: it goes to a later hour of the same license, customer and dimension.
	const lateIds = new Set(results.filter((result) => result.round.late).flatMap((result) => result.deliveries.distinct.map((event) => event.eventId)));
	const carried = events.filter((event) => event.carried_from !== null);
	const wronglyCarried = carried.filter((event) => {
		const own = byId.get(event.event_id)!;
		const key = ledgerById.get(event.key_id)!;
		return !(key.owner === own.licenseArn && key.customer === own.customerAWSAccountId && key.dimension === own.dimension && key.hour.getTime() > hourOf(own.timestamp) && event.carried_from!.getTime() === hourOf(own.timestamp));
	});
	checks.check(`every carried event went to a later hour of its own license, customer and dimension (${carried.length} carried)`, wronglyCarried.length === 0, JSON.stringify(wronglyCarried.slice(0, 3)));
	checks.check(`every late event was carried (${lateIds.size})`, [...lateIds].every((id) => events.find((event) => event.event_id === id)?.carried_from !== null));
	const carriedOnTime = carried.filter((event) => !lateIds.has(event.event_id));
	info(
		carriedOnTime.length === 0
			? 'no event of the overlapping rounds was carried: each was recorded before its hour was claimed'
			: `${carriedOnTime.length} events of the overlapping rounds were recorded after the other execution had claimed their hour (frozen its quantity) and were carried to the next hour not yet sent`,
	);

	// AWS's billing per key is the ledger's frozen quantity: the sum of the distinct events of the key.
	const wrong: string[] = [];
	for (const key of keys) {
		const id = keyIdOf(key);
		const hour = key.hour.getTime();
		if (isClosed(hour, drainStarted, DRAIN_CLOSE_AFTER_MINUTES) !== isClosed(hour, drainEnded, DRAIN_CLOSE_AFTER_MINUTES)) {
			process.stdout.write(`SKIP  ${id}: its hour closed while the drain ran\n`);
			continue;
		}
		const expected = isClosed(hour, drainStarted, DRAIN_CLOSE_AFTER_MINUTES) ? ledgerSum(key) : undefined;
		const actual = billed[id]?.quantity;
		if (actual !== expected) wrong.push(`${id}: billed ${actual ?? 'nothing'}, expected ${expected ?? 'nothing (hour open)'}`);
		else if (expected !== undefined && (key.state !== 'billed' || Number(key.sent_quantity) !== expected || key.metering_record_id !== billed[id].meteringRecordId)) {
			wrong.push(`${id}: ledger state ${key.state}, sent ${key.sent_quantity}, record ${key.metering_record_id} vs ${billed[id].meteringRecordId}`);
		}
	}
	const closedKeys = keys.filter((key) => isClosed(key.hour.getTime(), drainStarted, DRAIN_CLOSE_AFTER_MINUTES)).length;
	checks.check(
		`per usage key, the emulator billed the sum of the distinct events (by event ID) the ledger counted in it, and no key of an open hour (${closedKeys} closed, ${keys.length - closedKeys} open)`,
		wrong.length === 0,
		wrong.slice(0, 5).join('; '),
	);
	checks.equal('the emulator billed no key the ledger does not hold', Object.keys(billed).filter((id) => !ledgerByKey.has(id)), []);

	// In the issue's own terms: per usage key of the events' own hour, the sum of the distinct events by event ID.
	const onTime = results.filter((result) => !result.round.late).flatMap((result) => result.deliveries.distinct);
	const disturbed = new Set(carriedOnTime.flatMap((event) => [billingKey(byId.get(event.event_id)!, hourOf(byId.get(event.event_id)!.timestamp)), keyIdOf(ledgerById.get(event.key_id)!)]));
	const expectedByKey = sumsByKey(onTime);
	const literal = [...expectedByKey].filter(([id]) => isClosed(hourOfKey(id), drainStarted, DRAIN_CLOSE_AFTER_MINUTES) && !disturbed.has(id));
	const literalWrong = literal.filter(([id, sum]) => billed[id]?.quantity !== sum);
	if (literal.length > 0) {
		checks.check(
			`per usage key of the events' own hour, the emulator billed the sum of its distinct events by event ID (${literal.length} keys none of whose events was carried${disturbed.size ? `; the ${disturbed.size} that events were carried from or to are checked through the ledger above` : ''})`,
			literalWrong.length === 0,
			literalWrong.slice(0, 5).map(([id, sum]) => `${id}: billed ${billed[id]?.quantity ?? 'nothing'}, events sum to ${sum}`).join('; '),
		);
	} else {
		info(`every closed key had events carried from or to it this time: the keys are checked through the ledger above`);
	}
	// Per license, customer and dimension: every unit is billed once or waits in an hour not closed yet.
	const seriesOf = (licenseArn: string, customer: string, dimension: string) => `${licenseArn}|${customer}|${dimension}`;
	const balance = new Map<string, { events: number; billed: number; waiting: number }>();
	const entry = (id: string) => balance.get(id) ?? balance.set(id, { events: 0, billed: 0, waiting: 0 }).get(id)!;
	for (const event of distinct) entry(seriesOf(event.licenseArn, event.customerAWSAccountId, event.dimension)).events += event.quantity;
	for (const key of keys) {
		const sums = entry(seriesOf(key.owner, key.customer, key.dimension));
		sums.billed += billed[keyIdOf(key)]?.quantity ?? 0;
		if (key.state === 'open') sums.waiting += Number(key.quantity);
	}
	const unbalanced = [...balance].filter(([, sums]) => sums.events !== sums.billed + sums.waiting);
	checks.check(
		`per license, customer and dimension, the distinct events add up to what was billed plus what waits in open hours: nothing lost, nothing twice (${balance.size} series)`,
		unbalanced.length === 0,
		unbalanced.slice(0, 3).map(([id, sums]) => `${id}: ${JSON.stringify(sums)}`).join('; '),
	);
	const openKeys = [...expectedByKey.keys()].filter((id) => !isClosed(hourOfKey(id), drainEnded, DRAIN_CLOSE_AFTER_MINUTES));
	checks.check(`the hour in progress was not sent (${openKeys.length} keys wait in the ledger)`, openKeys.length > 0 && openKeys.every((id) => billed[id] === undefined && ledgerByKey.get(id)?.state === 'open'));
	const lateTotal = [...lateIds].reduce((sum, id) => sum + byId.get(id)!.quantity, 0);
	const lateKeys = new Set(carried.filter((event) => lateIds.has(event.event_id)).map((event) => event.key_id));
	const lateHours = [...new Set([...lateKeys].map((id) => ledgerById.get(id)!))].map((key) => `${key.hour.toISOString().slice(11, 16)} (${key.state})`);
	info(`late usage: ${lateTotal} units carried into the keys of ${[...new Set(lateHours)].join(', ')} UTC`);

	// The request log: every record AWS received.
	const sentRecords = new Map<string, Set<number>>();
	let recordsSent = 0;
	const batchRequests = emulator.log.filter((entry) => entry.operation === 'BatchMeterUsage');
	for (const entry of batchRequests) {
		const body = entry.body as { UsageRecords?: Array<{ LicenseArn?: string; CustomerAWSAccountId?: string; Dimension: string; Quantity?: number; Timestamp: number }> };
		for (const record of body.UsageRecords ?? []) {
			recordsSent++;
			const id = billingKey(
				{ licenseArn: record.LicenseArn ?? '', customerAWSAccountId: record.CustomerAWSAccountId ?? '', dimension: record.Dimension },
				hourOf(record.Timestamp * 1000),
			);
			sentRecords.set(id, (sentRecords.get(id) ?? new Set()).add(record.Quantity ?? 0));
		}
	}
	info(`the emulator received ${batchRequests.length} BatchMeterUsage requests with ${recordsSent} records: ${JSON.stringify(emulator.stats().requests.BatchMeterUsage ?? {})}`);
	const twoQuantities = [...sentRecords].filter(([, quantities]) => quantities.size > 1);
	checks.equal('no key was ever sent with two quantities (the emulator’s request log)', twoQuantities.map(([id, quantities]) => `${id}: ${[...quantities].join(', ')}`), []);
	checks.equal('each key was sent in one record only: no execution sent a key another one had claimed', recordsSent, sentRecords.size);
	checks.check('every request was answered HTTP 200', batchRequests.every((entry) => entry.httpStatus === 200));
	const duplicateKeys = keys.filter((key) => key.status === 'DuplicateRecord');
	const duplicateItems = [...results.flatMap((result) => result.answers.flat()), ...drains.flatMap((drain) => drain.items)].filter((item) => item.status === 'DuplicateRecord' || item.errorCode === 'DuplicateRecord');
	checks.check('no DuplicateRecord: not in n8n’s output, not in the ledger', duplicateKeys.length === 0 && duplicateItems.length === 0);
	checks.check('every key was sent in one attempt', keys.filter((key) => key.state === 'billed').every((key) => key.attempts === 1));

	const claimants = new Map<string, number>();
	for (const key of keys) if (key.claimed_by) claimants.set(key.claimed_by.split(':')[0], (claimants.get(key.claimed_by.split(':')[0]) ?? 0) + 1);
	info(`keys per execution that claimed and sent them (the ledger's claimed_by): ${JSON.stringify(Object.fromEntries(claimants))}`);

	const allDistinct = sumsByKey(distinct);
	const hours = [...new Set(keys.map((key) => key.hour.getTime()))].sort();
	const perHour = hours.map((hour) => {
		const inHour = keys.filter((key) => key.hour.getTime() === hour);
		const ownEvents = [...allDistinct].filter(([id]) => hourOfKey(id) === hour);
		return [
			new Date(hour).toISOString().slice(0, 16),
			String(inHour.length),
			String(ownEvents.reduce((sum, [, quantity]) => sum + quantity, 0)),
			String(inHour.reduce((sum, key) => sum + Number(key.quantity), 0)),
			String(inHour.reduce((sum, key) => sum + (billed[keyIdOf(key)]?.quantity ?? 0), 0)),
			[...new Set(inHour.map((key) => key.state))].join(', '),
		];
	});
	process.stdout.write(`\n${table(['hour (UTC)', 'keys', 'events of the hour', 'in the ledger', 'billed', 'state'], perHour)}\n`);

	log('The first delivery of the first round again (a re-delivered webhook)');
	const billedBefore = JSON.stringify(emulator.stats().billed);
	const requestsBefore = emulator.log.length;
	const redelivered = results[0].deliveries.first;
	const again = await post(`${main.url}/webhook/${METER_PATH}`, { events: redelivered });
	checks.equal('the re-delivery is answered HTTP 200', again.status, 200);
	checks.check(
		'every event of the re-delivery is a DuplicateEvent',
		again.items.length === redelivered.length && again.items.every((item) => item.status === 'DuplicateEvent'),
		JSON.stringify(again.items.filter((item) => item.status !== 'DuplicateEvent').slice(0, 3)),
	);
	checks.check('... nothing more was billed and nothing was sent', JSON.stringify(emulator.stats().billed) === billedBefore && emulator.log.length === requestsBefore);

	const all = await executionsOf(n8nUrl);
	const where = all.map((row) => workerOf(workers, row.id));
	const perWorker = [1, 2].map((worker) => where.filter((ranOn) => ranOn === worker).length);
	info(`executions per worker: ${perWorker.join(' and ')}`);
	checks.check(
		`all ${ROUNDS.length * 2 + 3} executions succeeded, each on a worker, none on the main process`,
		all.length === ROUNDS.length * 2 + 3 && all.every((row, index) => row.status === 'success' && where[index] !== undefined) && !/Worker started execution/.test(main.output()),
		all.map((row, index) => `${row.id} ${row.workflowId} ${row.status} worker ${where[index] ?? '?'}`).join('; '),
	);
}

async function stopAll(): Promise<void> {
	log('Stopping every process this run started');
	const pids: Array<[string, number | undefined]> = [
		['n8n main', running.main?.process.pid],
		...running.workers.map((worker, index): [string, number | undefined] => [`n8n worker ${index + 1}`, worker.process.pid]),
		['Redis', running.redis?.pid],
		['PostgreSQL', running.postgres?.pid()],
	];
	await Promise.all([running.main?.stop(), ...running.workers.map(async (worker) => await worker.stop())]);
	await running.redis?.stop();
	running.postgres?.stop();
	await running.emulator?.stop();
	// A server that was told to stop may take a moment to exit.
	let left = pids.filter(([, pid]) => pid !== undefined && isRunning(pid));
	for (let wait = 0; left.length > 0 && wait < 40; wait++) {
		await new Promise((resolve) => setTimeout(resolve, 250));
		left = left.filter(([, pid]) => isRunning(pid!));
	}
	checks.equal(`every process stopped (${pids.map(([name]) => name).join(', ')})`, left.map(([name, pid]) => `${name} (${pid})`), []);
}

async function main(): Promise<number> {
	running.workDir = await mkdtemp(join(tmpdir(), 'n8n-aws-marketplace-queue-'));
	installCleanup(() => {
		// Also on failure, Ctrl-C and SIGTERM: the n8n processes and Redis were killed just before (their process
		// groups); PostgreSQL runs detached under pg_ctl and is stopped here. Then the throwaway folders go.
		const attempt = (what: () => void) => {
			try {
				what();
			} catch (error) {
				process.stderr.write(`cleanup: ${(error as Error).message}\n`);
			}
		};
		attempt(() => running.postgres?.stop());
		const folders = [running.workDir, running.redis?.folder].filter((folder): folder is string => Boolean(folder));
		if (keep) process.stderr.write(`Kept ${running.workDir}\n`);
		// A process killed a moment ago may still be writing its last files.
		else for (const folder of folders) attempt(() => rmSync(folder, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }));
		if (!summarized) {
			checks.check('the run was not interrupted', false);
			summarize();
		}
	});
	try {
		await prove();
	} catch (error) {
		checks.check('the run completed', false, (error as Error).stack ?? String(error));
		for (const [name, output] of [['main', running.main?.output()], ...running.workers.map((worker, index) => [`worker ${index + 1}`, worker.output()])]) {
			if (output) process.stdout.write(`\n--- n8n ${name}, last lines ---\n${output.trimEnd().split('\n').slice(-25).join('\n')}\n`);
		}
	}
	await stopAll();
	process.stdout.write(`\nQueue mode on real n8n: done in ${Math.round((Date.now() - started) / 1000)} s\n`);
	summarize();
	return checks.failed === 0 ? 0 : 1;
}

runMain(TIME_LIMIT_MS, main, (description, detail) => {
	checks.check(description, false, detail);
	summarize();
});
