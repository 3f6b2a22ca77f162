// The little the ledger needs from a database: both stores speak the same PostgreSQL dialect.

export type SqlRow = Record<string, unknown>;

export interface SqlExecutor {
	/** One statement, parameters as $1, $2... */
	query<R extends SqlRow = SqlRow>(text: string, params?: unknown[]): Promise<R[]>;
}

export interface SqlSession extends SqlExecutor {
	/** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
	transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
	close(): Promise<void>;
}

/** Where every table lives, so that a seller can find and query them. */
export const SCHEMA = 'aws_marketplace_metering';
