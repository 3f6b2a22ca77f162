import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

import { PGLITE_WORKER_SOURCE } from './pgliteWorker';
import type { SqlExecutor, SqlRow } from './sql';
import { unrefTimer } from './timer';

/** How long PGlite may take to answer before its worker thread is ended, in ms. */
export const DEADLINES = {
	/** A new data folder (initdb) takes about 8 s on two cores; a folder left by a crash replays its WAL first. */
	open: 120_000,
	statement: 60_000,
	/** The shutdown checkpoint. */
	close: 60_000,
};

// The folder's storage failed rather than the statement: out of disk space or memory (class 53), an
// I/O error (58), or a file PostgreSQL may not write (42501: PGlite runs as its superuser, so nothing
// but a file access is refused to it). The database stops, so that the folder is let go.
const STORAGE_FAILURE = /^(53|58|42501)/;

// What every message about a stopped database ends with.
const AFTER_STOP = 'Its worker thread was ended; what was committed is kept, and the next execution opens the ledger again.';

interface Request {
	op: 'open' | 'query' | 'begin' | 'commit' | 'rollback' | 'close';
	tx?: number;
	text?: string;
	params?: unknown[];
}

interface Answer {
	id: number;
	rows?: SqlRow[];
	error?: { message: string; code?: string; detail?: string };
}

interface Pending {
	resolve: (answer: Answer) => void;
	reject: (error: Error) => void;
	cancelDeadline: () => void;
}

// Node's global, which @types/node 20 leaves to TypeScript's DOM library: the build does not load it.
declare const WebAssembly: { compile(bytes: Uint8Array): Promise<unknown> };

interface PgliteModules {
	pgliteWasmModule: unknown;
	initdbWasmModule: unknown;
	fsBundle: Blob;
}

// Set by the build (scripts/package/build.ts): PGlite's own bundle, relative to the bundle that holds this code,
// its WebAssembly and data files beside it. Undefined when the sources run (tests): the installed package.
declare const BUNDLED_PGLITE: string | undefined;

/** PGlite's module, which the worker thread loads; its WebAssembly and data files are in the same folder. */
const pgliteModule = (): string => require.resolve(typeof BUNDLED_PGLITE === 'string' ? BUNDLED_PGLITE : '@electric-sql/pglite');

let modules: Promise<PgliteModules> | undefined;

/**
 * What PGlite reads and compiles for every instance (PGlite 0.5's options pgliteWasmModule,
 * initdbWasmModule, fsBundle), once per process: a compiled module and a Blob pass to a worker
 * thread without a copy. Opening again then costs a third of the first time.
 */
function pgliteModules(): Promise<PgliteModules> {
	modules ??= (async () => {
		const dist = dirname(pgliteModule());
		const [pglite, initdb, bundle] = await Promise.all(['pglite.wasm', 'initdb.wasm', 'pglite.data'].map((file) => readFile(join(dist, file))));
		return { pgliteWasmModule: await WebAssembly.compile(pglite), initdbWasmModule: await WebAssembly.compile(initdb), fsBundle: new Blob([bundle]) };
	})().catch((error) => {
		modules = undefined;
		throw error;
	});
	return modules;
}

/**
 * One PGlite in its worker thread; requests are answered in the order PGlite runs them. Every request
 * has a deadline; past it, or when PostgreSQL reports a PANIC or FATAL, the worker is ended and every
 * request fails with the cause, and onFailure is told (the folder's lock is to be released).
 */
export class EmbeddedDatabase {
	private worker?: Worker;
	private readonly pending = new Map<number, Pending>();
	private nextId = 1;
	private opened = false;
	private failure?: Error;

	constructor(
		private readonly folder: string,
		private readonly onFailure: () => void,
	) {}

	get stopped(): boolean {
		return this.failure !== undefined;
	}

