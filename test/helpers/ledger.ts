import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Gives the surrounding describe block an n8n user folder of its own, so that its embedded metering ledger (kept
 * under that folder) starts empty and no other test file shares it; removed after the block.
 */
export function useLedgerFolder(): () => string {
	let folder: string | undefined;
	let previous: string | undefined;
	beforeAll(() => {
		previous = process.env.N8N_USER_FOLDER;
		folder = mkdtempSync(join(tmpdir(), 'n8n-ledger-test-'));
		process.env.N8N_USER_FOLDER = folder;
	});
	afterAll(() => {
		process.env.N8N_USER_FOLDER = previous;
		if (folder) rmSync(folder, { recursive: true, force: true });
	});
	return () => folder!;
}
