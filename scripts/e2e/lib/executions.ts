// The executions n8n stored, read from its SQLite database: what a webhook trigger started (a trigger that
// answers at once, such as the AWS Marketplace Trigger, gives the caller no run to look at). Node 24's built-in
// `node:sqlite` reads the database beside the running n8n (n8n's SQLite runs in WAL mode); the run data is
// stored in n8n's `flatted` form, parsed with n8n's own copy of flatted.
import { createRequire } from 'node:module';
import { join } from 'node:path';

import type { N8nRun } from './n8n';
import { N8N_INSTALL_DIR, NODE24_BIN_DIR } from './paths';
import { runChecked } from './proc';

export interface StoredExecution extends N8nRun {
	id: string;
	workflowId: string;
	mode: string;
	startedAt: string | null;
}

const QUERY_SCRIPT = `
const { DatabaseSync } = require('node:sqlite');
const [file, workflowId, afterId] = process.argv.slice(1);
const db = new DatabaseSync(file, { readOnly: true, timeout: 10000 });
const rows = db
	.prepare('SELECT e.id AS id, e.workflowId AS workflowId, e.mode AS mode, e.status AS status, e.finished AS finished, e.startedAt AS startedAt, d.data AS data FROM execution_entity e LEFT JOIN execution_data d ON d.executionId = e.id WHERE e.workflowId = ? AND e.id > ? ORDER BY e.id')
	.all(workflowId, Number(afterId));
db.close();
process.stdout.write(JSON.stringify(rows));
`;

interface Row {
	id: number;
	workflowId: string;
	mode: string;
	status: string;
	finished: number;
	startedAt: string | null;
	data: string | null;
}

let flatted: { parse(text: string): unknown } | undefined;
/** n8n's own flatted, once n8n is installed (at import time, on a fresh clone, another copy would be found). */
const parseFlatted = (text: string) => (flatted ??= createRequire(join(N8N_INSTALL_DIR, 'package.json'))('flatted') as { parse(text: string): unknown }).parse(text);

/** The executions of a workflow stored in the n8n database of `n8nFolder`, oldest first (IDs above `afterId`). */
export async function storedExecutions(n8nFolder: string, workflowId: string, afterId = 0): Promise<StoredExecution[]> {
	const { stdout } = await runChecked(
		join(NODE24_BIN_DIR, 'node'),
		['--no-warnings', '-e', QUERY_SCRIPT, join(n8nFolder, 'database.sqlite'), workflowId, String(afterId)],
		{ timeoutMs: 60_000 },
	);
	return (JSON.parse(stdout) as Row[]).map((row) => ({
		id: String(row.id),
		workflowId: row.workflowId,
		mode: row.mode,
		status: row.status,
		finished: row.finished === 1,
		startedAt: row.startedAt,
		data: (row.data ? parseFlatted(row.data) : { resultData: { runData: {} } }) as N8nRun['data'],
	}));
}

/** The status of an execution that has ended (n8n stores an execution as it starts, then updates it). */
export const hasEnded = (execution: StoredExecution) => !['new', 'running', 'waiting'].includes(execution.status);