	async open(deadlineMs: number): Promise<void> {
		try {
			const worker = new Worker(PGLITE_WORKER_SOURCE, {
				eval: true,
				workerData: { pglite: pgliteModule(), dataDir: join(this.folder, 'pgdata'), modules: await pgliteModules() },
			});
			this.worker = worker;
			worker.on('message', (message: Answer | { fatal: string }) => ('fatal' in message ? this.stop(`PostgreSQL reported: ${message.fatal}`) : this.answer(message)));
			worker.on('error', (error) => this.stop(error.message));
			worker.on('exit', (code) => this.stop(`its worker thread exited (${code})`));
			await this.request({ op: 'open' }, deadlineMs);
			this.opened = true;
		} catch (error) {
			throw this.stop((error as Error).message);
		}
	}

	async query<R extends SqlRow>(text: string, params: unknown[] | undefined, deadlineMs: number, tx?: number): Promise<R[]> {
		return (await this.request({ op: 'query', text, params, tx }, deadlineMs)).rows as R[];
	}

	async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, deadlineMs: number): Promise<T> {
		const { id: tx } = await this.request({ op: 'begin' }, deadlineMs);
		let result: T;
		try {
			result = await fn({ query: (text, params) => this.query(text, params, deadlineMs, tx) });
		} catch (error) {
			// The error that made us roll back is the one worth reporting.
			await this.request({ op: 'rollback', tx }, deadlineMs).catch(() => undefined);
			throw error;
		}
		await this.request({ op: 'commit', tx }, deadlineMs);
		return result;
	}

	/** PGlite's shutdown checkpoint, then the thread ends. */
	async close(): Promise<void> {
		try {
			await this.request({ op: 'close' }, DEADLINES.close);
		} finally {
			this.end(new Error(`The embedded metering ledger in ${this.folder} is closed`));
		}
	}

	private request(request: Request, deadlineMs: number): Promise<Answer> {
		if (this.failure) return Promise.reject(this.failure);
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			const cancelDeadline = unrefTimer(deadlineMs, () => void this.stop(`no answer within ${deadlineMs / 1000} s to ${describe(request)}`));
			this.pending.set(id, { resolve, reject, cancelDeadline });
			this.worker!.ref();
			this.worker!.postMessage({ id, ...request });
		});
	}

	private answer(answer: Answer): void {
		const request = this.pending.get(answer.id);
		// Answered after the database stopped.
		if (!request) return;
		if (STORAGE_FAILURE.test(answer.error?.code ?? '')) return void this.stop(`PostgreSQL reported: ${answer.error!.message}`);
		this.pending.delete(answer.id);
		request.cancelDeadline();
		// An idle database must not keep the process alive.
		if (this.pending.size === 0) this.worker!.unref();
		if (!answer.error) return request.resolve(answer);
		request.reject(Object.assign(new Error(answer.error.message), { code: answer.error.code, detail: answer.error.detail }));
	}

	/**
	 * Ends the worker at once, failing every request with the cause, and tells onFailure. PGlite's files
	 * are then as after a crash, which the next open recovers from. Returns the error requests get.
	 */
	stop(cause: string): Error {
		if (this.failure) return this.failure;
		const what = this.opened ? `The embedded metering ledger in ${this.folder} stopped` : `Could not open the metering ledger in ${this.folder}`;
		const failure = new Error(`${what}: ${cause}. ${AFTER_STOP}`);
		this.end(failure);
		this.onFailure();
		return failure;
	}

	private end(failure: Error): void {
		if (this.failure) return;
		this.failure = failure;
		for (const request of this.pending.values()) {
			request.cancelDeadline();
			request.reject(failure);
		}
		this.pending.clear();
		void this.worker?.terminate();
	}
}

function describe(request: Request): string {
	if (request.op === 'open') return 'opening the database';
	if (request.op === 'close') return 'closing the database';
	if (request.op === 'query') return `the statement ${request.text!.replace(/\s+/g, ' ').trim().slice(0, 80)}`;
	return `${request.op === 'begin' ? 'beginning' : request.op === 'commit' ? 'committing' : 'rolling back'} a transaction`;
}
