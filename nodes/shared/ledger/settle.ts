import { SCHEMA, type SqlExecutor } from './sql';
import type { Outcome, Renewal, Settlement } from './types';

const STATE = { billed: 'billed', notBilled: 'notBilled', retry: 'ready', expired: 'expired' } as const;

/**
 * Records what became of claimed keys, in one statement. Only keys still sending under this
 * claimant change: after a lapsed lease another execution owns the key.
 */
export async function settle(tx: SqlExecutor, claimant: string, outcomes: Outcome[], now: Date): Promise<Settlement> {
	const ids = outcomes.map((outcome) => String(outcome.keyId));
	const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
	if (repeated !== undefined) throw new TypeError(`Key ${repeated} has more than one outcome`);
	if (outcomes.length === 0) return { settled: [], ignored: [] };
	const rows = await tx.query<{ key_id: string }>(
		`UPDATE ${SCHEMA}.usage_key k SET
			state = o.state,
			status = CASE o.state WHEN 'billed' THEN 'Success' WHEN 'notBilled' THEN o.status END,
			reason = o.reason,
			metering_record_id = o.metering_record_id,
			last_error = coalesce(o.error, k.last_error),
			sent_at = CASE WHEN o.state IN ('billed', 'notBilled') THEN $7 ELSE k.sent_at END,
			claimed_by = CASE WHEN o.state = 'ready' THEN NULL ELSE k.claimed_by END,
			lease_until = NULL
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
			AS o(key_id, state, status, reason, metering_record_id, error)
		WHERE k.key_id = o.key_id::bigint AND k.state = 'sending' AND k.claimed_by = $8
		RETURNING k.key_id::text AS key_id`,
		[
			ids,
			outcomes.map((outcome) => STATE[outcome.outcome]),
			outcomes.map((outcome) => (outcome.outcome === 'notBilled' ? outcome.status : null)),
			outcomes.map((outcome) => ('reason' in outcome ? outcome.reason : null)),
			outcomes.map((outcome) => (outcome.outcome === 'billed' ? outcome.meteringRecordId : null)),
			outcomes.map((outcome) => (outcome.outcome === 'retry' ? outcome.error : null)),
			now,
			claimant,
		],
	);
	const settled = new Set(rows.map((row) => Number(row.key_id)));
	return {
		settled: outcomes.map((outcome) => outcome.keyId).filter((id) => settled.has(id)),
		ignored: outcomes.map((outcome) => outcome.keyId).filter((id) => !settled.has(id)),
	};
}

/**
 * Extends the lease of keys a claimant is still working on. A key no longer sending under it was
 * taken over after its lease lapsed (the claimant stopped renewing: its process was paused) or settled.
 */
export async function renew(tx: SqlExecutor, claimant: string, keyIds: number[], now: Date, leaseMs: number): Promise<Renewal> {
	if (keyIds.length === 0) return { renewed: [], lost: [] };
	const rows = await tx.query<{ key_id: string }>(
		`UPDATE ${SCHEMA}.usage_key SET lease_until = $3
		WHERE key_id = ANY($1::bigint[]) AND state = 'sending' AND claimed_by = $2
		RETURNING key_id::text AS key_id`,
		[keyIds.map(String), claimant, new Date(now.getTime() + leaseMs)],
	);
	const renewed = new Set(rows.map((row) => Number(row.key_id)));
	return { renewed: keyIds.filter((id) => renewed.has(id)), lost: keyIds.filter((id) => !renewed.has(id)) };
}
