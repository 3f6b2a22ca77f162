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
	/** Where it may go when its own hour cannot take it: from this hour, before `until`. */
	range?: { from: number; until: number };
	/** Why it is billed outside its own window (the seller's choice). */
	late?: 'deadline' | 'monthSent';
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

const KEY_ROW = 'k.key_id::text AS key_id, k.owner, k.customer_kind, k.customer, k.dimension, k.hour, k.deadline, k.state, k.status';

function rowKey(row: KeyRow): string {
	return keyOf(seriesKey(row.owner, row.customer_kind, row.customer, row.dimension), row.hour.getTime());
}

/**
 * Locks the keys of these hours, creating those that are missing (open, or notBilled for usage after
 * a final report). Locks are taken in one stable order, so that concurrent writers rarely wait on
 * each other in a circle (PostgreSQL breaks the rare deadlock and the transaction runs again).
 */
export async function upsertKeys(tx: SqlExecutor, placements: Placement[], now: Date): Promise<Map<string, KeyRow>> {
	const keys = await lockKeys(tx, placements, 'exact');
	let missing = placements.filter(({ series, hour }) => !keys.has(keyOf(series.key, hour)));
	while (missing.length > 0) {
		for (const [id, key] of await insertKeys(tx, missing, now)) keys.set(id, key);
		// Another writer created the rest meanwhile: lock them as they are.
		const raced = missing.filter(({ series, hour }) => !keys.has(keyOf(series.key, hour)));
		for (const [id, key] of await lockKeys(tx, raced, 'exact')) keys.set(id, key);
		missing = raced.filter(({ series, hour }) => !keys.has(keyOf(series.key, hour)));
	}
	return keys;
}

async function insertKeys(tx: SqlExecutor, placements: Placement[], now: Date): Promise<Map<string, KeyRow>> {
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
		ON CONFLICT (owner, customer_kind, customer, dimension, hour) DO NOTHING
		RETURNING ${KEY_ROW}`,
		[...columns, now],
	);
	return new Map(rows.map((row) => [rowKey(row), row]));
}

/** Locks the keys of these hours ('exact'), or of these hours and every later one of their series ('from'). */
async function lockKeys(tx: SqlExecutor, placements: { series: Series; hour: number }[], hours: 'exact' | 'from'): Promise<Map<string, KeyRow>> {
	if (placements.length === 0) return new Map();
	const columns: string[][] = [[], [], [], [], []];
	for (const { series, hour } of placements) {
		[series.owner, series.customerKind, series.customer, series.dimension, new Date(hour).toISOString()].forEach((value, column) =>
			columns[column].push(value),
		);
	}
	const rows = await tx.query<KeyRow>(
		`SELECT ${KEY_ROW}
		FROM ${SCHEMA}.usage_key k
		JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS s(owner, customer_kind, customer, dimension, hour)
			ON k.owner = s.owner AND k.customer_kind = s.customer_kind AND k.customer = s.customer AND k.dimension = s.dimension
			AND k.hour ${hours === 'exact' ? '=' : '>='} s.hour::timestamptz
		ORDER BY k.owner, k.customer_kind, k.customer, k.dimension, k.hour
		FOR UPDATE OF k`,
		columns,
	);
	return new Map(rows.map((row) => [rowKey(row), row]));
}

/**
 * Late events go to the first hour of their range whose key is absent or open and can still be
 * sent; events after a final report to the first hour of theirs whose key is absent or already holds
 * such usage. A group whose range has no such hour keeps no target.
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
		const unplaceable = new Set<Group>();
		for (const group of pending) {
			const { from, until } = group.range!;
			let hour = group.afterFinal ? from : Math.max(from, liveFrom);
			while (hour < until && existing.has(keyOf(group.series.key, hour)) && !fits(existing.get(keyOf(group.series.key, hour))!, group.afterFinal)) hour += HOUR_MS;
			if (hour >= until) {
				unplaceable.add(group);
				continue;
			}
			chosen.set(group, hour);
			const key = existing.get(keyOf(group.series.key, hour));
			if (key) group.target = key;
			else missing.set(keyOf(group.series.key, hour), { series: group.series, hour, afterFinal: group.afterFinal });
		}
		const created = await upsertKeys(tx, [...missing.values()], now);
		for (const group of chosen.keys()) {
			const key = group.target ?? created.get(keyOf(group.series.key, chosen.get(group)!));
			if (key && fits(key, group.afterFinal)) group.target = key;
		}
		pending = pending.filter((group) => !group.target && !unplaceable.has(group));
	}
}

/** Locks the keys of the groups' series from the earliest hour concerned on. */
function lockSeries(tx: SqlExecutor, groups: Group[]): Promise<Map<string, KeyRow>> {
	const from = new Map<string, { series: Series; hour: number }>();
	for (const group of groups) {
		const earliest = from.get(group.series.key);
		if (!earliest || group.range!.from < earliest.hour) from.set(group.series.key, { series: group.series, hour: group.range!.from });
	}
	return lockKeys(tx, [...from.values()], 'from');
}
