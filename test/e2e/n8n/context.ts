import type { RequestLogEntry } from '../../../emulator';
import type { N8nServer } from '../../../scripts/e2e/lib/n8n';
import type { Stack } from '../../../scripts/e2e/lib/stack';

/**
 * What the cases of the end-to-end run share: set by n8n.e2e.ts's hooks (the stack for the whole file, the server
 * while its describe block runs), read by the cases.
 */
export interface E2e {
	stack: Stack;
	server: N8nServer;
}

export type Json = Record<string, unknown>;

export const HOUR_MS = 3_600_000;

/** A progress line: jest prints the cases' names only once the file has ended, and this run takes minutes. */
export const log = (message: string) => process.stdout.write(`== ${message}\n`);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export function requests(entries: RequestLogEntry[], operation: string): RequestLogEntry[] {
	return entries.filter((entry) => entry.operation === operation);
}

/** How many requests the emulator answered with each HTTP status or error type. */
export function outcomes(entries: RequestLogEntry[]): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const entry of entries) {
		const outcome = entry.errorType ?? String(entry.httpStatus);
		counts[outcome] = (counts[outcome] ?? 0) + 1;
	}
	return counts;
}
