import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { INSTALL_SCRIPT, N8N_CLI, N8N_INSTALL_DIR, NODE24_BIN_DIR, ROOT } from './paths';
import { freePort, run, runChecked, start, stop, tail, waitFor, type RunResult } from './proc';

/** One stored n8n execution as `n8n execute --rawOutput` prints it. */
export interface N8nRun {
	status: string;
	finished?: boolean;
	data: {
		resultData: {
			runData: Record<string, Array<{ data?: { main: Array<Array<{ json: Record<string, unknown> }> | null> } }>>;
			error?: { message: string; description?: string; node?: { name: string } };
			lastNodeExecuted?: string;
		};
	};
}

export interface N8nServer {
	url: string;
	process: ChildProcess;
	/** Everything it printed so far. */
	output(): string;
	/** Resolves once a published workflow's production webhook answers (n8n activates them after it is ready). */
	waitForWebhook(path: string, method: string): Promise<void>;
	stop(): Promise<void>;
}

/** An `n8n worker` (queue mode). */
export interface N8nWorker {
	/** Its health server: `/healthz`, `/healthz/readiness`. */
	url: string;
	process: ChildProcess;
	/** Everything it printed so far. */
	output(): string;
	stop(): Promise<void>;
}

/** Installs real n8n into the cache (instant when already there): the version `N8N_VERSION` names (paths.ts). */
export async function installN8n(): Promise<void> {
	await runChecked('bash', [INSTALL_SCRIPT], { cwd: ROOT, timeoutMs: 20 * 60_000, echo: true });
}

/** The version of the n8n installed for this process, as its package.json says (after installN8n). */
export function installedN8nVersion(): string {
	return (JSON.parse(readFileSync(join(N8N_INSTALL_DIR, 'node_modules', 'n8n', 'package.json'), 'utf8')) as { version: string }).version;
}

/** Real n8n, under Node 24, with its own user folder and database. */
export class N8n {
	constructor(
		readonly userFolder: string,
		private readonly settings: Record<string, string> = {},
	) {}

	/** Where n8n keeps its database, config and community packages (`nodes/`). */
	get n8nFolder(): string {
		return join(this.userFolder, '.n8n');
	}

	private async env(extra: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
		// Nothing of the caller's n8n or AWS setup may leak in; the run must be the same everywhere. Nor jest's
		// NODE_ENV=test, under which n8n refuses to load nodes ("Not available in tests") and logs nothing.
		const inherited = Object.fromEntries(
			Object.entries(process.env).filter(([name]) => !/^(N8N_|AWS_|NODE_OPTIONS$|NODE_ENV$|DB_|EXECUTIONS_|WEBHOOK_URL$)/.test(name)),
		);
		return {
			...inherited,
			PATH: `${NODE24_BIN_DIR}:${process.env.PATH ?? ''}`,
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: 'aws-marketplace-metering-e2e-key',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			// `n8n execute` prints its run as an info message.
			N8N_LOG_LEVEL: 'info',
			// Every n8n process opens a task broker: a port of its own lets processes overlap.
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			...this.settings,
			...extra,
		};
	}

	async cli(args: string[], timeoutMs = 180_000): Promise<RunResult> {
		return await run(join(NODE24_BIN_DIR, 'node'), [N8N_CLI, ...args], {
			cwd: this.userFolder,
			env: await this.env(),
			timeoutMs,
		});
	}

	private async cliChecked(args: string[]): Promise<RunResult> {
		const result = await this.cli(args);
		if (result.code !== 0) {
			throw new Error(`n8n ${args.join(' ')} exited with ${result.code ?? result.signal}\n${tail(result.stdout + result.stderr)}`);
		}
		return result;
	}

	async importCredentials(credentials: object[]): Promise<void> {
		const file = join(this.userFolder, 'credentials.json');
		await writeFile(file, JSON.stringify(credentials, null, '\t'));
		await this.cliChecked(['import:credentials', `--input=${file}`]);
	}

	/** Imports all workflows with one n8n start-up. */
	async importWorkflows(workflows: object[]): Promise<void> {
		const folder = join(this.userFolder, 'workflows');
		await mkdir(folder, { recursive: true });
		await Promise.all(
			workflows.map(async (workflow, index) => await writeFile(join(folder, `${index}.json`), JSON.stringify(workflow, null, '\t'))),
		);
		await this.cliChecked(['import:workflow', '--separate', `--input=${folder}`]);
	}

	/** The installed n8n's major version: the CLI differs between 1.x and 2.x. */
	get majorVersion(): number {
		return Number(installedN8nVersion().split('.')[0]);
	}

	/** Makes a workflow's triggers live the next time n8n starts (n8n 2.x: "publish", formerly "activate"). */
	async publishWorkflow(id: string): Promise<void> {
		// n8n 1.x has no publish:workflow: its `update:workflow --active=true` is what 2.x replaced with it.
		await this.cliChecked(this.majorVersion < 2 ? ['update:workflow', `--id=${id}`, '--active=true'] : ['publish:workflow', `--id=${id}`]);
	}

