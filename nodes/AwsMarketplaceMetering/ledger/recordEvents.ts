import { deadlineOf, hourOf } from './hours';
import { customerColumns, seriesKey } from './keys';
import { type Group, type Series, keyOf, placeElsewhere, upsertKeys } from './placement';
import { SCHEMA, type SqlExecutor } from './sql';
import type { LedgerUsageEvent, RecordAnswer } from './types';

const DECIMAL = /^\d+(\.\d+)?$/;

/**
 * Counts each new event in the key of its own hour while that key is open; otherwise carries it to
 * the first later hour of its series that can still be sent. Set-based: a few statements whatever
 * the number of events.
 */
export async function recordEvents(tx: SqlExecutor, events: LedgerUsageEvent[], now: Date): Promise<RecordAnswer[]> {
	if (events.length === 0) return [];
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
