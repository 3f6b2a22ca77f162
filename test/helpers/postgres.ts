// A real PostgreSQL for the ledger's tests, the benchmark and the queue proof: scripts/postgres/start.sh installs
// Debian's package when missing, runs the server as an unprivileged user in a temporary folder and prints a
// connection string; stop.sh stops it and removes the folder.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPTS = join(__dirname, '..', '..', 'scripts', 'postgres');
// Installing the package the first time takes a while.
const START_TIMEOUT_MS = 600_000;

export interface Postgres {
	/** The server's folder (its data, socket and logs). */
	folder: string;
	connectionString: string;
	host: string;
	port: number;
	user: string;
	password: string;
	/** The database start.sh created for the user. */
	database: string;
	/** With TLS: the certificate (PEM) of the throwaway authority that signed the server's, which names 127.0.0.1 only. */
	ca?: string;
	/** The server's (postmaster's) process ID while it runs. */
	pid(): number | undefined;
	/** The connection string of another database on the server. */
	url(database: string): string;
	/** Stops the server and removes its folder; synchronous, so that it can run in an exit handler; once. */
	stop(): void;
}

/** Starts a throwaway server; a failure to start says why (start.sh's messages), nothing else is printed. */
export function startPostgres({ tls = false, prefix = 'ledger-postgres-' } = {}): Postgres {
	const folder = mkdtempSync(join(tmpdir(), prefix));
	let output: string;
	try {
		output = execFileSync('bash', [join(SCRIPTS, 'start.sh'), ...(tls ? ['--tls'] : []), folder], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: START_TIMEOUT_MS });
	} catch (error) {
		stopServer(folder);
		throw new Error(`PostgreSQL did not start: ${String((error as { stderr?: string }).stderr || (error as Error).message)}`);
	}
	const connectionString = output.trim().split('\n').pop()!;
	const url = new URL(connectionString);
	let stopped = false;
	return {
		folder,
		connectionString,
		host: url.hostname,
		port: Number(url.port),
		user: decodeURIComponent(url.username),
		password: decodeURIComponent(url.password),
		database: decodeURIComponent(url.pathname.slice(1)),
		ca: tls ? readFileSync(join(folder, 'tls', 'ca.crt'), 'utf8') : undefined,
		pid: () => {
			try {
				return Number(readFileSync(join(folder, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
			} catch {
				return undefined;
			}
		},
		url: (database) => {
			const copy = new URL(url);
			copy.pathname = `/${database}`;
			return copy.toString();
		},
		stop: () => {
			if (stopped) return;
			stopped = true;
			stopServer(folder);
		},
	};
}

function stopServer(folder: string): void {
	try {
		execFileSync('bash', [join(SCRIPTS, 'stop.sh'), folder], { stdio: 'ignore', timeout: 60_000 });
	} finally {
		rmSync(folder, { recursive: true, force: true });
	}
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
