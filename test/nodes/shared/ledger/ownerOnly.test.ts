import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { openLedger } from '../../../../nodes/shared/ledger';
import { at, usage } from './suite';

// The embedded ledger holds the seller's customers and usage: only its owner may read it.
describe('embedded ledger folder modes', () => {
	it('makes its folders 0700 and its files 0600, those PGlite wrote 0666 and those of a folder made before', async () => {
		const parent = mkdtempSync(join(tmpdir(), 'ledger-modes-'));
		try {
			const folder = join(parent, 'aws-marketplace-metering', 'ledger');
			const ledger = await openLedger({ store: 'embedded', folder, idleMs: 0 });
			await ledger.recordEvents(Array.from({ length: 10 }, (_, i) => usage({ at: '10:00', eventId: `modes-${i}`, dimension: `d${i}` })), { now: at('10:30') });
			expect(statSync(join(parent, 'aws-marketplace-metering')).mode & 0o777).toBe(0o700);
			expect(wider(folder)).toEqual([]);
			await ledger.close();
			expect(wider(folder)).toEqual([]);

			chmodSync(folder, 0o755);
			chmodSync(join(folder, 'pgdata', 'PG_VERSION'), 0o666);
			await (await openLedger({ store: 'embedded', folder, idleMs: 0 })).close();
			expect(wider(folder)).toEqual([]);
		} finally {
			rmSync(parent, { recursive: true, force: true });
		}
	}, 120_000);
});

/** Folders other than 0700 and files other than 0600 under folder, the folder included. */
function wider(folder: string): string[] {
	const mode = (path: string) => statSync(path).mode & 0o777;
	const found = mode(folder) === 0o700 ? [] : [`${folder} ${mode(folder).toString(8)}`];
	for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
		const path = join(entry.parentPath, entry.name);
		const expected = entry.isDirectory() ? 0o700 : 0o600;
		if (mode(path) !== expected) found.push(`${path} ${mode(path).toString(8)}`);
	}
	return found;
}
