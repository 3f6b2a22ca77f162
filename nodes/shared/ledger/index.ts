// The metering ledger: one interface (types.ts), two stores (embedded PGlite, PostgreSQL) on one SQL dialect.
// Plain TypeScript and its two drivers: nothing here imports n8n or the AWS SDK.
import { homedir } from 'node:os';
import { join } from 'node:path';

import { openPgliteSession } from './pglite';
import { type PostgresConnection, openPostgresSession } from './postgres';
import { migrate } from './schema';
import { createSqlLedger } from './sqlLedger';
import type { MeteringLedger } from './types';

export type * from './types';
export type { PostgresConnection } from './postgres';
export { canonicalLicenseArn, licenseIdOf } from './licenseArn';

export type LedgerConfig =
	| {
			store: 'embedded';
			folder: string;
			/** Wait for another process holding the folder (default 30 s). */
			lockTimeoutMs?: number;
			/** Keep the database open this long with nothing to do (default: embeddedIdleMs()). */
			idleMs?: number;
	  }
	| { store: 'postgres'; connection: PostgresConnection };

/** <N8N_USER_FOLDER or home>/.n8n/aws-marketplace-metering/ledger, beside n8n's own data. */
export function defaultLedgerFolder(env: NodeJS.ProcessEnv = process.env): string {
	return join(env.N8N_USER_FOLDER || homedir(), '.n8n', 'aws-marketplace-metering', 'ledger');
}

export const IDLE_SECONDS_VARIABLE = 'AWS_MARKETPLACE_METERING_LEDGER_IDLE_SECONDS';
const DEFAULT_IDLE_SECONDS = 300;

/**
 * How long the embedded ledger stays open in n8n's process with nothing to do, holding its folder:
 * AWS_MARKETPLACE_METERING_LEDGER_IDLE_SECONDS, 300 by default; 0 closes it after every execution.
 */
export function embeddedIdleMs(env: NodeJS.ProcessEnv = process.env): number {
	const value = env[IDLE_SECONDS_VARIABLE]?.trim();
	if (!value) return DEFAULT_IDLE_SECONDS * 1000;
	const seconds = Number(value);
	if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`${IDLE_SECONDS_VARIABLE} must be a number of seconds, 0 or more, not "${value}"`);
	return seconds * 1000;
}

/** Opens the ledger and brings its schema up to date. */
export async function openLedger(config: LedgerConfig): Promise<MeteringLedger> {
	let session;
	if (config.store === 'embedded') {
		if (process.env.EXECUTIONS_MODE === 'queue') {
			throw new Error(
				'The embedded metering ledger cannot be used in queue mode (EXECUTIONS_MODE=queue): each worker would keep its own ledger, ' +
					'so the usage of one hour would be split between workers and AWS would bill only the part sent first. ' +
					'Use the PostgreSQL ledger credential so that all workers share one ledger.',
			);
		}
		session = await openPgliteSession(config.folder, config.lockTimeoutMs ?? 30_000, { idleMs: config.idleMs ?? embeddedIdleMs() });
	} else {
		session = await openPostgresSession(config.connection);
	}
	try {
		await migrate(session);
	} catch (error) {
		await session.close();
		throw error;
	}
	return createSqlLedger(session);
}