	/**
	 * Runs a workflow from its Manual Trigger. The run's outcome is read from the JSON n8n prints, not
	 * from the exit code: n8n 2.x's default expression engine (isolated-vm) sometimes segfaults while
	 * n8n exits, after the run was complete, stored and printed.
	 */
	async execute(id: string): Promise<N8nRun> {
		const result = await this.cli(['execute', `--id=${id}`, '--rawOutput']);
		const printed = parseExecution(result.stdout);
		if (!printed) {
			throw new Error(`n8n execute --id=${id} printed no execution (exit ${result.code ?? result.signal})\n${tail(result.stdout + result.stderr)}`);
		}
		if (result.signal) process.stderr.write(`(n8n execute --id=${id} printed its run, then died of ${result.signal} while exiting)\n`);
		return printed;
	}

	/** `n8n start` on a loopback port (default: a free one); resolves once n8n is ready. */
	async start(options: { port?: number; env?: Record<string, string> } = {}): Promise<N8nServer> {
		const listenPort = options.port ?? (await freePort());
		const url = `http://127.0.0.1:${listenPort}`;
		const child = start(join(NODE24_BIN_DIR, 'node'), [N8N_CLI, 'start'], {
			cwd: this.userFolder,
			env: await this.env({
				N8N_PORT: String(listenPort),
				N8N_LISTEN_ADDRESS: '127.0.0.1',
				N8N_HOST: 'localhost',
				WEBHOOK_URL: `${url}/`,
				N8N_SECURE_COOKIE: 'false',
				...options.env,
			}),
		});
		let output = '';
		child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
		child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
		const server: N8nServer = {
			url,
			process: child,
			output: () => output,
			// A CORS preflight: n8n answers it from its webhook registry without running the workflow.
			waitForWebhook: async (path, method) => {
				await waitFor(`the webhook ${method} ${path} was not registered`, 60_000, async () => {
					const response = await fetch(`${url}${path}`, {
						method: 'OPTIONS',
						headers: { origin: url, 'access-control-request-method': method },
					});
					return response.ok ? true : undefined;
				});
			},
			stop: async () => await stop(child),
		};
		try {
			const state = await waitFor('n8n did not become ready', 180_000, async () => {
				if (child.exitCode !== null || child.signalCode !== null) return 'exited';
				const response = await fetch(`${url}/healthz/readiness`);
				return response.ok ? 'ready' : undefined;
			});
			if (state === 'exited') throw new Error(`n8n start exited with ${child.exitCode ?? child.signalCode}`);
		} catch (error) {
			await server.stop();
			throw new Error(`${(error as Error).message}\n${tail(output)}`);
		}
		return server;
	}

	/**
	 * `n8n worker` for queue mode (the settings must hold the queue's Redis and a shared database): with its
	 * health server on a free loopback port; resolves once it reports ready.
	 */
	async startWorker(options: { concurrency?: number; env?: Record<string, string> } = {}): Promise<N8nWorker> {
		const healthPort = await freePort();
		const args = [N8N_CLI, 'worker', ...(options.concurrency ? [`--concurrency=${options.concurrency}`] : [])];
		const child = start(join(NODE24_BIN_DIR, 'node'), args, {
			cwd: this.userFolder,
			env: await this.env({
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(healthPort),
				N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
				...options.env,
			}),
		});
		let output = '';
		child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
		child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
		const url = `http://127.0.0.1:${healthPort}`;
		const worker: N8nWorker = { url, process: child, output: () => output, stop: async () => await stop(child) };
		try {
			const state = await waitFor('the n8n worker did not become ready', 180_000, async () => {
				if (child.exitCode !== null || child.signalCode !== null) return 'exited';
				const response = await fetch(`${url}/healthz/readiness`);
				return response.ok ? 'ready' : undefined;
			});
			if (state === 'exited') throw new Error(`n8n worker exited with ${child.exitCode ?? child.signalCode}`);
		} catch (error) {
			await worker.stop();
			throw new Error(`${(error as Error).message}\n${tail(output)}`);
		}
		return worker;
	}
}

/** The execution JSON in `n8n execute --rawOutput`'s output, which log lines may surround. */
export function parseExecution(stdout: string): N8nRun | undefined {
	const start = stdout.search(/^\{$/m);
	if (start < 0) return undefined;
	const end = stdout.indexOf('\n}', start);
	if (end < 0) return undefined;
	try {
		return JSON.parse(stdout.slice(start, end + 2)) as N8nRun;
	} catch {
		return undefined;
	}
}

/** The JSON of the items a node put out on one of its outputs in a run. */
export function nodeOutput(run: N8nRun, nodeName: string, output = 0): Array<Record<string, unknown>> {
	const runs = run.data.resultData.runData[nodeName];
	if (!runs) return [];
	return runs.flatMap((nodeRun) => (nodeRun.data?.main[output] ?? []).map((item) => item.json));
}
