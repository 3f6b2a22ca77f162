// A real PostgreSQL for the ledger's tests: scripts/postgres/start.sh installs Debian's package when
// missing, runs the server as an unprivileged user in a temporary folder and prints a connection string.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPTS = join(__dirname, '..', '..', 'scripts', 'postgres');
// Installing the package the first time takes a while.
const START_TIMEOUT_MS = 600_000;

export interface Postgres {
	connectionString: string;
	stop(): void;
}

export function startPostgres(): Postgres {
	const folder = mkdtempSync(join(tmpdir(), 'ledger-postgres-'));
	const output = execFileSync('bash', [join(SCRIPTS, 'start.sh'), folder], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
	const connectionString = output.trim().split('\n').pop()!;
	return { connectionString, stop: () => execFileSync('bash', [join(SCRIPTS, 'stop.sh'), folder], { stdio: 'inherit' }) };
}

/** Starts a server before the surrounding describe block's tests and stops it after them. */
export function usePostgres(): () => string {
	let postgres: Postgres | undefined;
	beforeAll(() => {
		postgres = startPostgres();
	}, START_TIMEOUT_MS);
	afterAll(() => postgres?.stop());
	return () => {
		if (!postgres) throw new Error('PostgreSQL starts in beforeAll: use it inside a test or a hook');
		return postgres.connectionString;
	};
}
