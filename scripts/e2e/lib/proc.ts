import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createServer } from 'node:net';
import { runInThisContext } from 'node:vm';

export interface RunResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

export interface RunOptions extends Pick<SpawnOptions, 'cwd' | 'env'> {
	/** Kill the process (and its children) after this long. */
	timeoutMs: number;
	/** Copy the output to this process's stderr as it arrives. */
	echo?: boolean;
}

// Every process started here runs in its own process group, so that killing it also ends what it
// started (n8n's task runners). They are all ended on exit, whatever the reason.
const live = new Set<ChildProcess>();

/** `afterExit`: also when the leader is gone, for children it left behind (e.g. n8n's task runners). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals, afterExit = false): void {
	if (child.pid === undefined) return;
	if (!afterExit && (child.exitCode !== null || child.signalCode !== null)) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		// Already gone.
	}
}

export function killAll(): void {
	for (const child of live) killGroup(child, 'SIGKILL', true);
}

let cleanupInstalled = false;

// The process Node emits 'exit' and the signals on. Under jest, `process` is a copy of it whose listeners never run.
const nodeProcess = runInThisContext('process') as NodeJS.Process;

/** Ends every started process on exit and on Ctrl-C or SIGTERM, then runs `cleanup` (synchronous). */
export function installCleanup(cleanup: () => void): void {
	if (cleanupInstalled) return;
	cleanupInstalled = true;
	nodeProcess.once('exit', () => {
		killAll();
		cleanup();
	});
	// `on`, not `once`: without a listener, a second Ctrl-C would kill the process in the middle of the cleanup.
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		nodeProcess.on(signal, () => {
			process.stderr.write(`\n${signal}: stopping\n`);
			nodeProcess.exit(130);
		});
	}
}

export function start(command: string, args: string[], options: Pick<SpawnOptions, 'cwd' | 'env'>): ChildProcess {
	const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	live.add(child);
	return child;
}

/** Stops a process group politely, then by force after `graceMs`. */
export async function stop(child: ChildProcess, graceMs = 10_000): Promise<void> {
	if (child.exitCode === null && child.signalCode === null) {
		const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
		killGroup(child, 'SIGTERM');
		const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
		await exited;
		clearTimeout(timer);
	}
	killGroup(child, 'SIGKILL', true);
	live.delete(child);
}

export async function run(command: string, args: string[], options: RunOptions): Promise<RunResult> {
	const child = start(command, args, options);
	let stdout = '';
	let stderr = '';
	child.stdout!.on('data', (chunk: Buffer) => {
		stdout += chunk;
		if (options.echo) process.stderr.write(chunk);
	});
	child.stderr!.on('data', (chunk: Buffer) => {
		stderr += chunk;
		if (options.echo) process.stderr.write(chunk);
	});
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		killGroup(child, 'SIGKILL');
	}, options.timeoutMs);
	const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
		child.once('error', reject);
		child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
	});
	clearTimeout(timer);
	killGroup(child, 'SIGKILL', true);
	live.delete(child);
	if (timedOut) {
		throw new Error(`${command} ${args.join(' ')} did not finish within ${options.timeoutMs / 1000} s\n${tail(stdout + stderr)}`);
	}
	return { code, signal, stdout, stderr };
}

/** Like run, but a non-zero exit is an error. */
export async function runChecked(command: string, args: string[], options: RunOptions): Promise<RunResult> {
	const result = await run(command, args, options);
	if (result.code !== 0) {
		throw new Error(`${command} ${args.join(' ')} exited with ${result.code ?? result.signal}\n${tail(result.stdout + result.stderr)}`);
	}
	return result;
}

export function tail(text: string, lines = 40): string {
	return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export async function portIsFree(port: number): Promise<boolean> {
	const probe = createServer();
	return await new Promise((resolve) => {
		probe.once('error', () => resolve(false));
		probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
	});
}

export async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	const { port } = server.address() as { port: number };
	await new Promise((resolve) => server.close(resolve));
	return port;
}

export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe().catch(() => undefined);
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000} s`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}
