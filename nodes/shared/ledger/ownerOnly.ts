import { chmodSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Folders 0700 and files 0600 under folder, the folder included: the ledger holds the seller's
 * customers and usage. PGlite's NODEFS writes what initdb produced with mode 0666 (it sets the modes
 * itself, past the umask), and a worker thread cannot have a umask of its own.
 */
export function ownerOnly(folder: string): void {
	chmodSync(folder, 0o700);
	for (const entry of readdirSync(folder, { withFileTypes: true })) {
		try {
			if (entry.isDirectory()) ownerOnly(join(folder, entry.name));
			else if (entry.isFile()) chmodSync(join(folder, entry.name), 0o600);
		} catch (error) {
			// Removed meanwhile: a temporary file of PostgreSQL's, a lock of another process's.
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
		}
	}
}
