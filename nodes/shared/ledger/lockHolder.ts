import { randomUUID } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who holds a ledger folder, written in its lock. A pid alone names no process: two containers on
 * one volume both run n8n as pid 1, and a restarted container gets its old pid back.
 */
export interface LockHolder {
	host: string;
	/** The kernel's boot: the same in every container of one host, new after a reboot (Linux). */
	bootId?: string;
	/** The PID namespace the pid belongs to (Linux), when this process's /proc shows it. */
	pidNamespace?: string;
	pid: number;
	/** In clock ticks after boot (Linux): tells the holder from a later process with its pid. */
	startTime?: string;
	since: string;
	/** Makes every lock taken unique, so that a waiter never mistakes a new lock for the one it saw. */
	nonce: string;
}

export function thisProcess(): LockHolder {
	const ownProc = readOrUndefined(() => readlinkSync('/proc/self')) === String(process.pid);
	return {
		host: hostname(),
		bootId: readOrUndefined(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()),
		pidNamespace: ownProc ? readOrUndefined(() => readlinkSync('/proc/self/ns/pid')) : undefined,
		pid: process.pid,
		startTime: ownProc ? startTime(process.pid) : undefined,
		since: new Date().toISOString(),
		nonce: randomUUID(),
	};
}

/**
 * Whether the holder still runs, when this process can tell: it shares the holder's kernel boot and
 * PID namespace, so the holder's pid means the same here. Undefined otherwise (another host or
 * container): only the lock's heartbeat tells then.
 */
export function isRunning(holder: LockHolder, self: LockHolder): boolean | undefined {
	if (!holder.bootId || holder.bootId !== self.bootId || !holder.pidNamespace || holder.pidNamespace !== self.pidNamespace) return undefined;
	return startTime(holder.pid) === holder.startTime;
}

export function describeHolder(holder: LockHolder): string {
	return `process ${holder.pid} on host ${holder.host}${holder.bootId ? ` (boot ${holder.bootId})` : ''}, holding it since ${holder.since}`;
}

/** Field 22 of /proc/<pid>/stat, after the command name (which may hold spaces and parentheses). */
function startTime(pid: number): string | undefined {
	const stat = readOrUndefined(() => readFileSync(`/proc/${pid}/stat`, 'utf8'));
	return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function readOrUndefined(read: () => string): string | undefined {
	try {
		return read();
	} catch {
		// Not Linux, or no such process.
		return undefined;
	}
}
