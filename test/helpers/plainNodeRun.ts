// The child process of runInPlainNode: runs each given run and prints the results as one JSON line.
import './env';

import type { PlainResult, PlainRun } from './plainNode';
import { runNode } from './workflow';

async function main(runs: PlainRun[]): Promise<PlainResult[]> {
	const results: PlainResult[] = [];
	for (const { name, env = {}, credentials, parameters } of runs) {
		const saved = Object.keys(env).map((key) => [key, process.env[key]] as const);
		Object.assign(process.env, env);
		try {
			const { error, outputs } = await runNode({ parameters, credentials });
			results.push({ name, error: error && { message: error.message, description: error.description }, json: outputs[0]?.[0]?.json });
		} finally {
			for (const [key, value] of saved) {
				if (value === undefined) delete process.env[key];
				else process.env[key] = value;
			}
		}
	}
	return results;
}

void main(JSON.parse(process.argv[2]) as PlainRun[]).then((results) => process.stdout.write(`\n${JSON.stringify(results)}\n`));
