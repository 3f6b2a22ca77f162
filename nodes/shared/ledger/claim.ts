import { HOUR_MS, deadlineOf, firstLiveHour, hourOf } from './hours';
import { canonicalLicenseArn } from './licenseArn';
import { KEY_COLUMNS, type KeyColumns, toUsageKey } from './keys';
import { SCHEMA, type SqlExecutor } from './sql';
import type { BuildRecord, Claim, ClaimOptions, ClaimedKey, KeyUsage, RefusedKey, SummedAllocation, Tag, UsageAllocation, ZeroUsage } from './types';

const EXPIRED_REASON =
	"Not sent before its deadline: AWS accepts usage until 24 hours after its hour starts, last month's usage until 06:00 UTC on the 1st";

interface DueRow extends KeyColumns {
	state: string;
	quantity: string;
	events: number;
	allocated_events: number;
	attempts: number;
	sent_quantity: string | null;
	sent_allocations: UsageAllocation[] | null;
}

/**
 * In one transaction: expires what missed its deadline, records the final reports, then claims the
 * due keys oldest hour first (skipping keys another transaction holds), freezing the record of
 * each key claimed for the first time. A key whose lease lapsed is taken over (or expired) by
 * another claimant only: its own claimant, paused rather than dead, still works on it.
 */
export async function claim(tx: SqlExecutor, options: ClaimOptions, build: BuildRecord): Promise<Claim> {
	const { now, claimant, closeAfterMinutes, leaseMs, limit, final } = options;
	const expired = await tx.query<KeyColumns & { quantity: string; events: number; attempts: number }>(
		`WITH gone AS (
			SELECT key_id FROM ${SCHEMA}.usage_key
			WHERE deadline <= $1 AND (state IN ('open', 'ready') OR (state = 'sending' AND lease_until <= $1 AND claimed_by <> $3))
			FOR UPDATE SKIP LOCKED
		)
		UPDATE ${SCHEMA}.usage_key k SET state = 'expired', status = NULL, reason = $2, claimed_by = NULL, lease_until = NULL
		FROM gone WHERE k.key_id = gone.key_id
		RETURNING ${KEY_COLUMNS}, trim_scale(k.quantity)::text AS quantity, k.events, k.attempts`,
		[now, EXPIRED_REASON, claimant],
	);
	if (final) {
		const licenseArns = (final.licenseArns ?? []).map((arn) => canonicalLicenseArn(arn) ?? arn);
		await recordFinalReport(tx, licenseArns, final.customers ?? [], now, claimant);
	}

	const closedBefore = new Date(now.getTime() - HOUR_MS - closeAfterMinutes * 60_000);
	if (options.zeroUsage?.length) await createZeroKeys(tx, options.zeroUsage, now, closedBefore);
	const due = await tx.query<DueRow>(
		`SELECT ${KEY_COLUMNS}, k.state, trim_scale(k.quantity)::text AS quantity, k.events, k.allocated_events, k.attempts,
			k.sent_quantity::text AS sent_quantity, k.sent_allocations
		FROM ${SCHEMA}.usage_key k
		WHERE k.state IN ('open', 'ready', 'sending') AND k.deadline > $1 AND k.hour <= $1
			AND (k.state = 'ready'
				OR (k.state = 'sending' AND k.lease_until <= $1 AND k.claimed_by <> $4)
				OR (k.state = 'open' AND (k.hour <= $2 OR EXISTS (
					SELECT 1 FROM ${SCHEMA}.final_report f
					WHERE (f.license_arn = k.license_arn OR f.customer = k.customer) AND k.hour <= f.reported_at))))
		ORDER BY k.hour, k.key_id
		LIMIT $3
		FOR UPDATE OF k SKIP LOCKED`,
		[now, closedBefore, limit ?? null, claimant],
	);

	const first = due.filter((row) => row.state === 'open');
	const allocations = await summedAllocations(tx, first.filter((row) => row.allocated_events > 0).map((row) => row.key_id));
	const refused: RefusedKey[] = [];
	const frozen = new Map<string, { quantity: number; allocations?: UsageAllocation[] }>();
	for (const row of first) {
		const usage: KeyUsage = { ...toUsageKey(row), quantity: row.quantity, events: row.events };
		const summed = allocations.get(row.key_id);
		if (summed) usage.allocations = summed;
		const built = build(usage);
		if (!built.ok) {
			refused.push({ ...toUsageKey(row), quantity: row.quantity, events: row.events, code: built.code, reason: built.reason });
			continue;
		}
		checkRecord(built.quantity, built.allocations, row.key_id);
		frozen.set(row.key_id, { quantity: built.quantity, ...(built.allocations ? { allocations: built.allocations } : {}) });
	}
	await refuse(tx, refused);

	const sending = due.filter((row) => row.state !== 'open' || frozen.has(row.key_id));
	const sentArns = await markSending(tx, sending, frozen, now, claimant, new Date(now.getTime() + leaseMs));
	const claimed: ClaimedKey[] = sending.map((row) => {
		const record = frozen.get(row.key_id) ?? { quantity: Number(row.sent_quantity), ...(row.sent_allocations ? { allocations: row.sent_allocations } : {}) };
		const sentLicenseArn = sentArns.get(row.key_id);
		return { ...toUsageKey(row), ...record, ...(sentLicenseArn ? { sentLicenseArn } : {}), events: row.events, priorAttempts: row.attempts };
	});
	return {
		claimed,
		expired: expired.map((row) => ({ ...toUsageKey(row), quantity: row.quantity, events: row.events, priorAttempts: row.attempts })),
		refused,
	};
}

