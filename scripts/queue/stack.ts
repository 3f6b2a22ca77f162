// The queue-mode stack on real n8n, as n8n users scale out: n8n main + two `n8n worker`s + Redis + PostgreSQL
// (Debian's packages, started as unprivileged users on loopback, data in throwaway folders), n8n's own database
// and the metering ledger on that PostgreSQL, this package's `npm pack` tarball installed as a community package
// in each process's user folder, and the Metering emulator as AWS. test/e2e/queue.e2e.ts drives it.
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
import { installCleanup, tail } from '../e2e/lib/proc';
import { isRunning, startPostgres, startRedis, type Postgres, type Redis } from './services';
import { AWS_CREDENTIAL, DRAIN_PATH, LEDGER_CREDENTIAL, METER_PATH, drainWorkflow, meterWorkflow } from './workflows';

const N8N_DATABASE = 'n8n';
const LEDGER_SCHEMA = 'aws_marketplace_metering';
// Every request waits this long at the emulator, so that the two executions are sending at the same time.
const EMULATOR_LATENCY_MS = 250;

export type Json = Record<string, unknown>;

export const emulatorConfig = () => JSON.parse(readFileSync(join(ROOT, 'emulator', 'sample-config.json'), 'utf8')) as EmulatorOptions;

export async function query<R extends Json>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
	const client = new Client({ connectionString: url });
	await client.connect();
	try {
		return (await client.query<R>(text, params)).rows;
	} finally {
		await client.end();
	}
}

export interface Answer {
	status: number;
	/** The items of a JSON array answer (or the one object answered). */
	items: Json[];
	text: string;
}

