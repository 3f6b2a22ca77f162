import { randomUUID } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { startHeartbeat, type HeartbeatEvents } from './lockHeartbeat';
import { describeHolder, isRunning, thisProcess, type LockHolder } from './lockHolder';
import { sleep } from './timer';

const LOCK = 'ledger.lock';
const HOLDER = 'holder.json';
// Held for an instant by the waiter that removes an abandoned lock.
const TAKEOVER = 'ledger.lock.takeover';
// Touched by waiters, so that a holder with nothing to do lets go at once.
const WANTED = 'ledger.lock.wanted';
/** A lock whose holder file stayed unchanged this long, by the waiter's own clock, is abandoned. */
export const STALE_MS = 10_000;
const HEARTBEAT_MS = 1_000;
const POLL_MS = 100;

export interface FolderLock {
	release(): void;
}

interface Seen {
	content?: string;
	mtimeMs: number;
}

/**
 * Makes this process the only one using the folder, across processes, PID namespaces and hosts that
 * share it. proper-lockfile's idea (a directory made atomically, its mtime refreshed while held,
 * abandoned once stale), written small for three things it lacks: the holder's identity inside the
 * lock, for the error a waiter shows (proper-lockfile removes its lock with rmdir, so it stays empty);
 * a refresh from a thread of its own, which neither a long statement nor a busy n8n main thread holds
 * up; and a holder in this PID namespace known dead at once. A live holder is waited for up to
 * timeoutMs (told that someone waits), an abandoned lock taken over. The caller's error names the folder.
 */
export async function lockFolder(folder: string, timeoutMs: number, events: HeartbeatEvents): Promise<FolderLock> {
	const self = thisProcess();
	const content = JSON.stringify(self);
	const lockDir = join(folder, LOCK);
	const wantedFile = join(folder, WANTED);
	const abandoned = staleWatch(self);
	const takeoverAbandoned = staleWatch(self);
	const giveUpAt = Date.now() + timeoutMs;
	for (;;) {
		if (create(folder, lockDir, content)) {
			rmSync(wantedFile, { force: true });
			const stop = startHeartbeat({ holderFile: join(lockDir, HOLDER), content, wantedFile, intervalMs: HEARTBEAT_MS }, events);
			let released = false;
			return {
				release: () => {
					if (released) return;
					released = true;
					stop();
					try {
						if (look(lockDir)?.content === content) remove(folder, lockDir);
					} catch {
						// A folder gone read-only keeps the lock: once this process is gone, a waiter on this
						// host knows its holder dead, and one elsewhere sees it stale.
					}
				},
			};
		}
		const seen = look(lockDir);
		if (!seen) continue;
		if (abandoned(seen) && takeOver(folder, lockDir, seen, takeoverAbandoned)) continue;
		if (Date.now() >= giveUpAt) {
			const holder = parse(seen.content);
			throw new Error(
				`it is in use by ${holder ? describeHolder(holder) : 'another process'}, which did not let go within ${timeoutMs / 1000} s. ` +
					'The embedded ledger serves one process at a time: stop the other n8n process, give each instance its own folder, or use the PostgreSQL ledger to share one ledger.',
			);
		}
		want(wantedFile);
		await sleep(POLL_MS);
	}
}

/** The lock appears whole, holder file included, or not at all: a rename onto an existing lock fails. */
function create(folder: string, lockDir: string, content: string): boolean {
	const draft = join(folder, `${LOCK}.${randomUUID()}`);
	mkdirSync(draft, { mode: 0o700 });
	try {
		writeFileSync(join(draft, HOLDER), content, { mode: 0o600 });
		renameSync(draft, lockDir);
		return true;
	} catch (error) {
		rmSync(draft, { recursive: true, force: true });
		// ENOTEMPTY or EEXIST on POSIX, EPERM on Windows.
		if (['ENOTEMPTY', 'EEXIST', 'EPERM'].includes((error as NodeJS.ErrnoException).code!)) return false;
		throw error;
	}
}

/** Renamed away first, so that the lock vanishes at once and a new one is never half-deleted. */
function remove(folder: string, dir: string): void {
	const gone = join(folder, `${LOCK}.${randomUUID()}`);
	try {
		renameSync(dir, gone);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
		throw error;
	}
	rmSync(gone, { recursive: true, force: true });
}

/**
 * One waiter at a time removes an abandoned lock, and only the very lock it judged abandoned: two
 * waiters that judged it together would otherwise let the later one remove the lock the earlier one
 * has just taken. True when this waiter may try again at once.
 */
function takeOver(folder: string, lockDir: string, judged: Seen, guardAbandoned: (seen: Seen) => boolean): boolean {
	const guard = join(folder, TAKEOVER);
	try {
		mkdirSync(guard, { mode: 0o700 });
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		// A waiter that died in those few statements left it.
		const seen = look(guard);
		if (seen && guardAbandoned(seen)) rmSync(guard, { recursive: true, force: true });
		return false;
	}
	try {
		const now = look(lockDir);
		if (now?.content === judged.content && now?.mtimeMs === judged.mtimeMs) remove(folder, lockDir);
	} finally {
		rmSync(guard, { recursive: true, force: true });
	}
	return true;
}

/**
 * Judges a lock abandoned: its holder is known dead, or (when this process cannot see the holder's
 * processes) its holder file did not change for STALE_MS. Measured on this process's clock, which
 * need not agree with the holder's.
 */
function staleWatch(self: LockHolder): (seen: Seen) => boolean {
	let state: string | undefined;
	let since = 0;
	return (seen) => {
		const holder = parse(seen.content);
		const running = holder && isRunning(holder, self);
		if (running !== undefined) return !running;
		const now = `${seen.mtimeMs} ${seen.content}`;
		if (now !== state) {
			state = now;
			since = performance.now();
		}
		return performance.now() - since >= STALE_MS;
	};
}

/**
 * The lock's holder file, opened rather than stat'ed: NFS revalidates a file's attributes when it is
 * opened, while a stat may answer from a cache up to a minute old. A directory without one (the
 * takeover guard) gives its own mtime; undefined when the directory is gone.
 */
function look(dir: string): Seen | undefined {
	let fd: number;
	try {
		fd = openSync(join(dir, HOLDER), 'r');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
		try {
			return { mtimeMs: statSync(dir).mtimeMs };
		} catch (missing) {
			if ((missing as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
			throw missing;
		}
	}
	try {
		return { content: readFileSync(fd, 'utf8'), mtimeMs: fstatSync(fd).mtimeMs };
	} finally {
		closeSync(fd);
	}
}

function want(wantedFile: string): void {
	const now = new Date();
	try {
		utimesSync(wantedFile, now, now);
	} catch {
		writeFileSync(wantedFile, '', { mode: 0o600 });
	}
}

function parse(content: string | undefined): LockHolder | undefined {
	try {
		return content === undefined ? undefined : (JSON.parse(content) as LockHolder);
	} catch {
		return undefined;
	}
}