/**
 * A key of quantity 0 for each closed hour still within AWS's window in which a license of these
 * products was active (from the hour it started in, before the instant it stopped being active),
 * and that has no key yet: an hour with usage, or already sent, keeps its key. No license whose (or
 * whose customer's) final report was made gets any: nothing of it is sent after its final report.
 */
async function createZeroKeys(tx: SqlExecutor, zeroUsage: ZeroUsage[], now: Date, closedBefore: Date): Promise<void> {
	const hours: string[] = [];
	const deadlines: string[] = [];
	for (let hour = firstLiveHour(now.getTime()); hour <= hourOf(closedBefore); hour += HOUR_MS) {
		if (deadlineOf(hour) <= now.getTime()) continue;
		hours.push(new Date(hour).toISOString());
		deadlines.push(new Date(deadlineOf(hour)).toISOString());
	}
	const pairs = zeroUsage.flatMap(({ productCode, dimensions }) => dimensions.map((dimension) => [productCode, dimension]));
	if (hours.length === 0 || pairs.length === 0) return;
	await tx.query(
		`INSERT INTO ${SCHEMA}.usage_key AS k (owner, product_code, license_arn, customer_kind, customer, dimension, hour, deadline, state, created_at)
		SELECT l.license_arn, l.product_code, l.license_arn, 'CustomerAWSAccountId', l.customer_aws_account_id, z.dimension,
			h.hour::timestamptz, h.deadline::timestamptz, 'open', $5
		FROM ${SCHEMA}.license l
		JOIN unnest($1::text[], $2::text[]) AS z(product_code, dimension) ON z.product_code = l.product_code
		JOIN unnest($3::text[], $4::text[]) AS h(hour, deadline)
			ON h.hour::timestamptz + interval '1 hour' > l.started_at AND (l.ended_at IS NULL OR h.hour::timestamptz < l.ended_at)
		WHERE l.started_at IS NOT NULL AND l.customer_aws_account_id IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM ${SCHEMA}.final_report f WHERE f.license_arn = l.license_arn OR f.customer = l.customer_aws_account_id)
		ORDER BY l.license_arn, l.customer_aws_account_id, z.dimension, h.hour
		ON CONFLICT (owner, customer_kind, customer, dimension, hour) DO NOTHING`,
		[pairs.map(([productCode]) => productCode), pairs.map(([, dimension]) => dimension), hours, deadlines, now],
	);
}

/** A usage record's quantities are whole numbers: anything else is a bug in `build`. */
function checkRecord(quantity: number, allocations: UsageAllocation[] | undefined, keyId: string): void {
	for (const value of [quantity, ...(allocations ?? []).map((allocation) => allocation.AllocatedUsageQuantity)]) {
		if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`build returned the quantity ${value} for key ${keyId}: usage records carry whole numbers`);
	}
}

