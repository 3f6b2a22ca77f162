import { canonicalLicenseArn, licenseIdOf } from './licenseArn';
import { SCHEMA, type SqlExecutor } from './sql';
import type { License, LicenseAnswer, LicenseChange, LicenseQuery, LicenseSource, LicenseState } from './types';

const STATES: LicenseState[] = ['active', 'cancelling', 'ended'];
const SOURCES: LicenseSource[] = ['signUp', 'lifecycleEvent', 'manual'];
// Licenses change a few times in their life: one writer at a time keeps each recomputation complete.
const LICENSE_LOCK = 0x4157534c; // 'AWSL'

const LICENSE_COLUMNS = `license_arn, license_id, customer_aws_account_id, customer_identifier, product_code, agreement_id,
	state, state_changed_at, state_source, started_at, ended_at, issued_arn`;

interface LicenseRow {
	license_arn: string;
	license_id: string;
	customer_aws_account_id: string | null;
	customer_identifier: string | null;
	product_code: string | null;
	agreement_id: string | null;
	state: LicenseState;
	state_changed_at: Date | string;
	state_source: LicenseSource;
	started_at: Date | string | null;
	ended_at: Date | string | null;
	issued_arn: string | null;
	[column: string]: unknown;
}

interface Checked extends LicenseChange {
	key: string;
	/** The full ARN as given by a sign-up or by hand: what AWS issued, as far as the ledger knows. */
	issuedArn?: string;
}

/**
 * Keeps every change once, then sets each license concerned to its newest change by the time it
 * happened (a stop wins a tie with a start): a late or repeated event never reverts a newer state.
 * A change of an agreement applies to the licenses of that agreement, also those linked to it later.
 */
export async function recordLicenseChanges(tx: SqlExecutor, changes: LicenseChange[], now: Date): Promise<LicenseAnswer[]> {
	if (changes.length === 0) return [];
	const checked = changes.map(checkChange);
	await tx.query('SELECT pg_advisory_xact_lock($1)', [LICENSE_LOCK]);
	const inserted = new Set(
		(
			await tx.query<{ change_key: string }>(
				`INSERT INTO ${SCHEMA}.license_change (change_key, license_arn, agreement_id, state, happened_at, source, detail, recorded_at)
				SELECT t.change_key, t.license_arn, t.agreement_id, t.state, t.happened_at::timestamptz, t.source, t.detail, $8
				FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
					AS t(change_key, license_arn, agreement_id, state, happened_at, source, detail)
				ON CONFLICT (change_key) DO NOTHING
				RETURNING change_key`,
				[
					checked.map((change) => change.key),
					checked.map((change) => change.licenseArn ?? null),
					checked.map((change) => change.agreementId ?? null),
					checked.map((change) => change.state),
					checked.map((change) => change.happenedAt.toISOString()),
					checked.map((change) => change.source),
					checked.map((change) => change.detail ?? null),
					now,
				],
			)
		).map((row) => row.change_key),
	);
	await upsertLicenses(tx, checked, now);
	const arns = [...new Set(checked.flatMap((change) => (change.licenseArn ? [change.licenseArn] : [])))];
	const agreements = [...new Set(checked.flatMap((change) => (!change.licenseArn && change.agreementId ? [change.agreementId] : [])))];
	await recompute(tx, arns, agreements, now);

	const rows = await tx.query<LicenseRow>(
		`SELECT ${LICENSE_COLUMNS} FROM ${SCHEMA}.license WHERE license_arn = ANY($1::text[]) OR agreement_id = ANY($2::text[]) ORDER BY license_arn`,
		[arns, agreements],
	);
	const licenses = rows.map(toLicense);
	return checked.map((change) => {
		const concerned = licenses.filter((license) => (change.licenseArn ? license.licenseArn === change.licenseArn : license.agreementId === change.agreementId));
		if (!inserted.delete(change.key)) return { result: 'repeated', licenses: concerned };
		if (concerned.length === 0) return { result: 'kept', licenses: concerned };
		const newest = concerned.some(
			(license) => license.state === change.state && license.stateChangedAt.getTime() === change.happenedAt.getTime() && license.stateSource === change.source,
		);
		return { result: newest ? 'applied' : 'stale', licenses: concerned };
	});
}

