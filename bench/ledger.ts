// The metering ledger's scenarios: Record Usage of many events into the embedded ledger (PGlite in a
// worker thread of the n8n process) and into PostgreSQL (its own server processes); Batch Meter
// Usage with Source "Usage in the Ledger" over the same events, next to the stateless path (no
// ledger, the same events as input items); and Record Usage of one event per execution, as a
// webhook does. Each run goes through n8n-core's WorkflowExecute in a process of its own
// (bench/ledgerRun.ts), after the same warm-up.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { INodeParameters } from 'n8n-workflow';

import { startPostgres } from '../test/helpers/postgres';
import type { EmulatorAdmin } from './emulatorProcess';
import { IDLE_SECONDS, ledgerEvents, type EventsSpec, type Job, type JobResult, type PostgresCredential, type Store } from './ledgerRun';

export type { Store } from './ledgerRun';

const HOUR = 3600_000;

interface Memory {
	/** Peak RSS of the n8n process (the bench's child) during the run. */
	peakRssMb: number;
	/** Peak RSS over its level before the run. */
	rssGrowthMb: number;
	/** Peak JavaScript heap (main thread, garbage included) over its level before the run. */
	heapGrowthMb: number;
}

export interface RecordRow extends Memory {
	store: Store;
	events: number;
	wallMs: number;
	eventsPerSecond: number;
	cpuMicrosPerEvent: number;
	/** CPU of the PostgreSQL server's processes (not in the n8n process). */
	serverCpuMicrosPerEvent?: number;
	statuses: Record<string, number>;
	/** Creating the ledger: the first open of a new one (its process's warm-up), what a first execution into it waits for. */
	createMs?: number;
}

export interface MeterRow extends Memory {
	path: 'stateless' | Store;
	events: number;
	/** Usage records billed: aggregated keys. */
	records: number;
	requests: number;
	/** ceil(records / 25) per product. */
	minimumRequests: number;
	wallMs: number;
	cpuMicrosPerEvent: number;
	serverCpuMicrosPerEvent?: number;
	/** The ledger path from input to AWS: Record Usage's CPU per event plus this run's. */
	recordAndMeterCpuMicrosPerEvent?: number;
	/** Quantity the emulator billed, against the sum of the events' quantities. */
	billedQuantity: number;
	expectedQuantity: number;
	outputItems: number;
	statuses: Record<string, number>;
}

export interface PerExecutionRow extends Memory {
	store: Store;
	executions: number;
	wallMsPerExecution: number;
	cpuMsPerExecution: number;
	serverCpuMsPerExecution?: number;
	statuses: Record<string, number>;
	/** One execution after the embedded ledger closed for idleness (and PostgreSQL's pool). */
	afterIdle?: { wallMs: number; cpuMs: number; status: string };
}

export interface LedgerResults {
	events: number;
	customers: number;
	records: RecordRow[];
	meters: MeterRow[];
	perExecution: PerExecutionRow[];
	/** Stores that could not be measured, and why. */
	skipped: { store: Store; reason: string }[];
}

export interface LedgerBenchOptions {
	emulator: EmulatorAdmin;
	events: number;
	/** Executions of Record Usage with one event each. */
	executions: number;
	/** The build the runs load the node from. */
	nodeDist: string;
	/** Where to write a CPU profile of each run (every thread), when set. */
	profileDir?: string;
	/** Node options of the metering runs (the emulator's faults are the caller's). */
	meteringOptions: INodeParameters;
	minimumRequests: (events: Record<string, unknown>[]) => number;
	stores: Store[];
}

