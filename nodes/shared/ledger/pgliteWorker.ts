/**
 * The worker thread that owns a PGlite database. PGlite runs SQL synchronously in WebAssembly: on
 * n8n's main thread a large statement would stall every workflow and the UI for its whole length.
 * Plain JavaScript run with `eval`, so the same source works from the TypeScript sources and the build.
 *
 * workerData: { pglite (its module path), dataDir, modules (PGlite's options pgliteWasmModule,
 * initdbWasmModule and fsBundle, compiled and read once per process) }.
 * Messages: { id, op: 'open' | 'query' | 'begin' | 'commit' | 'rollback' | 'close', tx?, text?, params? };
 * each is answered { id, rows? } or { id, error: { message, code, detail } }. A transaction's id is
 * the id of its 'begin'; PGlite's own mutex keeps it alone on the database until it ends.
 * { fatal } reports PostgreSQL's PANIC or FATAL, or WebAssembly's abort: PGlite then never answers
 * (after a PANIC in a commit it spins), so the main thread ends the worker.
 */
export const PGLITE_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglite);

let db;
const transactions = new Map();
const send = (id, answer) => parentPort.postMessage({ id, ...answer });
const failure = (error) => ({ error: { message: String((error && error.message) || error), code: error && error.code, detail: error && error.detail } });
// Called from inside PostgreSQL, so posted at once, while the thread may never come back.
const onStderr = (text) => {
	const fatal = /\\b(?:PANIC|FATAL): +(.*)/.exec(text) || /^(Aborted\\(.*)/.exec(text);
	if (fatal) parentPort.postMessage({ fatal: fatal[1] });
	return false;
};

parentPort.on('message', async ({ id, op, tx, text, params }) => {
	try {
		if (op === 'open') db = await PGlite.create(workerData.dataDir, { ...workerData.modules, onStderr });
		else if (op === 'query') return send(id, { rows: (await (tx ? transactions.get(tx).tx : db).query(text, params)).rows });
		else if (op === 'begin') return begin(id);
		else if (op === 'commit' || op === 'rollback') return end(id, transactions.get(tx), op);
		else if (op === 'close') await db.close();
		send(id, {});
	} catch (error) {
		send(id, failure(error));
	}
});

// Holds PGlite's transaction open until the main thread commits or rolls it back.
function begin(id) {
	const control = {};
	db.transaction((tx) => new Promise((commit, rollback) => {
		Object.assign(control, { tx, commit, rollback });
		transactions.set(id, control);
		send(id, {});
	})).then(
		() => send(control.ending, {}),
		(error) => send(control.ending || id, control.rolledBack ? {} : failure(error)),
	).finally(() => transactions.delete(id));
}

function end(id, control, op) {
	control.ending = id;
	if (op === 'commit') return control.commit();
	control.rolledBack = true;
	control.rollback(new Error('rolled back'));
}
`;