export async function post(url: string, body: unknown): Promise<Answer> {
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

export interface ExecutionRow extends Json {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	startedAt: Date | null;
	stoppedAt: Date | null;
}

/** The executions n8n stored (of one workflow), oldest first. */
export async function executionsOf(n8nUrl: string, workflowId?: string): Promise<ExecutionRow[]> {
	return await query<ExecutionRow>(
		n8nUrl,
		`SELECT id::text AS id, "workflowId", status, mode, "startedAt", "stoppedAt" FROM execution_entity
		WHERE $1::text IS NULL OR "workflowId" = $1 ORDER BY id::int`,
		[workflowId ?? null],
	);
}

/** Which worker (1 or 2) ran an execution, from the workers' own log lines. */
export function workerOf(workers: N8nWorker[], executionId: string): number | undefined {
	const index = workers.findIndex((worker) => new RegExp(`Worker started execution ${executionId} \\(job`).test(worker.output()));
	return index < 0 ? undefined : index + 1;
}

export interface LedgerKey extends Json {
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

export interface LedgerEvent extends Json {
	event_id: string;
	key_id: string;
	quantity: string;
	happened_at: Date;
	carried_from: Date | null;
}

/** The ledger's usage keys and events, as the PostgreSQL ledger stores them. */
export async function readLedger(ledgerUrl: string): Promise<{ keys: LedgerKey[]; events: LedgerEvent[] }> {
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
	return { keys, events };
}

/** What a started stack consists of. */
interface Started {
	main: N8nServer;
	workers: N8nWorker[];
	emulator: Emulator;
	postgres: Postgres;
	redis: Redis;
	/** The ledger's database, and n8n's, on the same server. */
	ledgerUrl: string;
	n8nUrl: string;
}

/** A process of the stack and its process ID, taken while it ran. */
export type StackProcess = [name: string, pid: number | undefined];

export class QueueStack {
	private workDir = '';
	private postgres?: Postgres;
	private redis?: Redis;
	private emulator?: Emulator;
	private main?: N8nServer;
	/** By number, as named in the output: worker 1 and worker 2. */
	private workers: N8nWorker[] = [];
	private started?: Started;
	private stopped?: Promise<StackProcess[]>;
	private keptSaid = false;

	/** `keep`: leave the temporary folder behind, for diagnosis. */
	constructor(
		private readonly keep: boolean,
		private readonly log: (message: string) => void,
	) {}

	/** The running stack; throws if it did not start (its own failure is reported where it was started). */
	get running(): Started {
		if (!this.started) throw new Error('the queue-mode stack did not start: see the failure of its start');
		return this.started;
	}

	/** Brings up PostgreSQL, Redis, the emulator, n8n main and two workers, each with the package installed. */
	async start(): Promise<Started> {
		this.workDir = await mkdtemp(join(tmpdir(), 'n8n-aws-marketplace-queue-'));
		// Also on failure, Ctrl-C and SIGTERM: the n8n processes and Redis were killed just before (their process
		// groups); PostgreSQL runs detached under pg_ctl and is stopped here. Then the throwaway folders go.
		installCleanup(() => this.removeLeftovers());

		this.log('Building and packing the package, installing n8n (cached), starting Redis and PostgreSQL');
		const services = (async () => {
			this.redis = await startRedis();
			this.postgres = startPostgres();
		})();
		const [tarball] = await Promise.all([buildAndPack(this.workDir), installN8n(), services]);
		const redis = this.redis!;
		const postgres = this.postgres!;

		// n8n's own database and the ledger's, side by side on the same server.
		const ledgerUrl = postgres.url(postgres.database);
		await query(ledgerUrl, `CREATE DATABASE ${N8N_DATABASE}`);
		const n8nUrl = postgres.url(N8N_DATABASE);

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
		const n8n = new N8n(join(this.workDir, 'main'), settings);
		const workerFolders = [1, 2].map((index) => new N8n(join(this.workDir, `worker-${index}`), settings));
		this.log('Installing the tarball as a community package for the main process and each worker');
		await Promise.all([n8n, ...workerFolders].map(async (instance) => await installCommunityPackage(instance.n8nFolder, tarball)));

		const emulator = await startEmulator({ ...emulatorConfig(), port: 0, faults: { latencyMs: EMULATOR_LATENCY_MS } });
		this.emulator = emulator;

		this.log('Importing the credentials and the workflows into n8n’s PostgreSQL database');
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

		// Stopped meanwhile (jest gave up on the start): start no server that nothing would stop.
		if (this.stopped) throw new Error('the stack was stopped while it started');
		this.log('Starting n8n main and two n8n workers (queue mode)');
		// Concurrency 1: a worker busy with one execution leaves the next to the other worker.
		await Promise.all([
			(async () => (this.main = await n8n.start()))(),
			...workerFolders.map(async (folder, index) => (this.workers[index] = await folder.startWorker({ concurrency: 1 }))),
		]);
		const main = this.main!;
		await main.waitForWebhook(`/webhook/${METER_PATH}`, 'POST');
		await main.waitForWebhook(`/webhook/${DRAIN_PATH}`, 'POST');
		this.log(`n8n main on ${main.url}, Redis on 127.0.0.1:${redis.port}, PostgreSQL on ${postgres.host}:${postgres.port}, emulator on ${emulator.url}`);
		this.started = { main, workers: this.workers, emulator, postgres, redis, ledgerUrl, n8nUrl };
		return this.started;
	}

	/** The last lines each n8n process printed: why an execution failed or a webhook was not answered. */
	n8nOutput(): string {
		const processes: Array<[string, { output(): string } | undefined]> = [['main', this.main], ...this.workers.map((worker, index): [string, N8nWorker] => [`worker ${index + 1}`, worker])];
		return processes
			.filter(([, process]) => process?.output())
			.map(([name, process]) => `--- n8n ${name}, last lines ---\n${tail(process!.output(), 25)}`)
			.join('\n');
	}

	/**
	 * Stops every process it started and the emulator, removes the throwaway folders; returns the processes still
	 * running a while after (none, unless one refuses to stop). Once: a second call has the first one's answer.
	 */
	async stop(): Promise<StackProcess[]> {
		this.stopped ??= this.stopEverything();
		return await this.stopped;
	}

	private async stopEverything(): Promise<StackProcess[]> {
		const processes: StackProcess[] = [
			['n8n main', this.main?.process.pid],
			...this.workers.map((worker, index): StackProcess => [`n8n worker ${index + 1}`, worker.process.pid]),
			['Redis', this.redis?.pid],
			['PostgreSQL', this.postgres?.pid()],
		];
		await Promise.all([this.main?.stop(), ...this.workers.map(async (worker) => await worker.stop())]);
		await this.redis?.stop();
		this.postgres?.stop();
		await this.emulator?.stop();
		// A server that was told to stop may take a moment to exit.
		let left = processes.filter(([, pid]) => pid !== undefined && isRunning(pid));
		for (let wait = 0; left.length > 0 && wait < 40; wait++) {
			await new Promise((resolve) => setTimeout(resolve, 250));
			left = left.filter(([, pid]) => isRunning(pid!));
		}
		this.removeLeftovers();
		return left;
	}

	/** Synchronous, for the exit handler too: stops PostgreSQL, removes the temporary folders (unless kept). */
	private removeLeftovers(): void {
		const attempt = (what: () => void) => {
			try {
				what();
			} catch (error) {
				process.stderr.write(`cleanup: ${(error as Error).message}\n`);
			}
		};
		attempt(() => this.postgres?.stop());
		if (this.keep) {
			if (!this.keptSaid) process.stderr.write(`Kept ${this.workDir}\n`);
			this.keptSaid = true;
			return;
		}
		// A process killed a moment ago may still be writing its last files.
		for (const folder of [this.workDir, this.redis?.folder]) if (folder) attempt(() => rmSync(folder, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }));
	}
}