export async function runLedgerBench(options: LedgerBenchOptions): Promise<LedgerResults> {
	const { emulator, events: count, meteringOptions } = options;
	// About 200 events per customer, as in the other scenarios, in two hours that closed an hour ago or more.
	const customers = Math.max(5, Math.round(count / 200));
	const spec: EventsSpec = { count, customers, seed: count + 1, now: Date.now() - HOUR, idPrefix: 'event' };
	const events = ledgerEvents(spec);
	const minimumRequests = options.minimumRequests(events);
	const expectedQuantity = events.reduce((sum, event) => sum + Number(event.quantity), 0);
	const results: LedgerResults = { events: count, customers, records: [], meters: [], perExecution: [], skipped: [] };
	const job = (kind: Job['kind'], store?: Store, ledger?: LedgerHandle, eventsSpec = spec) =>
		runJob({ kind, store, profileDir: options.profileDir, nodeDist: options.nodeDist, events: eventsSpec, emulator: { url: emulator.url, region: emulator.region }, meteringOptions, postgres: ledger?.postgres, resultFile: '' }, ledger?.env);
	const meterRow = (path: MeterRow['path'], result: JobResult): MeterRow => ({
		path,
		events: count,
		records: result.records,
		requests: result.requests,
		minimumRequests,
		wallMs: result.wallMs,
		cpuMicrosPerEvent: result.cpuMicros / count,
		...(result.serverCpuMicros !== undefined ? { serverCpuMicrosPerEvent: result.serverCpuMicros / count } : {}),
		...memory(result),
		billedQuantity: result.billedQuantity,
		expectedQuantity,
		outputItems: result.outputItems,
		statuses: result.statuses,
	});

	results.meters.push(meterRow('stateless', await job('stateless')));
	console.error(`done: stateless path, ${count} events`);

	for (const store of options.stores) {
		let ledger: LedgerHandle;
		try {
			ledger = openStore(store);
		} catch (error) {
			results.skipped.push({ store, reason: (error as Error).message.split('\n')[0] });
			console.error(`skipped: the ${store} ledger: ${(error as Error).message}`);
			continue;
		}
		try {
			const recorded = await job('record', store, ledger);
			const record: RecordRow = {
				store,
				events: count,
				wallMs: recorded.wallMs,
				eventsPerSecond: (count / recorded.wallMs) * 1000,
				cpuMicrosPerEvent: recorded.cpuMicros / count,
				...(recorded.serverCpuMicros !== undefined ? { serverCpuMicrosPerEvent: recorded.serverCpuMicros / count } : {}),
				...memory(recorded),
				statuses: recorded.statuses,
				createMs: recorded.openMs,
			};
			results.records.push(record);
			console.error(`done: Record Usage into the ${store} ledger, ${count} events`);

			const meter = meterRow(store, await job('meter', store, ledger));
			meter.recordAndMeterCpuMicrosPerEvent = record.cpuMicrosPerEvent + meter.cpuMicrosPerEvent;
			results.meters.push(meter);
			console.error(`done: Batch Meter Usage from the ${store} ledger, ${count} events`);

			const single = await job('perExecution', store, { ...ledger, env: { ...ledger.env, AWS_MARKETPLACE_METERING_LEDGER_IDLE_SECONDS: String(IDLE_SECONDS) } }, { count: options.executions, customers: 5, seed: 3, now: Date.now(), current: true, idPrefix: 'webhook' });
			results.perExecution.push({
				store,
				executions: single.executions,
				wallMsPerExecution: single.wallMs / single.executions,
				cpuMsPerExecution: single.cpuMicros / 1000 / single.executions,
				...(single.serverCpuMicros !== undefined ? { serverCpuMsPerExecution: single.serverCpuMicros / 1000 / single.executions } : {}),
				...memory(single),
				statuses: single.statuses,
				...(single.afterIdle ? { afterIdle: { wallMs: single.afterIdle.wallMs, cpuMs: single.afterIdle.cpuMicros / 1000, status: single.afterIdle.status } } : {}),
			});
			console.error(`done: Record Usage into the ${store} ledger, one event per execution`);
		} finally {
			ledger.stop();
		}
	}
	return results;
}

function memory(result: JobResult): Memory {
	return { peakRssMb: result.peakRssMb, rssGrowthMb: result.peakRssMb - result.rssBeforeMb, heapGrowthMb: result.peakHeapMb - result.heapBeforeMb };
}

/** Runs a job in a new process (bench/ledgerChild.cjs) and reads its result. */
async function runJob(job: Job, env: NodeJS.ProcessEnv = {}): Promise<JobResult> {
	const folder = mkdtempSync(join(tmpdir(), 'bench-job-'));
	try {
		const jobFile = join(folder, 'job.json');
		const resultFile = join(folder, 'result.json');
		writeFileSync(jobFile, JSON.stringify({ ...job, resultFile }));
		const profile = job.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(job.profileDir, [job.kind, job.store].filter(Boolean).join('-'))}`] : [];
		const child = spawn(process.execPath, ['--expose-gc', ...profile, join(__dirname, 'ledgerChild.cjs'), jobFile], {
			env: { ...process.env, ...env },
			// Its stdout on our stderr: our stdout is the report.
			stdio: ['ignore', process.stderr, 'inherit'],
		});
		const code = await new Promise<number | null>((resolve, reject) => child.once('exit', resolve).once('error', reject));
		if (code !== 0) throw new Error(`the ${job.kind} run${job.store ? ` (${job.store} ledger)` : ''} exited with ${code}`);
		return JSON.parse(readFileSync(resultFile, 'utf8')) as JobResult;
	} finally {
		rmSync(folder, { recursive: true, force: true });
	}
}

interface LedgerHandle {
	/** The child's environment: N8N_USER_FOLDER for the embedded ledger. */
	env: NodeJS.ProcessEnv;
	postgres?: Job['postgres'];
	stop(): void;
}

function openStore(store: Store): LedgerHandle {
	if (store === 'embedded') {
		// The node keeps the embedded ledger under <N8N_USER_FOLDER>/.n8n/aws-marketplace-metering/ledger.
		const folder = mkdtempSync(join(tmpdir(), 'bench-n8n-'));
		return { env: { N8N_USER_FOLDER: folder }, stop: () => rmSync(folder, { recursive: true, force: true }) };
	}
	const postgres = startPostgres({ prefix: 'bench-postgres-' });
	const credential: PostgresCredential = {
		host: postgres.host,
		port: postgres.port,
		database: postgres.database,
		user: postgres.user,
		password: postgres.password,
		ssl: 'disable',
	};
	const postmasterPid = postgres.pid()!;
	// n8n's own user folder for the child (instance settings), not the home folder.
	const n8nFolder = mkdtempSync(join(tmpdir(), 'bench-n8n-'));
	return {
		env: { N8N_USER_FOLDER: n8nFolder },
		postgres: { credential, postmasterPid },
		stop: () => {
			postgres.stop();
			rmSync(n8nFolder, { recursive: true, force: true });
		},
	};
}
