import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { defaultLedgerFolder, openLedger, type MeteringLedger } from '../../nodes/shared/ledger';

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

/** Runs fn on this n8n user folder's embedded ledger, as the nodes open it, and closes it after. */
export async function withEmbeddedLedger<T>(fn: (ledger: MeteringLedger) => Promise<T>): Promise<T> {
	const ledger = await openLedger({ store: 'embedded', folder: defaultLedgerFolder(), idleMs: 0 });
	try {
		return await fn(ledger);
	} finally {
		await ledger.close();
	}
}
