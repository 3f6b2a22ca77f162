// One measured run of the ledger scenarios, in a process of its own (bench/ledgerChild.cjs): its
// memory figures start from a fresh process, and the embedded ledger's worker thread runs PGlite
// without tsx's loader, which a worker inherits from a process started by tsx but n8n never has.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

import { DEFAULT_TEST_CREDENTIAL } from '../emulator';
import { runNodeType, type NodeRun } from '../test/helpers/engine';
import { usageEvents } from '../test/helpers/usage';
import { LEDGER_BENCH_MODULE } from './dist';
import { emulatorAdmin, type EmulatorAdmin } from './emulatorProcess';
import { instrumentExecute, processTreeCpuMicros, type NodeConstructor } from './processCpu';

export type Store = 'embedded' | 'postgres';

export interface PostgresCredential extends ICredentialDataDecryptedObject {
	host: string;
	port: number;
	database: string;
	user: string;
	password: string;
	ssl: 'disable';
}

export interface EventsSpec {
	count: number;
	customers: number;
	seed: number;
	/** Events fall in the two hours before the last full hour before this instant. */
	now: number;
	/** Every event stamped with the time it is sent, as a webhook's would be. */
	current?: boolean;
	/** Event IDs are `${prefix}-${index}`. */
	idPrefix: string;
}

export interface Job {
	kind: 'stateless' | 'record' | 'meter' | 'perExecution';
	store?: Store;
	/** The build to load the node and the ledger from. */
	nodeDist: string;
	events: EventsSpec;
	emulator: { url: string; region: string };
	meteringOptions: INodeParameters;
	postgres?: { credential: PostgresCredential; postmasterPid: number };
	/** Where CPU profiles go, when set. */
	profileDir?: string;
	/** Where the child writes its JobResult. */
	resultFile: string;
}

export interface JobResult {
	executions: number;
	wallMs: number;
	/** The node's CPU: process CPU inside its execute (PGlite's worker thread included). */
	cpuMicros: number;
	/** The PostgreSQL server's CPU over the run, all of its processes. */
	serverCpuMicros?: number;
	rssBeforeMb: number;
	peakRssMb: number;
	heapBeforeMb: number;
	peakHeapMb: number;
	requests: number;
	records: number;
	billedQuantity: number;
	outputItems: number;
	statuses: Record<string, number>;
	/** Opening the ledger before the measured runs: for the first job on a store, creating it (initdb, the schema). */
	openMs?: number;
	/** perExecution: one more execution once the embedded ledger closed for idleness (IDLE_SECONDS). */
	afterIdle?: { wallMs: number; cpuMicros: number; status: string };
}

const WARM_UP_EVENTS = 5_000;
/** perExecution runs keep the embedded ledger open this long with nothing to do (AWS_MARKETPLACE_METERING_LEDGER_IDLE_SECONDS). */
export const IDLE_SECONDS = 3;

/** The events of a spec: the same in every process that builds them. */
export function ledgerEvents(spec: EventsSpec): Record<string, unknown>[] {
	const events = usageEvents({ count: spec.count, customers: spec.customers, products: 3, dimensions: 3, hours: 2, seed: spec.seed, now: spec.now });
	return events.map((event, index) => ({ eventId: `${spec.idPrefix}-${index}`, ...event, ...(spec.current ? { timestamp: new Date().toISOString() } : {}) }));
}

