import { HOUR_MS, deadlineOf, firstLiveHour, hourOf } from './hours';
import { customerColumns, seriesKey } from './keys';
import { SCHEMA, type SqlExecutor } from './sql';
import type { LedgerUsageEvent, RecordAnswer } from './types';

const DECIMAL = /^\d+(\.\d+)?$/;
const AFTER_FINAL = 'AfterFinalReport';
const AFTER_FINAL_REASON = 'Usage recorded after the final report of its license or customer: never sent';
// A concurrent writer can take a chosen hour between our read and our insert; then we choose again.
const PLACEMENT_ROUNDS = 5;

/** The usage of one owner, customer and dimension over the hours. */
interface Series {
	key: string;
	owner: string;
	productCode: string;
	licenseArn: string | null;
	customerKind: string;
	customer: string;
	dimension: string;
}

/** The new events of one series and hour; those after a final report are placed apart. */
interface Group {
	series: Series;
	hour: number;
	afterFinal: boolean;
	members: number[];
	target?: KeyRow;
}

interface KeyRow {
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

function keyOf(seriesKeyText: string, hour: number): string {
	return `${seriesKeyText}\0${hour}`;
}

function rowKey(row: KeyRow): string {
	return keyOf(seriesKey(row.owner, row.customer_kind, row.customer, row.dimension), row.hour.getTime());
}

/**
 * Counts each new event in the key of its own hour while that key is open; otherwise carries it to
 * the first later hour of its series that can still be sent. Set-based: a few statements whatever
 * the number of events.
 */
export async function recordEvents(tx: SqlExecutor, events: LedgerUsageEvent[], now: Date): Promise<RecordAnswer[]> {
	const nowMs = now.getTime();
	const answers: RecordAnswer[] = new Array(events.length);
	const series = events.map((event, index) => seriesOf(event, index));

	const firstWithId = new Map<string, number>();
	const repeats: [number, number][] = [];
	const fresh: number[] = [];
	events.forEach((event, index) => {
		if (event.eventId === undefined) return void fresh.push(index);
		const first = firstWithId.get(event.eventId);
		if (first !== undefined) return void repeats.push([index, first]);
		firstWithId.set(event.eventId, index);
		fresh.push(index);
	});
	const seen = await knownEvents(tx, [...firstWithId.keys()]);
	const newEvents = fresh.filter((index) => {
		const known = events[index].eventId !== undefined && seen.get(events[index].eventId!);
		if (known) answers[index] = known;
		return !known;
	});

	const afterFinal = await finalReportsBefore(tx, newEvents.map((index) => events[index]), now);
	const groups = new Map<string, Group>();
	for (const index of newEvents) {
		const event = events[index];
		const hour = hourOf(event.timestamp);
		const late = afterFinal(event);
		const id = `${keyOf(series[index].key, hour)}\0${late}`;
		const group = groups.get(id);
		if (group) group.members.push(index);
		else groups.set(id, { series: series[index], hour, afterFinal: late, members: [index] });
	}

	// The own hour takes its events while it is open and before its deadline.
	const own = [...groups.values()].filter((group) => !group.afterFinal && deadlineOf(group.hour) > nowMs);
	const ownKeys = await upsertKeys(tx, own, now);
	for (const group of own) {
		const key = ownKeys.get(keyOf(group.series.key, group.hour))!;
		if (key.state === 'open') group.target = key;
	}
	await placeElsewhere(tx, [...groups.values()].filter((group) => !group.target), now);

	const lost = await insertEvents(tx, events, [...groups.values()], now);
	if (lost.length > 0) for (const [id, answer] of await knownEvents(tx, lost)) answers[firstWithId.get(id)!] = answer;
	for (const group of groups.values()) {
		const hour = group.target!.hour;
		const carriedFrom = hour.getTime() !== group.hour ? { carriedFrom: new Date(group.hour) } : {};
		const result = group.afterFinal ? 'afterFinalReport' : 'recorded';
		for (const index of group.members) answers[index] ??= { result, keyId: Number(group.target!.key_id), hour, ...carriedFrom };
	}
	for (const [index, first] of repeats) answers[index] = { result: 'duplicateEvent', keyId: answers[first].keyId, hour: answers[first].hour };
	return answers;
}

function seriesOf(event: LedgerUsageEvent, index: number): Series {
	const problem = (what: string) => new TypeError(`Usage event ${index}: ${what}`);
	if (!DECIMAL.test(event.quantity)) throw problem(`quantity ${JSON.stringify(event.quantity)} is not decimal text`);
	if (!(event.timestamp instanceof Date) || Number.isNaN(event.timestamp.getTime())) throw problem('timestamp is not a valid Date');
	for (const allocation of event.allocations ?? []) {
		if (!DECIMAL.test(allocation.quantity)) throw problem(`allocated quantity ${JSON.stringify(allocation.quantity)} is not decimal text`);
	}
	const [customerKind, customer] = customerColumns(event.customer);
	const owner = event.licenseArn ?? event.productCode;
	return {
		key: seriesKey(owner, customerKind, customer, event.dimension),
		owner,
		productCode: event.productCode,
		licenseArn: event.licenseArn ?? null,
		customerKind,
		customer,
		dimension: event.dimension,
	};
}

/** Answers for event IDs already in the ledger: the first one's key and hour. */
async function knownEvents(tx: SqlExecutor, ids: string[]): Promise<Map<string, RecordAnswer>> {
	if (ids.length === 0) return new Map();
	const rows = await tx.query<{ event_id: string; key_id: string; hour: Date }>(
		`SELECT e.event_id, e.key_id::text AS key_id, k.hour
		FROM ${SCHEMA}.usage_event e JOIN ${SCHEMA}.usage_key k ON k.key_id = e.key_id
		WHERE e.event_id = ANY($1::text[])`,
		[ids],
	);
	return new Map(rows.map((row) => [row.event_id, { result: 'duplicateEvent', keyId: Number(row.key_id), hour: row.hour }]));
}

/** Whether an event arrives after a final report of its license or customer. */
async function finalReportsBefore(tx: SqlExecutor, events: LedgerUsageEvent[], now: Date): Promise<(event: LedgerUsageEvent) => boolean> {
	const licenses = new Set(events.flatMap((event) => (event.licenseArn !== undefined ? [event.licenseArn] : [])));
	const customers = new Set(events.map((event) => customerColumns(event.customer)[1]));
	const rows = await tx.query<{ license_arn: string | null; customer: string | null }>(
		`SELECT DISTINCT license_arn, customer FROM ${SCHEMA}.final_report
		WHERE reported_at <= $1 AND (license_arn = ANY($2::text[]) OR customer = ANY($3::text[]))`,
		[now, [...licenses], [...customers]],
	);
	if (rows.length === 0) return () => false;
	const finalLicenses = new Set(rows.map((row) => row.license_arn));
	const finalCustomers = new Set(rows.map((row) => row.customer));
	return (event) =>
		(event.licenseArn !== undefined && finalLicenses.has(event.licenseArn)) || finalCustomers.has(customerColumns(event.customer)[1]);
}

/**
 * Creates the keys that are missing (open, or notBilled for usage after a final report) and locks
 * all of them, in one stable order so that concurrent writers never wait on each other in a circle.
 */
async function upsertKeys(tx: SqlExecutor, placements: Placement[], now: Date): Promise<Map<string, KeyRow>> {
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
async function placeElsewhere(tx: SqlExecutor, groups: Group[], now: Date): Promise<void> {
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

/**
 * Inserts the events and adds them to their keys in one statement. Returns the event IDs that a
 * concurrent writer inserted first (they are then duplicates).
 */
async function insertEvents(tx: SqlExecutor, events: LedgerUsageEvent[], groups: Group[], now: Date): Promise<string[]> {
	const columns: (string | null)[][] = [[], [], [], [], [], [], []];
	let withId = 0;
	for (const group of groups) {
		const carriedFrom = group.target!.hour.getTime() !== group.hour ? new Date(group.hour).toISOString() : null;
		for (const index of group.members) {
			const event = events[index];
			if (event.eventId !== undefined) withId++;
			const allocations = event.allocations ? JSON.stringify(event.allocations) : null;
			const values = [event.eventId ?? null, group.target!.key_id, event.quantity, allocations, event.timestamp.toISOString(), carriedFrom];
			values.push(group.afterFinal ? 't' : 'f');
			values.forEach((value, column) => columns[column].push(value));
		}
	}
	if (columns[0].length === 0) return [];
	const [result] = await tx.query<{ with_id: number; ids: string[] | null }>(
		`WITH inserted AS (
			INSERT INTO ${SCHEMA}.usage_event (event_id, key_id, quantity, allocations, happened_at, carried_from, after_final_report, recorded_at)
			SELECT t.event_id, t.key_id::bigint, t.quantity::numeric, t.allocations::jsonb, t.happened_at::timestamptz,
				t.carried_from::timestamptz, t.after_final::boolean, $8
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
				AS t(event_id, key_id, quantity, allocations, happened_at, carried_from, after_final)
			ON CONFLICT (event_id) DO NOTHING
			RETURNING key_id, quantity, allocations IS NOT NULL AS allocated, event_id
		), counted AS (
			UPDATE ${SCHEMA}.usage_key k
			SET quantity = k.quantity + s.quantity, events = k.events + s.events, allocated_events = k.allocated_events + s.allocated
			FROM (SELECT key_id, sum(quantity) AS quantity, count(*)::int AS events, (count(*) FILTER (WHERE allocated))::int AS allocated
				FROM inserted GROUP BY key_id) s
			WHERE k.key_id = s.key_id
		)
		SELECT count(event_id)::int AS with_id,
			CASE WHEN count(event_id) < $9 THEN array_agg(event_id) FILTER (WHERE event_id IS NOT NULL) END AS ids
		FROM inserted`,
		[...columns, now, withId],
	);
	if (result.with_id === withId) return [];
	const inserted = new Set(result.ids ?? []);
	return groups.flatMap((group) => group.members.map((index) => events[index].eventId)).filter((id): id is string => id !== undefined && !inserted.has(id));
}
