import { HOUR_MS, MAX_RECORD_AGE_HOURS, deadlineOf, hourOf, monthEndOf } from './hours';
import { customerColumns, seriesKey } from './keys';
import { type Group, type Series, keyOf, placeElsewhere, upsertKeys } from './placement';
import { SCHEMA, type SqlExecutor } from './sql';
import type { LedgerUsageEvent, RecordAnswer, RecordOptions } from './types';

const DECIMAL = /^\d+(\.\d+)?$/;

/**
 * Counts each new event in the key of its own hour while that key is open and its deadline ahead.
 * Otherwise it is carried to the first later hour of its series and month that can still be sent,
 * or answered expired and not kept: moved past its deadline or into another month, usage would be
 * billed for another period than it was used in (unless the seller opts in with billLateUsageLater).
 * Set-based: a few statements whatever the number of events.
 */
export async function recordEvents(tx: SqlExecutor, events: LedgerUsageEvent[], options: RecordOptions): Promise<RecordAnswer[]> {
	if (events.length === 0) return [];
	const { now, maxRecordAgeHours = MAX_RECORD_AGE_HOURS, billLateUsageLater = false } = options;
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

	await rememberGivenArns(tx, newEvents.map((index) => events[index]), now);
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

	const pastDeadline = (group: Group) => deadlineOf(group.hour, maxRecordAgeHours) <= nowMs;
	// The own hour takes its events while it is open and before its deadline.
	const own = [...groups.values()].filter((group) => !group.afterFinal && !pastDeadline(group));
	const ownKeys = await upsertKeys(tx, own, now);
	for (const group of own) {
		const key = ownKeys.get(keyOf(group.series.key, group.hour))!;
		if (key.state === 'open') group.target = key;
	}
	const elsewhere: Group[] = [];
	for (const group of groups.values()) {
		if (group.target) continue;
		if (group.afterFinal) group.range = { from: group.hour, until: Infinity };
		else if (pastDeadline(group)) {
			if (!billLateUsageLater) continue;
			group.late = 'deadline';
			group.range = { from: Math.max(group.hour + HOUR_MS, hourOf(nowMs)), until: Infinity };
		} else group.range = { from: group.hour + HOUR_MS, until: billLateUsageLater ? Infinity : monthEndOf(group.hour) };
		elsewhere.push(group);
	}
	await placeElsewhere(tx, elsewhere, now);

	const placed = [...groups.values()].filter((group) => group.target);
	const lost = await insertEvents(tx, events, placed, now);
	if (lost.length > 0) for (const [id, answer] of await knownEvents(tx, lost)) answers[firstWithId.get(id)!] = answer;
	for (const group of groups.values()) {
		const answer = group.target ? placedAnswer(group) : expiredAnswer(group, pastDeadline(group) ? 'deadline' : 'monthSent', maxRecordAgeHours);
		for (const index of group.members) answers[index] ??= answer;
	}
	for (const [index, first] of repeats) {
		const answer = answers[first];
		answers[index] = answer.result === 'expired' ? answer : { result: 'duplicateEvent', keyId: answer.keyId, hour: answer.hour };
	}
	return answers;
}

function placedAnswer(group: Group): RecordAnswer {
	const hour = group.target!.hour;
	const carried = hour.getTime() !== group.hour;
	// Billed in another month than it was used in: only by the seller's choice.
	const late = group.late ?? (carried && !group.afterFinal && hour.getTime() >= monthEndOf(group.hour) ? 'monthSent' : undefined);
	return {
		result: group.afterFinal ? 'afterFinalReport' : 'recorded',
		keyId: Number(group.target!.key_id),
		hour,
		...(carried ? { carriedFrom: new Date(group.hour) } : {}),
		...(late ? { late, deadline: new Date(deadlineOf(group.hour)) } : {}),
	};
}

function expiredAnswer(group: Group, late: 'deadline' | 'monthSent', maxRecordAgeHours: number): RecordAnswer {
	return { result: 'expired', hour: new Date(group.hour), deadline: new Date(deadlineOf(group.hour, maxRecordAgeHours)), late };
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

/** The first full ARN spelling other than the canonical one each license's usage came with: sent while no issued ARN is known. */
async function rememberGivenArns(tx: SqlExecutor, events: LedgerUsageEvent[], now: Date): Promise<void> {
	const given = new Map<string, string>();
	for (const { licenseArn, licenseArnAsGiven } of events) {
		if (licenseArn !== undefined && licenseArnAsGiven !== undefined && !given.has(licenseArn)) given.set(licenseArn, licenseArnAsGiven);
	}
	if (given.size === 0) return;
	await tx.query(
		`INSERT INTO ${SCHEMA}.license_arn_given (license_arn, given_arn, recorded_at)
		SELECT t.license_arn, t.given_arn, $3 FROM unnest($1::text[], $2::text[]) AS t(license_arn, given_arn)
		ORDER BY t.license_arn
		ON CONFLICT (license_arn) DO NOTHING`,
		[[...given.keys()], [...given.values()], now],
	);
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