/** The child's entry point: runs the job named on the command line and writes its result. */
export async function main(): Promise<void> {
	process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
	const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Job;
	// The bundled node and ledger, as n8n runs them.
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const bundle = require(join(job.nodeDist, LEDGER_BENCH_MODULE)) as typeof import('./nodeAndLedger');
	const node = bundle.AwsMarketplaceMetering as NodeConstructor;
	const ledger = bundle.ledger;
	const emulator = emulatorAdmin(job.emulator);
	const credentials: Record<string, ICredentialDataDecryptedObject> = {
		awsMarketplaceMeteringApi: {
			region: emulator.region,
			credentialSource: 'accessKeys',
			accessKeyId: DEFAULT_TEST_CREDENTIAL.accessKeyId,
			secretAccessKey: DEFAULT_TEST_CREDENTIAL.secretAccessKey,
			endpoint: emulator.url,
		},
		...(job.postgres ? { awsMarketplaceMeteringLedgerApi: job.postgres.credential } : {}),
	};

	// n8n is a long-running process: the measured run is not its first. The stateless path warms the
	// code every path shares (reading and validating items, the SDK, WorkflowExecute); opening the
	// ledger once creates it (the embedded one runs initdb the first time) and migrates its schema.
	await emulator.reset();
	const warmUp = ledgerEvents({ count: WARM_UP_EVENTS, customers: 25, seed: 7, now: job.events.now, idPrefix: 'warm-up' });
	await runNodeType({ parameters: { operation: 'batchMeterUsage', options: job.meteringOptions }, credentials, items: warmUp, nodeType: new node() });
	let openMs: number | undefined;
	if (job.store) {
		const started = performance.now();
		const opened = await ledger.openLedger(
			job.store === 'embedded'
				? { store: 'embedded', folder: ledger.defaultLedgerFolder() }
				: { store: 'postgres', connection: job.postgres!.credential },
		);
		openMs = performance.now() - started;
		await opened.close();
	}

	const events = ledgerEvents(job.events);
	const ledgerParameters = { ledger: job.store, closeAfterMinutes: 10 };
	const runs: (() => Promise<NodeRun>)[] = [];
	const run = (parameters: INodeParameters, items: Record<string, unknown>[]) => () => runNodeType({ parameters, credentials, items, nodeType: new node() });
	if (job.kind === 'stateless') runs.push(run({ operation: 'batchMeterUsage', options: job.meteringOptions }, events));
	if (job.kind === 'record') runs.push(run({ operation: 'recordUsage', ...ledgerParameters }, events));
	if (job.kind === 'meter') runs.push(run({ operation: 'batchMeterUsage', source: 'ledger', ...ledgerParameters, options: job.meteringOptions }, [{}]));
	// One execution per event: a webhook that records each event as it arrives.
	if (job.kind === 'perExecution') for (const event of events) runs.push(run({ operation: 'recordUsage', ...ledgerParameters }, [event]));

	const result = await measure(node, emulator, runs, job.postgres?.postmasterPid);
	result.openMs = openMs;
	if (job.kind === 'perExecution') {
		// Past the idle time the embedded ledger has closed (PostgreSQL's pool too): the next execution opens it again.
		await new Promise((resolve) => setTimeout(resolve, (IDLE_SECONDS + 1) * 1000));
		if (job.store === 'embedded' && existsSync(join(ledger.defaultLedgerFolder(), 'ledger.lock'))) throw new Error('the embedded ledger did not close once idle');
		const [event] = ledgerEvents({ ...job.events, count: 1, idPrefix: 'after-idle' });
		const cpu = instrumentExecute(node);
		const started = performance.now();
		const { outputs, error } = await run({ operation: 'recordUsage', ...ledgerParameters }, [event])();
		const wallMs = performance.now() - started;
		cpu.restore();
		if (error) throw new Error(`the node failed: ${error.message}`);
		result.afterIdle = { wallMs, cpuMicros: cpu.micros(), status: String(outputs.flat()[0]?.json.status) };
	}
	writeFileSync(job.resultFile, JSON.stringify(result));
}

/**
 * Wall time, the node's CPU time (the method of the other scenarios), the PostgreSQL server's CPU,
 * and RSS and JavaScript heap before the runs and at their peak, sampled every 20 ms.
 */
async function measure(node: NodeConstructor, emulator: EmulatorAdmin, runs: (() => Promise<NodeRun>)[], postmasterPid?: number): Promise<JobResult> {
	await emulator.reset();
	// Let a quota's one-second window forget the warm-up.
	await new Promise((resolve) => setTimeout(resolve, 1100));
	global.gc?.();
	const cpu = instrumentExecute(node);
	const serverBefore = postmasterPid ? processTreeCpuMicros(postmasterPid) : undefined;
	const before = process.memoryUsage();
	let peakRss = before.rss;
	let peakHeap = before.heapUsed;
	const sample = () => {
		const now = process.memoryUsage();
		peakRss = Math.max(peakRss, now.rss);
		peakHeap = Math.max(peakHeap, now.heapUsed);
	};
	const sampler = setInterval(sample, 20);
	const started = performance.now();
	const startedHr = process.hrtime.bigint();
	const outputs: NodeRun['outputs'][] = [];
	try {
		for (const run of runs) {
			const { outputs: output, error } = await run();
			if (error) throw new Error(`the node failed: ${error.message}`);
			outputs.push(output);
		}
	} finally {
		clearInterval(sampler);
		cpu.restore();
	}
	const wallMs = performance.now() - started;
	// For a profile (npm run bench -- --profile DIR): its timestamps are on the same clock.
	if (process.execArgv.includes('--cpu-prof')) console.error(`measured window (hrtime µs): ${startedHr / 1000n}-${process.hrtime.bigint() / 1000n}`);
	sample();
	let serverCpuMicros: number | undefined;
	if (serverBefore !== undefined) {
		// The pool's backends exit when the node closes the ledger: let the postmaster reap them.
		await new Promise((resolve) => setTimeout(resolve, 300));
		serverCpuMicros = processTreeCpuMicros(postmasterPid!) - serverBefore;
	}
	const stats = await emulator.stats();
	const billed = Object.values(stats.billed);
	const items = outputs.flatMap((output) => output.flat());
	const statuses: Record<string, number> = {};
	for (const item of items) statuses[String(item.json.status)] = (statuses[String(item.json.status)] ?? 0) + 1;
	const mb = (bytes: number) => bytes / 2 ** 20;
	return {
		executions: runs.length,
		wallMs,
		cpuMicros: cpu.micros(),
		serverCpuMicros,
		rssBeforeMb: mb(before.rss),
		peakRssMb: mb(peakRss),
		heapBeforeMb: mb(before.heapUsed),
		peakHeapMb: mb(peakHeap),
		requests: Object.values(stats.requests.BatchMeterUsage ?? {}).reduce((sum, count) => sum + count, 0),
		records: billed.length,
		billedQuantity: billed.reduce((sum, usage) => sum + usage.quantity, 0),
		outputItems: items.length,
		statuses,
	};
}

