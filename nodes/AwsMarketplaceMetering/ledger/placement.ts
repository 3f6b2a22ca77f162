import { HOUR_MS, deadlineOf, firstLiveHour } from './hours';
import { seriesKey } from './keys';
import { SCHEMA, type SqlExecutor } from './sql';

// Where new usage events go: which key of their series takes them.

const AFTER_FINAL = 'AfterFinalReport';
const AFTER_FINAL_REASON = 'Usage recorded after the final report of its license or customer: never sent';
// A concurrent writer can take a chosen hour between our read and our insert; then we choose again.
const PLACEMENT_ROUNDS = 5;

/** The usage of one owner, customer and dimension over the hours. */
export interface Series {
	key: string;
	owner: string;
	productCode: string;
	licenseArn: string | null;
	customerKind: string;
	customer: string;
	dimension: string;
}

/** The new events of one series and hour; those after a final report are placed apart. */
export interface Group {
	series: Series;
	hour: number;
	afterFinal: boolean;
	members: number[];
	target?: KeyRow;
}

export interface KeyRow {
	key_id: string;
	owner: string;
	customer_kind: string;
	customer: string;
	dimension: string;
	hour: Date;
	deadline: Date;
	state: string;
	status: string | null;
	[column: string]: unknown;
}

interface Placement {
	series: Series;
	hour: number;
	afterFinal: boolean;
}

export function keyOf(seriesKeyText: string, hour: number): string {
	return `${seriesKeyText}\0${hour}`;
}

function rowKey(row: KeyRow): string {
	return keyOf(seriesKey(row.owner, row.customer_kind, row.customer, row.dimension), row.hour.getTime());
}

/**
 * Creates the keys that are missing (open, or notBilled for usage after a final report) and locks
 * all of them, in one stable order so that concurrent writers never wait on each other in a circle.
 */
export async function upsertKeys(tx: SqlExecutor, placements: Placement[], now: Date): Promise<Map<string, KeyRow>> {
	if (placements.length === 0) return new Map();
	const columns: string[][] = [[], [], [], [], [], [], [], [], []];
	for (const { series, hour, afterFinal } of placements) {
		const values = [series.owner, series.productCode, series.licenseArn, series.customerKind, series.customer, series.dimension];
		values.push(new Date(hour).toISOString(), new Date(deadlineOf(hour)).toISOString(), afterFinal ? 't' : 'f');
		values.forEach((value, column) => columns[column].push(value as string));
	}
	const rows = await tx.query<KeyRow>(
		`INSERT INTO ${SCHEMA}.usage_key AS k
			(owner, product_code, license_arn, customer_kind, customer, dimension, hour, deadline, state, status, reason, created_at)
		SELECT t.owner, t.product_code, t.license_arn, t.customer_kind, t.customer, t.dimension, t.hour::timestamptz, t.deadline::timestamptz,
			CASE WHEN t.after_final::boolean THEN 'notBilled' ELSE 'open' END,
			CASE WHEN t.after_final::boolean THEN '${AFTER_FINAL}' END,
			CASE WHEN t.after_final::boolean THEN '${AFTER_FINAL_REASON}' END,
			$10
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
			AS t(owner, product_code, license_arn, customer_kind, customer, dimension, hour, deadline, after_final)
		ORDER BY t.owner, t.customer_kind, t.customer, t.dimension, t.hour
		ON CONFLICT (owner, customer_kind, customer, dimension, hour) DO UPDATE SET state = k.state
		RETURNING k.key_id::text AS key_id, k.owner, k.customer_kind, k.customer, k.dimension, k.hour, k.deadline, k.state, k.status`,
		[...columns, now],
	);
	return new Map(rows.map((row) => [rowKey(row), row]));
}

/**
 * Late events go to the first later hour of their series whose key is absent or open and can still
 * be sent; events after a final report to the first hour from their own whose key is absent or
 * already holds such usage.
 */
export async function placeElsewhere(tx: SqlExecutor, groups: Group[], now: Date): Promise<void> {
	const nowMs = now.getTime();
	const liveFrom = firstLiveHour(nowMs);
	const fits = (key: KeyRow, afterFinal: boolean) =>
		afterFinal ? key.state === 'notBilled' && key.status === AFTER_FINAL : key.state === 'open' && key.deadline.getTime() > nowMs;
	let pending = groups;
	for (let round = 0; pending.length > 0; round++) {
		if (round === PLACEMENT_ROUNDS) throw new Error(`Could not place ${pending.length} groups of late usage events: other writers kept taking their hours; try again`);
		const existing = await lockSeries(tx, pending);
		const chosen = new Map<Group, number>();
		const missing = new Map<string, Placement>();
		for (const group of pending) {
			let hour = group.afterFinal ? group.hour : Math.max(group.hour + HOUR_MS, liveFrom);
			while (existing.has(keyOf(group.series.key, hour)) && !fits(existing.get(keyOf(group.series.key, hour))!, group.afterFinal)) hour += HOUR_MS;
			chosen.set(group, hour);
			const key = existing.get(keyOf(group.series.key, hour));
			if (key) group.target = key;
			else missing.set(keyOf(group.series.key, hour), { series: group.series, hour, afterFinal: group.afterFinal });
		}
		const created = await upsertKeys(tx, [...missing.values()], now);
		for (const group of pending) {
			const key = group.target ?? created.get(keyOf(group.series.key, chosen.get(group)!));
			if (key && fits(key, group.afterFinal)) group.target = key;
		}
		pending = pending.filter((group) => !group.target);
	}
}

/** Locks the keys of the groups' series from the earliest hour concerned on, in the stable order. */
async function lockSeries(tx: SqlExecutor, groups: Group[]): Promise<Map<string, KeyRow>> {
	const from = new Map<string, Group>();
	for (const group of groups) {
		const earliest = from.get(group.series.key);
		if (!earliest || group.hour < earliest.hour) from.set(group.series.key, group);
	}
	const columns: string[][] = [[], [], [], [], []];
	for (const { series, hour } of from.values()) {
		[series.owner, series.customerKind, series.customer, series.dimension, new Date(hour).toISOString()].forEach((value, column) =>
			columns[column].push(value),
		);
	}
	const rows = await tx.query<KeyRow>(
		`SELECT k.key_id::text AS key_id, k.owner, k.customer_kind, k.customer, k.dimension, k.hour, k.deadline, k.state, k.status
		FROM ${SCHEMA}.usage_key k
		JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS s(owner, customer_kind, customer, dimension, from_hour)
			ON k.owner = s.owner AND k.customer_kind = s.customer_kind AND k.customer = s.customer AND k.dimension = s.dimension
			AND k.hour >= s.from_hour::timestamptz
		ORDER BY k.owner, k.customer_kind, k.customer, k.dimension, k.hour
		FOR UPDATE OF k`,
		columns,
	);
	return new Map(rows.map((row) => [rowKey(row), row]));
}
