import * as tls from 'node:tls';

import { Pool, type PoolClient, type PoolConfig } from 'pg';

import type { SqlExecutor, SqlRow, SqlSession } from './sql';
import { sleep } from './timer';

/**
 * How a connection uses TLS (libpq's sslmode in brackets):
 * - disable: never (disable);
 * - verifyIfOffered: TLS with a verified certificate when the server offers TLS, unencrypted when it answers that it
 *   has none (prefer, but a certificate that fails verification is an error, never a reason to fall back);
 * - require: TLS with a verified certificate, or no connection (verify-full);
 * - allowUnauthorized: TLS with any certificate (require).
 * Verified: signed by an authority Node trusts or by `ca`, and naming the host connected to.
 */
export type SslMode = 'disable' | 'verifyIfOffered' | 'require' | 'allowUnauthorized';

interface TlsOptions {
	/** Default: the connection string's sslmode, else disable. */
	ssl?: SslMode;
	/** PEM certificates of authorities trusted besides Node's, such as the AWS RDS bundle. */
	ca?: string;
}

export type PostgresConnection = TlsOptions &
	(
		| { connectionString: string }
		| { host: string; port?: number; database: string; user: string; password?: string }
	);

// pg's error when the server answers an SSLRequest with "N"; it has no code.
const NO_TLS_ON_SERVER = 'The server does not support SSL connections';

// Node's verification errors that the authority's certificate, in `ca`, would cure.
const UNKNOWN_AUTHORITY_CODES = new Set([
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_GET_ISSUER_CERT',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

// serialization_failure, deadlock_detected: the transaction did nothing and may simply run again.
const RETRIED_CODES = new Set(['40001', '40P01']);
const ATTEMPTS = 5;

/** A pool of connections; each transaction runs on one connection and is retried on conflicts. */
export async function openPostgresSession(connection: PostgresConnection): Promise<SqlSession> {
	const pool = await connectedPool(connection);
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

/** A pool whose first connection succeeded, so that every later one uses TLS the same way. */
async function connectedPool(connection: PostgresConnection): Promise<Pool> {
	try {
		return await firstConnection(poolConfig(connection, tlsConfig(connection)));
	} catch (error) {
		if (connection.ssl !== 'verifyIfOffered' || (error as Error).message !== NO_TLS_ON_SERVER) throw connectionError(connection, error as Error);
	}
	try {
		return await firstConnection(poolConfig(connection, false));
	} catch (error) {
		throw connectionError(connection, error as Error);
	}
}

async function firstConnection(config: PoolConfig): Promise<Pool> {
	const pool = new Pool(config);
	// An idle connection that breaks is dropped; the next query opens another.
	pool.on('error', () => undefined);
	try {
		(await pool.connect()).release();
		return pool;
	} catch (error) {
		await pool.end();
		throw error;
	}
}

/** pg's `ssl`; undefined leaves it to the connection string. */
function tlsConfig({ ssl, ca }: TlsOptions): PoolConfig['ssl'] {
	if (ssl === undefined) return undefined;
	if (ssl === 'disable') return false;
	if (ssl === 'allowUnauthorized') return { rejectUnauthorized: false };
	return { rejectUnauthorized: true, ...(ca ? { ca: [...nodeAuthorities(), ca] } : {}) };
}

// `ca` replaces the authorities Node trusts: they go with it. Node 22.15+ names them all (NODE_EXTRA_CA_CERTS and,
// with --use-system-ca, the operating system's store); before, only its bundled ones.
function nodeAuthorities(): readonly string[] {
	const { getCACertificates } = tls as typeof tls & { getCACertificates?: (type: 'default') => string[] };
	return getCACertificates?.('default') ?? tls.rootCertificates;
}

function poolConfig(connection: PostgresConnection, ssl: PoolConfig['ssl']): PoolConfig {
	const common = { application_name: 'n8n-aws-marketplace-metering', connectionTimeoutMillis: 15_000, max: 4, ...(ssl === undefined ? {} : { ssl }) };
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
	const advice = UNKNOWN_AUTHORITY_CODES.has((error as { code?: string }).code ?? '')
		? ". The server's TLS certificate is signed by an authority this machine does not trust: paste that authority's certificate into the credential's CA Certificate (for Amazon RDS and Aurora, the AWS RDS bundle)"
		: '';
	return new Error(`Could not connect to the PostgreSQL metering ledger at ${where}: ${message}${advice}`);
}
