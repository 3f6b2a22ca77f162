import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { sleep } from 'n8n-workflow';

const LOCK_FILE = 'ledger.lock';
const POLL_MS = 100;
// A lock file without a pid this old was left by a process that died while creating it.
const UNREADABLE_STALE_MS = 5_000;

/**
 * Makes this process the only one using the folder: a lock file holding our pid. A live holder is
 * waited for up to timeoutMs; a dead one's lock is taken over. Returns the release function.
 */
export async function lockFolder(folder: string, timeoutMs: number): Promise<() => void> {
	const path = join(folder, LOCK_FILE);
	const giveUpAt = Date.now() + timeoutMs;
	for (;;) {
		if (tryCreate(path)) {
			const release = () => {
				process.off('exit', release);
				if (readHolder(path) === process.pid) unlinkSync(path);
			};
			process.on('exit', release);
			return release;
		}
		const holder = readHolder(path);
		if (holder === undefined) continue;
		// Our own pid here is a previous process's (containers restart with the same pid): this
		// process opens each folder once.
		if (holder === 'stale' || holder === process.pid || !isAlive(holder)) {
			if (readHolder(path) === holder) unlinkSync(path);
			continue;
		}
		if (Date.now() >= giveUpAt) {
			throw new Error(
				`The metering ledger folder ${folder} is in use by process ${holder === 'busy' ? '(unknown)' : holder}: the embedded ledger serves one process at a time. ` +
					`Stop the other n8n process, give each instance its own folder, or use the PostgreSQL ledger to share one ledger. ` +
					`If no process uses it, delete ${path}.`,
			);
		}
		await sleep(POLL_MS);
	}
}

function tryCreate(path: string): boolean {
	let fd: number;
	try {
		fd = openSync(path, 'wx');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
		throw error;
	}
	try {
		writeSync(fd, String(process.pid));
	} finally {
		closeSync(fd);
	}
	return true;
}

/** The holder's pid; 'busy' while it is still writing it, 'stale' if it never did; undefined when gone. */
function readHolder(path: string): number | 'busy' | 'stale' | undefined {
	try {
		const pid = Number(readFileSync(path, 'utf8').trim());
		if (Number.isInteger(pid) && pid > 0) return pid;
		return Date.now() - statSync(path).mtimeMs > UNREADABLE_STALE_MS ? 'stale' : 'busy';
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw error;
	}
}

function isAlive(pid: number | 'busy'): boolean {
	if (pid === 'busy') return true;
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}
