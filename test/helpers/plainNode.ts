import { execFile } from 'node:child_process';
import { join } from 'node:path';

import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

export interface PlainRun {
	name: string;
	/** Variables set for this run only. */
	env?: Record<string, string>;
	credentials: ICredentialDataDecryptedObject;
	parameters: INodeParameters;
}

export interface PlainResult {
	name: string;
	error?: { message: string; description?: string | null };
	json?: Record<string, unknown>;
}

/**
 * Runs the node through WorkflowExecute in a plain Node.js process (test/helpers/plainNodeRun.ts), as n8n runs it.
 * Under jest, Node's own errors (sockets, TLS) come from another realm, and the SDK keeps only their message; and
 * NODE_EXTRA_CA_CERTS is read only when a process starts.
 */
export async function runInPlainNode(runs: PlainRun[], env: NodeJS.ProcessEnv = {}): Promise<PlainResult[]> {
	const script = join(__dirname, 'plainNodeRun.ts');
	const stdout = await new Promise<string>((resolve, reject) =>
		execFile(process.execPath, ['--import', 'tsx', script, JSON.stringify(runs)], { env: { ...process.env, ...env }, timeout: 120_000 }, (error, out, err) =>
			error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
		),
	);
	return JSON.parse(stdout.trim().split('\n').pop()!) as PlainResult[];
}