async function recordFinalReport(tx: SqlExecutor, licenseArns: string[], customers: string[], now: Date, claimant: string): Promise<void> {
	if (licenseArns.length + customers.length === 0) return;
	await tx.query(
		`INSERT INTO ${SCHEMA}.final_report (license_arn, customer, reported_at, claimant)
		SELECT license_arn, NULL, $3::timestamptz, $4 FROM unnest($1::text[]) AS license_arn
		UNION ALL SELECT NULL, customer, $3::timestamptz, $4 FROM unnest($2::text[]) AS customer`,
		[licenseArns, customers, now, claimant],
	);
}

/** Allocations summed by tag set; an event without allocations counts as untagged usage. */
async function summedAllocations(tx: SqlExecutor, keyIds: string[]): Promise<Map<string, SummedAllocation[]>> {
	const sums = new Map<string, SummedAllocation[]>();
	if (keyIds.length === 0) return sums;
	const rows = await tx.query<{ key_id: string; tag_set: string; tags: Tag[] | null; quantity: string }>(
		`SELECT e.key_id::text AS key_id, coalesce(a->>'tagSet', '') AS tag_set,
			(array_agg(a->'tags') FILTER (WHERE a->'tags' IS NOT NULL))[1] AS tags,
			trim_scale(sum((a->>'quantity')::numeric))::text AS quantity
		FROM ${SCHEMA}.usage_event e
		CROSS JOIN LATERAL jsonb_array_elements(coalesce(e.allocations, jsonb_build_array(jsonb_build_object('quantity', e.quantity::text)))) AS a
		WHERE e.key_id = ANY($1::bigint[])
		GROUP BY e.key_id, tag_set
		ORDER BY e.key_id, tag_set`,
		[keyIds],
	);
	for (const row of rows) {
		const allocation: SummedAllocation = { tagSet: row.tag_set, ...(row.tags ? { tags: row.tags } : {}), quantity: row.quantity };
		const list = sums.get(row.key_id);
		if (list) list.push(allocation);
		else sums.set(row.key_id, [allocation]);
	}
	return sums;
}

async function refuse(tx: SqlExecutor, refused: RefusedKey[]): Promise<void> {
	if (refused.length === 0) return;
	await tx.query(
		`UPDATE ${SCHEMA}.usage_key k SET state = 'notBilled', status = r.code, reason = r.reason
		FROM unnest($1::text[], $2::text[], $3::text[]) AS r(key_id, code, reason)
		WHERE k.key_id = r.key_id::bigint`,
		[refused.map((key) => String(key.keyId)), refused.map((key) => key.code), refused.map((key) => key.reason)],
	);
}

async function markSending(
	tx: SqlExecutor,
	rows: DueRow[],
	frozen: Map<string, { quantity: number; allocations?: UsageAllocation[] }>,
	now: Date,
	claimant: string,
	leaseUntil: Date,
): Promise<Map<string, string>> {
	if (rows.length === 0) return new Map();
	const record = (row: DueRow) => frozen.get(row.key_id);
	// The license ARN is sent as AWS issued it, else as first given, else canonical; frozen like the quantity.
	const sent = await tx.query<{ key_id: string; sent_license_arn: string | null }>(
		`UPDATE ${SCHEMA}.usage_key k SET state = 'sending', claimed_by = $4, lease_until = $5, attempts = k.attempts + 1,
			sent_quantity = coalesce(k.sent_quantity, c.quantity::bigint),
			sent_allocations = coalesce(k.sent_allocations, c.allocations::jsonb),
			sent_license_arn = coalesce(k.sent_license_arn,
				(SELECT l.issued_arn FROM ${SCHEMA}.license l WHERE l.license_arn = k.license_arn),
				(SELECT g.given_arn FROM ${SCHEMA}.license_arn_given g WHERE g.license_arn = k.license_arn),
				k.license_arn),
			frozen_at = coalesce(k.frozen_at, $6)
		FROM unnest($1::text[], $2::text[], $3::text[]) AS c(key_id, quantity, allocations)
		WHERE k.key_id = c.key_id::bigint
		RETURNING k.key_id::text AS key_id, k.sent_license_arn`,
		[
			rows.map((row) => row.key_id),
			rows.map((row) => (record(row) ? String(record(row)!.quantity) : null)),
			rows.map((row) => (record(row)?.allocations ? JSON.stringify(record(row)!.allocations) : null)),
			claimant,
			leaseUntil,
			now,
		],
	);
	return new Map(sent.flatMap((row) => (row.sent_license_arn !== null ? [[row.key_id, row.sent_license_arn]] : [])));
}
