import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

import { lockFolder } from './folderLock';
import { ownerOnly } from './ownerOnly';
import { DEADLINES, EmbeddedDatabase } from './pgliteDatabase';
import type { SqlSession } from './sql';

export interface SessionOptions {
	/** Deadlines of this session's requests, when not the DEADLINES. */
	deadlines?: Partial<typeof DEADLINES>;
}

interface SharedDatabase {
	users: number;
	ready: Promise<EmbeddedDatabase>;
	/** Called once it closed or failed: the lock is released. */
	release?: () => void;
	/** Set once the last user closed: the folder is ours until the database is closed and the lock released. */
	closing?: Promise<void>;
}

// PGlite allows one instance per data folder: every ledger of this process on a folder shares it.
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
		const entry = { users: 0 } as SharedDatabase;
		entry.ready = start(path, lockTimeoutMs, options.deadlines?.open ?? DEADLINES.open, entry);
		databases.set(path, (shared = entry));
	}
	const entry = shared;
	entry.users++;
	let database: EmbeddedDatabase;
	try {
		database = await entry.ready;
	} catch (error) {
		entry.users--;
		throw error;
	}
	const deadline = options.deadlines?.statement ?? DEADLINES.statement;
	let closed = false;
	return {
		query: (text, params) => database.query(text, params, deadline),
		transaction: (fn) => database.transaction(fn, deadline),
		close: async () => {
			if (closed) return;
			closed = true;
			if (--entry.users > 0 || database.stopped) return;
			// What was committed is in the WAL: the next open replays it.
			entry.closing = database
				.close()
				.catch(() => undefined)
				.finally(() => stopped(path, entry));
			await entry.closing;
		},
	};
}

async function start(folder: string, lockTimeoutMs: number, openDeadlineMs: number, entry: SharedDatabase): Promise<EmbeddedDatabase> {
	const database = new EmbeddedDatabase(folder, () => stopped(folder, entry));
	try {
		mkdirSync(folder, { recursive: true, mode: 0o700 });
		entry.release = await lockFolder(folder, lockTimeoutMs);
	} catch (error) {
		stopped(folder, entry);
		throw new Error(`Could not open the metering ledger in ${folder}: ${(error as Error).message}`);
	}
	await database.open(openDeadlineMs);
	try {
		ownerOnly(folder);
	} catch (error) {
		throw database.stop(`its files could not be made the owner's alone: ${(error as Error).message}`);
	}
	return database;
}

/** Closed, failed or never opened: the folder is let go, and the next open starts afresh. */
function stopped(folder: string, entry: SharedDatabase): void {
	entry.release?.();
	entry.release = undefined;
	if (databases.get(folder) === entry) databases.delete(folder);
}
