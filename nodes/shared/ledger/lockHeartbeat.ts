import { Worker } from 'node:worker_threads';

export interface HeartbeatEvents {
	/** The lock is no longer this process's: another one took it over. */
	lost(): void;
	/** Another process waits for the folder. */
	wanted(): void;
}

// Plain JavaScript run with `eval`, as the PGlite worker is. Each beat checks that the holder file is
// still ours and refreshes its mtime; a waiter's marker whose mtime changed between two beats means
// someone waits now (one left by a waiter that gave up stays unchanged).
const SOURCE = `
'use strict';
const { parentPort, workerData: { holderFile, content, wantedFile, intervalMs } } = require('node:worker_threads');
const fs = require('node:fs');
let wanted;
setInterval(() => {
	try {
		if (fs.readFileSync(holderFile, 'utf8') !== content) return parentPort.postMessage('lost');
		const now = new Date();
		fs.utimesSync(holderFile, now, now);
	} catch {
		return parentPort.postMessage('lost');
	}
	let seen;
	try {
		seen = fs.statSync(wantedFile).mtimeMs;
	} catch {}
	if (seen !== undefined && wanted !== undefined && seen !== wanted) parentPort.postMessage('wanted');
	wanted = seen;
}, intervalMs);
`;

/**
 * Keeps a held lock fresh from a thread of its own, so that neither a long statement in PGlite's
 * thread nor a busy n8n main thread lets it look abandoned. Returns the stop function.
 */
export function startHeartbeat(
	lock: { holderFile: string; content: string; wantedFile: string; intervalMs: number },
	events: HeartbeatEvents,
): () => void {
	const worker = new Worker(SOURCE, { eval: true, workerData: lock });
	worker.on('message', (message: 'lost' | 'wanted') => events[message]());
	// A heartbeat that cannot run is a lock that goes stale: the same as losing it.
	worker.on('error', () => events.lost());
	// It must not keep the process alive.
	worker.unref();
	return () => void worker.terminate();
}
