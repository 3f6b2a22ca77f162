import { HOUR_MS } from './hours';
import { KEY_COLUMNS, type KeyColumns, toUsageKey } from './keys';
import { canonicalLicenseArn } from './licenseArn';
import { SCHEMA, type SqlExecutor } from './sql';
import type { KeyState, ReportQuery, ReportRow } from './types';

interface Row extends KeyColumns {
	events: number;
	quantity: string;
	sent_quantity: string | null;
	state: KeyState;
	status: string | null;
	reason: string | null;
	metering_record_id: string | null;
	sent_at: Date | null;
	attempts: number;
	last_error: string | null;
	carried_from: number[];
	carried_to: number[];
}

/** The keys matching every given filter, oldest hour first. */
export async function report(db: SqlExecutor, query: ReportQuery): Promise<ReportRow[]> {
	const { now, closeAfterMinutes } = query;
	const closedBefore = now && closeAfterMinutes !== undefined ? new Date(now.getTime() - HOUR_MS - closeAfterMinutes * 60_000) : null;
	const rows = await db.query<Row>(
		`SELECT * FROM (
			SELECT ${KEY_COLUMNS}, k.events, trim_scale(k.quantity)::text AS quantity, k.sent_quantity::text AS sent_quantity,
				CASE WHEN k.state = 'open' AND k.hour <= $1 THEN 'ready' ELSE k.state END AS state,
				k.status, k.reason, k.metering_record_id, k.sent_at, k.attempts, k.last_error,
				ARRAY(SELECT DISTINCT extract(epoch FROM e.carried_from)::float8 * 1000 FROM ${SCHEMA}.usage_event e
					WHERE e.key_id = k.key_id AND e.carried_from IS NOT NULL ORDER BY 1) AS carried_from,
				ARRAY(SELECT DISTINCT extract(epoch FROM later.hour)::float8 * 1000
					FROM ${SCHEMA}.usage_key later JOIN ${SCHEMA}.usage_event e ON e.key_id = later.key_id AND e.carried_from = k.hour
					WHERE later.owner = k.owner AND later.customer_kind = k.customer_kind AND later.customer = k.customer
						AND later.dimension = k.dimension AND later.hour > k.hour
					ORDER BY 1) AS carried_to
			FROM ${SCHEMA}.usage_key k
			WHERE ($2::timestamptz IS NULL OR k.hour >= $2) AND ($3::timestamptz IS NULL OR k.hour < $3)
				AND ($4::text IS NULL OR (k.customer_kind = 'CustomerAWSAccountId' AND k.customer = $4))
				AND ($5::text IS NULL OR (k.customer_kind = 'CustomerIdentifier' AND k.customer = $5))
				AND ($6::text IS NULL OR k.license_arn = $6) AND ($7::text IS NULL OR k.product_code = $7)
				AND ($8::text IS NULL OR k.dimension = $8)
		) r
		WHERE $9::text[] IS NULL OR r.state = ANY($9::text[])
		ORDER BY r.hour, r.key_id::bigint
		LIMIT $10`,
		[
			closedBefore,
			query.from ?? null,
			query.to ?? null,
			query.customerAWSAccountId ?? null,
			query.customerIdentifier ?? null,
			query.licenseArn === undefined ? null : (canonicalLicenseArn(query.licenseArn) ?? query.licenseArn),
			query.productCode ?? null,
			query.dimension ?? null,
			query.states ?? null,
			query.limit === undefined ? 1000 : query.limit,
		],
	);
	return rows.map((row) => ({
		...toUsageKey(row),
		events: row.events,
		quantity: row.quantity,
		...(row.sent_quantity !== null ? { sentQuantity: Number(row.sent_quantity) } : {}),
		state: row.state,
		...present({ status: row.status, reason: row.reason, meteringRecordId: row.metering_record_id, sentAt: row.sent_at, lastError: row.last_error }),
		attempts: row.attempts,
		carriedFrom: row.carried_from.map((ms) => new Date(ms)),
		carriedTo: row.carried_to.map((ms) => new Date(ms)),
	}));
}

/** The fields that have a value: optional fields are absent rather than null. */
function present<T extends Record<string, unknown>>(fields: T): { [K in keyof T]?: NonNullable<T[K]> } {
	return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null)) as { [K in keyof T]?: NonNullable<T[K]> };
}
