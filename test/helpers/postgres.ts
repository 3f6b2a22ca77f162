// A real PostgreSQL for the ledger's tests: scripts/postgres/start.sh installs Debian's package when
// missing, runs the server as an unprivileged user in a temporary folder and prints a connection string.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPTS = join(__dirname, '..', '..', 'scripts', 'postgres');
// Installing the package the first time takes a while.
const START_TIMEOUT_MS = 600_000;

export interface Postgres {
	connectionString: string;
	/** With TLS: the certificate (PEM) of the throwaway authority that signed the server's, which names 127.0.0.1 only. */
	ca?: string;
	stop(): void;
}

export function startPostgres({ tls = false } = {}): Postgres {
	const folder = mkdtempSync(join(tmpdir(), 'ledger-postgres-'));
	const args = [join(SCRIPTS, 'start.sh'), ...(tls ? ['--tls'] : []), folder];
	const output = execFileSync('bash', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
	const connectionString = output.trim().split('\n').pop()!;
	return {
		connectionString,
		ca: tls ? readFileSync(join(folder, 'tls', 'ca.crt'), 'utf8') : undefined,
		stop: () => execFileSync('bash', [join(SCRIPTS, 'stop.sh'), folder], { stdio: 'inherit' }),
	};
}

/** Starts a server before the surrounding describe block's tests and stops it after them. */
export function usePostgresServer(options: { tls?: boolean } = {}): () => Postgres {
	let postgres: Postgres | undefined;
	beforeAll(() => {
		postgres = startPostgres(options);
	}, START_TIMEOUT_MS);
	afterAll(() => postgres?.stop());
	return () => {
		if (!postgres) throw new Error('PostgreSQL starts in beforeAll: use it inside a test or a hook');
		return postgres;
	};
}

/** As usePostgresServer, for the connection string alone. */
export function usePostgres(): () => string {
	const server = usePostgresServer();
	return () => server().connectionString;
}