/** The licenses matching every given filter, by license ARN. */
export async function listLicenses(db: SqlExecutor, query: LicenseQuery): Promise<License[]> {
	const arn = query.licenseArn === undefined ? null : (canonicalLicenseArn(query.licenseArn) ?? query.licenseArn);
	const rows = await db.query<LicenseRow>(
		`SELECT ${LICENSE_COLUMNS} FROM ${SCHEMA}.license
		WHERE ($1::text IS NULL OR license_arn = $1) AND ($2::text IS NULL OR agreement_id = $2)
			AND ($3::text IS NULL OR customer_aws_account_id = $3) AND ($4::text IS NULL OR product_code = $4)
			AND ($5::text[] IS NULL OR state = ANY($5::text[]))
		ORDER BY license_arn`,
		[arn, query.agreementId ?? null, query.customerAWSAccountId ?? null, query.productCode ?? null, query.states ?? null],
	);
	return rows.map(toLicense);
}

function checkChange(change: LicenseChange, index: number): Checked {
	const problem = (what: string) => new TypeError(`License change ${index}: ${what}`);
	let licenseArn: string | undefined;
	if (change.licenseArn !== undefined) {
		licenseArn = canonicalLicenseArn(change.licenseArn);
		if (!licenseArn) throw problem(`"${change.licenseArn}" is not a License Manager license ARN (arn:aws:license-manager::<account>:license:l-…)`);
	}
	if (!licenseArn && !change.agreementId) throw problem('names neither a license ARN nor an agreement ID');
	if (!STATES.includes(change.state)) throw problem(`state must be one of ${STATES.join(', ')}`);
	if (!SOURCES.includes(change.source)) throw problem(`source must be one of ${SOURCES.join(', ')}`);
	if (!(change.happenedAt instanceof Date) || Number.isNaN(change.happenedAt.getTime())) throw problem('happenedAt is not a valid Date');
	const key = [licenseArn ?? '', change.agreementId ?? '', change.state, change.happenedAt.toISOString(), change.source].join('|');
	// EventBridge's spelling (no `arn:`) is no ARN AWS issued; a lifecycle event does not tell the issued one.
	const given = change.licenseArn?.trim();
	const issuedArn = given?.startsWith('arn:') && change.source !== 'lifecycleEvent' ? given : undefined;
	return { ...change, ...(licenseArn ? { licenseArn } : {}), ...(issuedArn ? { issuedArn } : {}), key };
}

/**
 * Creates the licenses first named, and fills in what a change tells of their holder and product, and
 * the ARN as AWS issued it: Resolve Customer's (the newest) stands; one given by hand only while none is known.
 */
async function upsertLicenses(tx: SqlExecutor, changes: Checked[], now: Date): Promise<void> {
	const byArn = new Map<string, Checked[]>();
	for (const change of changes) if (change.licenseArn) byArn.set(change.licenseArn, [...(byArn.get(change.licenseArn) ?? []), change]);
	if (byArn.size === 0) return;
	const columns: (string | null)[][] = [[], [], [], [], [], [], [], [], [], []];
	const signedUp: [string, string][] = [];
	for (const [arn, list] of [...byArn].sort(([a], [b]) => a.localeCompare(b))) {
		// The newest change that tells each field.
		const newest = [...list].sort((a, b) => b.happenedAt.getTime() - a.happenedAt.getTime());
		const told = (field: 'customerAWSAccountId' | 'customerIdentifier' | 'productCode') => newest.find((change) => change[field])?.[field] ?? null;
		const first = newest[0];
		const signUp = newest.find((change) => change.source === 'signUp' && change.issuedArn)?.issuedArn;
		if (signUp) signedUp.push([arn, signUp]);
		const issued = signUp ?? newest.find((change) => change.issuedArn)?.issuedArn ?? null;
		[arn, licenseIdOf(arn)!, told('customerAWSAccountId'), told('customerIdentifier'), told('productCode'), first.state, first.happenedAt.toISOString(), first.source, first.agreementId ?? null, issued].forEach(
			(value, column) => columns[column].push(value),
		);
	}
	await tx.query(
		`INSERT INTO ${SCHEMA}.license AS l (license_arn, license_id, customer_aws_account_id, customer_identifier, product_code,
			state, state_changed_at, state_source, agreement_id, issued_arn, created_at, updated_at)
		SELECT t.license_arn, t.license_id, t.account, t.identifier, t.product_code, t.state, t.changed_at::timestamptz, t.source, t.agreement_id, t.issued_arn, $11, $11
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
			AS t(license_arn, license_id, account, identifier, product_code, state, changed_at, source, agreement_id, issued_arn)
		ON CONFLICT (license_arn) DO UPDATE SET
			customer_aws_account_id = coalesce(EXCLUDED.customer_aws_account_id, l.customer_aws_account_id),
			customer_identifier = coalesce(EXCLUDED.customer_identifier, l.customer_identifier),
			product_code = coalesce(EXCLUDED.product_code, l.product_code),
			issued_arn = coalesce(l.issued_arn, EXCLUDED.issued_arn)`,
		[...columns, now],
	);
	if (signedUp.length === 0) return;
	await tx.query(
		`UPDATE ${SCHEMA}.license l SET issued_arn = t.issued_arn
		FROM unnest($1::text[], $2::text[]) AS t(license_arn, issued_arn) WHERE l.license_arn = t.license_arn`,
		[signedUp.map(([arn]) => arn), signedUp.map(([, issued]) => issued)],
	);
}

