import { sleep } from 'n8n-workflow';
import { Pool, type PoolClient, type PoolConfig } from 'pg';

import type { SqlExecutor, SqlRow, SqlSession } from './sql';

interface TlsOptions {
	/** Default: the connection string's sslmode, else off. */
	ssl?: boolean;
	/** Check the server's certificate (default true). */
	rejectUnauthorized?: boolean;
}

export type PostgresConnection = TlsOptions &
	(
		| { connectionString: string }
		| { host: string; port?: number; database: string; user: string; password?: string }
	);

// serialization_failure, deadlock_detected: the transaction did nothing and may simply run again.
const RETRIED_CODES = new Set(['40001', '40P01']);
const ATTEMPTS = 5;

/** A pool of connections; each transaction runs on one connection and is retried on conflicts. */
export async function openPostgresSession(connection: PostgresConnection): Promise<SqlSession> {
	const pool = new Pool(poolConfig(connection));
	// An idle connection that breaks is dropped; the next query opens another.
	pool.on('error', () => undefined);
	try {
		(await pool.connect()).release();
	} catch (error) {
		await pool.end();
		throw connectionError(connection, error as Error);
	}
	const executor = (client: Pick<PoolClient, 'query'>): SqlExecutor => ({
		query: async <R extends SqlRow>(text: string, params?: unknown[]) => (await client.query<R>(text, params)).rows,
	});
	return {
		...executor(pool),
		async transaction(fn) {
			for (let attempt = 1; ; attempt++) {
				const client = await pool.connect();
				let broken: Error | undefined;
				try {
					await client.query('BEGIN');
					const result = await fn(executor(client));
					await client.query('COMMIT');
					return result;
				} catch (error) {
					await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
					if (attempt >= ATTEMPTS || !RETRIED_CODES.has((error as { code?: string }).code ?? '')) throw error;
				} finally {
					client.release(broken);
				}
				await sleep(Math.random() * 20 * attempt);
			}
		},
		close: () => pool.end(),
	};
}

function poolConfig(connection: PostgresConnection): PoolConfig {
	const tls = connection.ssl === undefined ? {} : { ssl: connection.ssl ? { rejectUnauthorized: connection.rejectUnauthorized ?? true } : false };
	const common = { application_name: 'n8n-aws-marketplace-metering', connectionTimeoutMillis: 15_000, max: 4, ...tls };
	if ('connectionString' in connection) return { connectionString: connection.connectionString, ...common };
	const { host, port, database, user, password } = connection;
	return { host, port, database, user, password, ...common };
}

/** Names the server, database and user, never the password. */
function connectionError(connection: PostgresConnection, error: Error): Error {
	let where: string;
	let password: string | undefined;
	if ('connectionString' in connection) {
		try {
			const url = new URL(connection.connectionString);
			where = `${url.hostname}:${url.port || 5432}, database ${decodeURIComponent(url.pathname.slice(1))}, user ${decodeURIComponent(url.username)}`;
			password = decodeURIComponent(url.password);
		} catch {
			where = 'the server of the connection string (which is not a valid postgresql:// URL)';
		}
	} else {
		where = `${connection.host}:${connection.port ?? 5432}, database ${connection.database}, user ${connection.user}`;
		password = connection.password;
	}
	const message = password ? error.message.split(password).join('***') : error.message;
	return new Error(`Could not connect to the PostgreSQL metering ledger at ${where}: ${message}`);
}
