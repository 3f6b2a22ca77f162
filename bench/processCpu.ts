import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

import type { INodeType } from 'n8n-workflow';

let tickMicros: number | undefined;

/**
 * User and system CPU of a server process and its children (PostgreSQL's postmaster and backends),
 * from /proc: its own, its reaped children's (backends that exited) and its live children's.
 */
export function processTreeCpuMicros(pid: number): number {
	tickMicros ??= 1e6 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
	const stat = (id: number | string) => {
		try {
			const text = readFileSync(`/proc/${id}/stat`, 'utf8');
			// The fields after the command name, which is in parentheses and may hold spaces.
			return text.slice(text.lastIndexOf(')') + 2).split(' ');
		} catch {
			return undefined;
		}
	};
	// From field 3 (state) on: ppid is [1], utime [11], stime [12], cutime [13], cstime [14].
	const own = stat(pid);
	if (!own) throw new Error(`no process ${pid}`);
	let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const fields = stat(entry);
		if (fields && Number(fields[1]) === pid) ticks += Number(fields[11]) + Number(fields[12]);
	}
	return ticks * tickMicros;
}

/** A node class whose execute can be wrapped. */
export interface NodeConstructor {
	new (): INodeType;
	prototype: INodeType;
}

/** Process CPU time spent inside the node's execute (the emulator runs in another process). */
export function instrumentExecute(node: NodeConstructor) {
	const original = node.prototype.execute!;
	let micros = 0;
	node.prototype.execute = async function (this: never) {
		const start = process.cpuUsage();
		try {
			return await original.call(this);
		} finally {
			const used = process.cpuUsage(start);
			micros += used.user + used.system;
		}
	};
	return { micros: () => micros, restore: () => (node.prototype.execute = original) };
}