/**
 * Each license's agreement (named by its newest change that names one), state (its newest change's,
 * its own or its agreement's), start (its first activation) and end (its first stop after its last
 * activation, while not active), from the whole history.
 */
async function recompute(tx: SqlExecutor, arns: string[], agreements: string[], now: Date): Promise<void> {
	await tx.query(
		`WITH linked AS (
			SELECT l.license_arn, coalesce((
				SELECT c.agreement_id FROM ${SCHEMA}.license_change c
				WHERE c.license_arn = l.license_arn AND c.agreement_id IS NOT NULL
				ORDER BY c.happened_at DESC, c.change_id DESC LIMIT 1), l.agreement_id) AS agreement_id
			FROM ${SCHEMA}.license l
			WHERE l.license_arn = ANY($1::text[]) OR l.agreement_id = ANY($2::text[])
		), history AS (
			SELECT k.license_arn, c.change_id, c.state, c.happened_at, c.source
			FROM linked k JOIN ${SCHEMA}.license_change c
				ON c.license_arn = k.license_arn OR (c.license_arn IS NULL AND c.agreement_id = k.agreement_id)
		), newest AS (
			SELECT DISTINCT ON (license_arn) license_arn, state, happened_at, source FROM history
			ORDER BY license_arn, happened_at DESC, CASE state WHEN 'ended' THEN 2 WHEN 'cancelling' THEN 1 ELSE 0 END DESC, change_id DESC
		), starts AS (
			SELECT license_arn, min(happened_at) AS first_start, max(happened_at) AS last_start FROM history WHERE state = 'active' GROUP BY license_arn
		), stops AS (
			SELECT h.license_arn, min(h.happened_at) AS stopped_at
			FROM history h LEFT JOIN starts s ON s.license_arn = h.license_arn
			WHERE h.state <> 'active' AND (s.last_start IS NULL OR h.happened_at >= s.last_start)
			GROUP BY h.license_arn
		)
		UPDATE ${SCHEMA}.license l SET agreement_id = k.agreement_id, state = n.state, state_changed_at = n.happened_at, state_source = n.source,
			started_at = s.first_start, ended_at = CASE WHEN n.state = 'active' THEN NULL ELSE t.stopped_at END, updated_at = $3
		FROM linked k JOIN newest n ON n.license_arn = k.license_arn
			LEFT JOIN starts s ON s.license_arn = k.license_arn LEFT JOIN stops t ON t.license_arn = k.license_arn
		WHERE l.license_arn = k.license_arn`,
		[arns, agreements, now],
	);
}

function toLicense(row: LicenseRow): License {
	const date = (value: Date | string | null) => (value === null ? undefined : new Date(value));
	const optional = {
		customerAWSAccountId: row.customer_aws_account_id ?? undefined,
		customerIdentifier: row.customer_identifier ?? undefined,
		productCode: row.product_code ?? undefined,
		agreementId: row.agreement_id ?? undefined,
		startedAt: date(row.started_at),
		endedAt: date(row.ended_at),
		issuedLicenseArn: row.issued_arn ?? undefined,
	};
	return {
		licenseArn: row.license_arn,
		licenseId: row.license_id,
		state: row.state,
		stateChangedAt: new Date(row.state_changed_at),
		stateSource: row.state_source,
		...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
	} as License;
}
