import type { Customer, UsageKey } from './types';

/** The columns a UsageKey is read from, for `SELECT ${KEY_COLUMNS} FROM usage_key k`. */
export const KEY_COLUMNS = 'k.key_id::text AS key_id, k.product_code, k.license_arn, k.customer_kind, k.customer, k.dimension, k.hour, k.deadline';

export interface KeyColumns {
	key_id: string;
	product_code: string;
	license_arn: string | null;
	customer_kind: string;
	customer: string;
	dimension: string;
	hour: Date | string;
	deadline: Date | string;
	[column: string]: unknown;
}

export function toUsageKey(row: KeyColumns): UsageKey {
	return {
		keyId: Number(row.key_id),
		productCode: row.product_code,
		...(row.license_arn !== null ? { licenseArn: row.license_arn } : {}),
		customer: toCustomer(row.customer_kind, row.customer),
		dimension: row.dimension,
		// Dates may arrive as text from a transaction run in the PGlite worker.
		hour: new Date(row.hour),
		deadline: new Date(row.deadline),
	};
}

export function toCustomer(kind: string, customer: string): Customer {
	return kind === 'CustomerIdentifier' ? { CustomerIdentifier: customer } : { CustomerAWSAccountId: customer };
}

/** [kind, value] of a customer, as stored. */
export function customerColumns(customer: Customer): [string, string] {
	return 'CustomerIdentifier' in customer ? ['CustomerIdentifier', customer.CustomerIdentifier] : ['CustomerAWSAccountId', customer.CustomerAWSAccountId];
}

// PostgreSQL text cannot hold NUL, so it cannot occur inside a part.
export function seriesKey(owner: string, customerKind: string, customer: string, dimension: string): string {
	return `${owner}\0${customerKind}\0${customer}\0${dimension}`;
}
