import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

import { lockFolder } from './folderLock';
import { PGLITE_WORKER_SOURCE } from './pgliteWorker';
import type { SqlExecutor, SqlRow, SqlSession } from './sql';

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

/** One PGlite in its worker thread; requests are answered in the order PGlite runs them. */
class EmbeddedDatabase {
	private readonly worker: Worker;
	private readonly pending = new Map<number, { resolve: (answer: Answer) => void; reject: (error: Error) => void }>();
	private nextId = 1;
	private failure?: Error;

	constructor(dataDir: string) {
		this.worker = new Worker(PGLITE_WORKER_SOURCE, { eval: true, workerData: { pglite: require.resolve('@electric-sql/pglite'), dataDir } });
		this.worker.on('message', (answer: Answer) => {
			const request = this.pending.get(answer.id)!;
			this.pending.delete(answer.id);
			// An idle database must not keep the process alive.
			if (this.pending.size === 0) this.worker.unref();
			if (!answer.error) return request.resolve(answer);
			request.reject(Object.assign(new Error(answer.error.message), { code: answer.error.code, detail: answer.error.detail }));
		});
		const stop = (error: Error) => {
			this.failure = new Error(`The embedded metering ledger stopped: ${error.message}`);
			for (const request of this.pending.values()) request.reject(this.failure);
			this.pending.clear();
		};
		this.worker.on('error', stop);
		this.worker.on('exit', (code) => stop(new Error(`its worker thread exited (${code})`)));
		this.worker.unref();
	}

	request(request: Request): Promise<Answer> {
		if (this.failure) return Promise.reject(this.failure);
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve, reject });
			this.worker.ref();
			this.worker.postMessage({ id, ...request });
		});
	}

	async query<R extends SqlRow>(text: string, params?: unknown[], tx?: number): Promise<R[]> {
		return (await this.request({ op: 'query', text, params, tx })).rows as R[];
	}

	async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
		const { id: tx } = await this.request({ op: 'begin' });
		let result: T;
		try {
			result = await fn({ query: (text, params) => this.query(text, params, tx) });
		} catch (error) {
			// The error that made us roll back is the one worth reporting.
			await this.request({ op: 'rollback', tx }).catch(() => undefined);
			throw error;
		}
		await this.request({ op: 'commit', tx });
		return result;
	}

	async close(): Promise<void> {
		try {
			await this.request({ op: 'close' });
		} finally {
			await this.worker.terminate();
		}
	}
}

interface SharedDatabase {
	users: number;
	ready: Promise<{ database: EmbeddedDatabase; release: () => void }>;
	/** Set once the last user closed: the folder is ours until the database is closed and the lock released. */
	closing?: Promise<void>;
}

// PGlite allows one instance per data folder: every ledger of this process on a folder shares it.
const databases = new Map<string, SharedDatabase>();

/**
 * PGlite at <folder>/pgdata, created when missing. PGlite holds a mutex for a whole transaction and
 * runs other statements between transactions, so concurrent callers in this process are serialized.
 */
export async function openPgliteSession(folder: string, lockTimeoutMs: number): Promise<SqlSession> {
	const path = resolve(folder);
	let shared = databases.get(path);
	// A database still closing holds the folder: open again only once it let go.
	while (shared?.closing) {
		await shared.closing;
		shared = databases.get(path);
	}
	if (!shared) {
		shared = { users: 0, ready: start(path, lockTimeoutMs) };
		databases.set(path, shared);
	}
	const entry = shared;
	entry.users++;
	let opened: Awaited<SharedDatabase['ready']>;
	try {
		opened = await entry.ready;
	} catch (error) {
		if (--entry.users === 0 && databases.get(path) === entry) databases.delete(path);
		throw error;
	}
	const { database, release } = opened;
	let closed = false;
	return {
		query: (text, params) => database.query(text, params),
		transaction: (fn) => database.transaction(fn),
		close: async () => {
			if (closed) return;
			closed = true;
			if (--entry.users > 0) return;
			entry.closing = (async () => {
				try {
					await database.close();
				} finally {
					release();
					databases.delete(path);
				}
			})();
			await entry.closing;
		},
	};
}

async function start(folder: string, lockTimeoutMs: number): Promise<{ database: EmbeddedDatabase; release: () => void }> {
	mkdirSync(folder, { recursive: true });
	const release = await lockFolder(folder, lockTimeoutMs);
	const database = new EmbeddedDatabase(join(folder, 'pgdata'));
	try {
		await database.request({ op: 'open' });
		return { database, release };
	} catch (error) {
		await database.close().catch(() => undefined);
		release();
		throw new Error(`Could not open the metering ledger in ${folder}: ${(error as Error).message}`);
	}
}
