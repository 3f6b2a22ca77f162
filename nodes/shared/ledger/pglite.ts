import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

import { lockFolder, STALE_MS, type FolderLock } from './folderLock';
import { ownerOnly } from './ownerOnly';
import { DEADLINES, EmbeddedDatabase } from './pgliteDatabase';
import type { SqlSession } from './sql';
import { unrefTimer } from './timer';

export interface SessionOptions {
	/** How long the database stays open with nothing to do when this session is the last to close; 0 (the default) closes it at once. */
	idleMs?: number;
	/** Deadlines of this session's requests, when not the DEADLINES. */
	deadlines?: Partial<typeof DEADLINES>;
}

/**
 * The PGlite of one data folder in this process (PGlite allows one instance per folder), shared by
 * every ledger opened on it: overlapping executions, the metering node and the trigger. Opening it
 * costs about a second of CPU, so it stays open between executions, holding the folder's lock, until
 * it has had nothing to do for idleMs, another process waits for the folder, or the process ends.
 */
class SharedDatabase {
	/** Set once it closes for good: the folder is ours until the lock is released. */
	closing?: Promise<void>;
	private users = 0;
	private readonly database: EmbeddedDatabase;
	private lock?: FolderLock;
	private readonly ready: Promise<void>;
	private letGo = false;
	private cancelIdle?: () => void;

	constructor(
		private readonly folder: string,
		lockTimeoutMs: number,
		openDeadlineMs: number,
	) {
		this.database = new EmbeddedDatabase(folder, () => this.stopped());
		this.ready = this.start(lockTimeoutMs, openDeadlineMs);
		// Its users see the failure; the next open starts afresh.
		this.ready.catch(() => this.stopped());
	}

	private async start(lockTimeoutMs: number, openDeadlineMs: number): Promise<void> {
		try {
			mkdirSync(this.folder, { recursive: true, mode: 0o700 });
			this.lock = await lockFolder(this.folder, lockTimeoutMs, {
				lost: () => this.database.stop(`another process took its folder over, having seen its lock go unrefreshed for ${STALE_MS / 1000} s`),
				wanted: () => this.closeWhenIdle(),
			});
		} catch (error) {
			throw new Error(`Could not open the metering ledger in ${this.folder}: ${(error as Error).message}`);
		}
		await this.database.open(openDeadlineMs);
		try {
			ownerOnly(this.folder);
		} catch (error) {
			throw this.database.stop(`its files could not be made the owner's alone: ${(error as Error).message}`);
		}
	}

	async use(): Promise<EmbeddedDatabase> {
		this.users++;
		this.cancelIdle?.();
		try {
			await this.ready;
		} catch (error) {
			this.users--;
			throw error;
		}
		return this.database;
	}

	async leave(idleMs: number): Promise<void> {
		if (--this.users > 0 || this.database.stopped) return;
		if (this.letGo || idleMs === 0) return await this.close();
		this.cancelIdle = unrefTimer(idleMs, () => void this.close());
	}

	/** Another process waits, or this one is ending: close as soon as no execution uses it. */
	closeWhenIdle(): void {
		this.letGo = true;
		if (this.users === 0 && !this.database.stopped) void this.close();
	}

	close(): Promise<void> {
		this.cancelIdle?.();
		this.closing ??= this.database
			.close()
			.catch(() => {
				// What was committed is in the WAL: the next open replays it.
			})
			.finally(() => this.stopped());
		return this.closing;
	}

	/** The process exits, where nothing asynchronous runs any more: the worker ends, the lock goes. */
	endNow(): void {
		this.database.stop('the process is exiting');
	}

	/** Closed, failed or never opened: the folder is let go, and the next open starts afresh. */
	private stopped(): void {
		this.lock?.release();
		if (databases.get(this.folder) === this) databases.delete(this.folder);
		if (databases.size === 0) unwatchProcess();
	}
}

const databases = new Map<string, SharedDatabase>();

/**
 * PGlite at <folder>/pgdata, created when missing. PGlite holds a mutex for a whole transaction and
 * runs other statements between transactions, so concurrent callers in this process are serialized.
 */
export async function openPgliteSession(folder: string, lockTimeoutMs: number, options: SessionOptions = {}): Promise<SqlSession> {
	const path = resolve(folder);
	let shared = databases.get(path);
	// A database still closing holds the folder: open again only once it let go.
	while (shared?.closing) {
		await shared.closing;
		shared = databases.get(path);
	}
	if (!shared) {
		shared = new SharedDatabase(path, lockTimeoutMs, options.deadlines?.open ?? DEADLINES.open);
		databases.set(path, shared);
		watchProcess();
	}
	const entry = shared;
	const database = await entry.use();
	const deadline = options.deadlines?.statement ?? DEADLINES.statement;
	let closed = false;
	return {
		query: (text, params) => database.query(text, params, deadline),
		transaction: (fn) => database.transaction(fn, deadline),
		close: async () => {
			if (closed) return;
			closed = true;
			await entry.leave(options.idleMs ?? 0);
		},
	};
}

// While a database is open, this process's end lets go of it: at exit the lock is released at once;
// when the event loop empties, and on SIGTERM or SIGINT, the database is closed cleanly first.
function watchProcess(): void {
	if (databases.size !== 1) return;
	process.on('exit', onExit);
	process.on('beforeExit', onBeforeExit);
	process.once('SIGTERM', onSignal);
	process.once('SIGINT', onSignal);
}

function unwatchProcess(): void {
	process.off('exit', onExit);
	process.off('beforeExit', onBeforeExit);
	process.off('SIGTERM', onSignal);
	process.off('SIGINT', onSignal);
}

function onExit(): void {
	for (const shared of [...databases.values()]) shared.endNow();
}

function onBeforeExit(): void {
	for (const shared of [...databases.values()]) shared.closeWhenIdle();
}

/**
 * n8n's own handler, where there is one, waits for running executions and then exits: the database
 * closes once idle, without holding that up. Without one the signal would have ended the process at
 * once: it closes now, and the signal is raised again to end the process as it would have.
 */
function onSignal(signal: NodeJS.Signals): void {
	const alone = process.listenerCount(signal) === 0;
	const all = [...databases.values()];
	if (!alone) return all.forEach((shared) => shared.closeWhenIdle());
	void Promise.all(all.map((shared) => shared.close())).then(() => process.kill(process.pid, signal));
}
