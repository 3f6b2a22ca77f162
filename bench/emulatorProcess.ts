import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

import type { EmulatorFaults } from '../emulator';

/** The emulator's admin endpoints, from any process. */
export interface EmulatorAdmin {
	url: string;
	region: string;
	setFaults(faults: EmulatorFaults): Promise<void>;
	reset(): Promise<void>;
	stats(): Promise<{ requests: Record<string, Record<string, number>>; billed: Record<string, { quantity: number }> }>;
}

/** The emulator in a process of its own, so that its CPU time is not counted as the node's. */
export interface EmulatorProcess extends EmulatorAdmin {
	stop(): Promise<void>;
}

export async function startEmulatorProcess(): Promise<EmulatorProcess> {
	const child: ChildProcess = spawn(process.execPath, [require.resolve('tsx/cli'), 'emulator/cli.ts', '--port', '0', '--bare'], {
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const ready = await new Promise<{ url: string; region: string }>((resolve, reject) => {
		child.once('exit', (code) => reject(new Error(`the emulator exited with ${code}`)));
		createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
	});
	return {
		...emulatorAdmin(ready),
		stop: async () => {
			child.kill('SIGTERM');
			await new Promise((resolve) => child.once('exit', resolve));
		},
	};
}

export function emulatorAdmin({ url, region }: { url: string; region: string }): EmulatorAdmin {
	const admin = async (path: string, body?: unknown) => {
		const response = await fetch(`${url}/_emulator/${path}`, {
			method: body === undefined && path !== 'reset' ? 'GET' : 'POST',
			headers: { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		if (!response.ok) throw new Error(`emulator ${path}: HTTP ${response.status}`);
		return response;
	};
	return {
		url,
		region,
		setFaults: async (faults) => void (await admin('faults', faults)),
		reset: async () => void (await admin('reset')),
		stats: async () => (await (await admin('stats')).json()) as never,
	};
}
