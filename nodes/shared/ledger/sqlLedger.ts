import { claim } from './claim';
import { listLicenses, recordLicenseChanges } from './licenses';
import { recordEvents } from './recordEvents';
import { report } from './report';
import { renew, settle } from './settle';
import { SCHEMA, type SqlSession } from './sql';
import type { MeteringLedger } from './types';

const DAY_MS = 86_400_000;

/** The ledger over any SqlSession: the same SQL for the embedded and the shared store. */
export function createSqlLedger(session: SqlSession): MeteringLedger {
	return {
		recordEvents: (events, options) => session.transaction((tx) => recordEvents(tx, events, options)),
		claim: (options, build) => session.transaction((tx) => claim(tx, options, build)),
		settle: (claimant, outcomes, { now }) => session.transaction((tx) => settle(tx, claimant, outcomes, now)),
		renew: (claimant, keyIds, { now, leaseMs }) => session.transaction((tx) => renew(tx, claimant, keyIds, now, leaseMs)),
		report: (query = {}) => report(session, query),
		recordLicenseChanges: (changes, { now }) => session.transaction((tx) => recordLicenseChanges(tx, changes, now)),
		licenses: (query = {}) => listLicenses(session, query),
		rememberDelivery: (deliveryId, { now, keepDays = 7 }) =>
			session.transaction(async (tx) => {
				await tx.query(`DELETE FROM ${SCHEMA}.delivery WHERE seen_at < $1`, [new Date(now.getTime() - keepDays * DAY_MS)]);
				const rows = await tx.query(
					`INSERT INTO ${SCHEMA}.delivery (delivery_id, seen_at) VALUES ($1, $2) ON CONFLICT (delivery_id) DO NOTHING RETURNING delivery_id`,
					[deliveryId, now],
				);
				return rows.length === 1;
			}),
		close: () => session.close(),
	};
}
