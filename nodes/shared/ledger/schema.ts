import { SCHEMA, type SqlExecutor, type SqlSession } from './sql';

// Ordered migrations, one statement per entry (PGlite's extended protocol runs one at a time).
// Never edit a published migration: append a new one.
const MIGRATIONS: string[][] = [
	[
		`CREATE TABLE ${SCHEMA}.usage_key (
			key_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
			owner text NOT NULL,
			product_code text NOT NULL,
			license_arn text,
			customer_kind text NOT NULL CHECK (customer_kind IN ('CustomerAWSAccountId', 'CustomerIdentifier')),
			customer text NOT NULL,
			dimension text NOT NULL,
			hour timestamptz NOT NULL,
			deadline timestamptz NOT NULL,
			state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'sending', 'ready', 'billed', 'notBilled', 'expired')),
			quantity numeric NOT NULL DEFAULT 0,
			events integer NOT NULL DEFAULT 0,
			allocated_events integer NOT NULL DEFAULT 0,
			sent_quantity bigint,
			sent_allocations jsonb,
			frozen_at timestamptz,
			attempts integer NOT NULL DEFAULT 0,
			claimed_by text,
			lease_until timestamptz,
			status text,
			reason text,
			metering_record_id text,
			last_error text,
			sent_at timestamptz,
			created_at timestamptz NOT NULL,
			CHECK (owner = coalesce(license_arn, product_code)),
			UNIQUE (owner, customer_kind, customer, dimension, hour)
		)`,
		`CREATE INDEX usage_key_live ON ${SCHEMA}.usage_key (hour) WHERE state IN ('open', 'sending', 'ready')`,
		`CREATE INDEX usage_key_customer ON ${SCHEMA}.usage_key (customer, hour)`,
		`COMMENT ON TABLE ${SCHEMA}.usage_key IS 'One row per AWS deduplication key: license (or product code), customer, dimension and UTC hour. AWS bills only the first quantity it receives per key.'`,
		...columnComments('usage_key', {
			owner: 'The license ARN, or the product code for usage without a license: what AWS deduplicates on',
			product_code: 'The product; with a license ARN it is not sent to AWS',
			license_arn: 'The license (new integrations); null for legacy customer identifiers',
			customer_kind: 'CustomerAWSAccountId or CustomerIdentifier (legacy)',
			customer: 'The AWS account ID or customer identifier',
			hour: 'Start of the UTC hour the usage is billed in',
			deadline: "AWS refuses the record from this instant: the hour + 24 h, last month's hours 06:00 UTC on the 1st",
			state: 'open (accumulating), sending (claimed, lease held), ready (frozen, to be sent again), billed, notBilled, expired',
			quantity: 'Sum of the events counted in this key (exact decimal)',
			events: 'Number of events counted in this key',
			allocated_events: 'Events that carried usage allocations: the record gets allocations when above 0',
			sent_quantity: 'The quantity frozen at the first claim, sent on every attempt',
			sent_allocations: 'The usage allocations frozen at the first claim (AWS shape)',
			frozen_at: 'When the record was frozen',
			attempts: 'Claims that handed the record to a sender',
			claimed_by: 'The execution that holds or held the lease',
			lease_until: 'While sending: after this instant another execution may take the key over',
			status: "AWS's answer (Success, CustomerNotSubscribed, DuplicateRecord) or the ledger's (Rejected, AfterFinalReport...)",
			reason: 'Why it was not billed, in words',
			metering_record_id: "AWS's MeteringRecordId of the billed record",
			last_error: "The last failed attempt's error, for ready keys",
			sent_at: "When AWS's answer was recorded",
		}),
		`CREATE TABLE ${SCHEMA}.usage_event (
			event_row bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
			event_id text UNIQUE,
			key_id bigint NOT NULL,
			quantity numeric NOT NULL,
			allocations jsonb,
			happened_at timestamptz NOT NULL,
			carried_from timestamptz,
			after_final_report boolean NOT NULL DEFAULT false,
			recorded_at timestamptz NOT NULL
		)`,
		`CREATE INDEX usage_event_key ON ${SCHEMA}.usage_event (key_id)`,
		`CREATE INDEX usage_event_carried ON ${SCHEMA}.usage_event (key_id, carried_from) WHERE carried_from IS NOT NULL`,
		`COMMENT ON TABLE ${SCHEMA}.usage_event IS 'Every usage event received, once per event ID, and the key it is counted in'`,
		...columnComments('usage_event', {
			event_id: "The caller's event ID: the same ID again is not counted twice",
			key_id: 'The key the event is counted in (usage_key.key_id; no foreign key: checking it would slow large inserts by a third)',
			quantity: "The event's quantity (exact decimal)",
			allocations: "The event's usage allocations: [{quantity, tags, tagSet}]",
			happened_at: 'When the usage happened',
			carried_from: "The event's own hour, when that hour was already sent or past its deadline and the event went to a later one",
			after_final_report: 'Arrived after the final report of its license or customer: never sent',
			recorded_at: 'When the ledger received it',
		}),
		`CREATE TABLE ${SCHEMA}.final_report (
			final_report_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
			license_arn text,
			customer text,
			reported_at timestamptz NOT NULL,
			claimant text NOT NULL,
			CHECK ((license_arn IS NULL) <> (customer IS NULL))
		)`,
		`COMMENT ON TABLE ${SCHEMA}.final_report IS 'Final usage reports (cancellations): usage of that license or customer recorded afterwards is never sent'`,
		`CREATE TABLE ${SCHEMA}.delivery (
			delivery_id text PRIMARY KEY,
			seen_at timestamptz NOT NULL
		)`,
		`CREATE INDEX delivery_seen_at ON ${SCHEMA}.delivery (seen_at)`,
		`COMMENT ON TABLE ${SCHEMA}.delivery IS 'Delivery IDs already handled (for example EventBridge requestId), kept for a few days'`,
	],
	[
		`CREATE TABLE ${SCHEMA}.license (
			license_arn text PRIMARY KEY,
			license_id text NOT NULL UNIQUE,
			customer_aws_account_id text,
			customer_identifier text,
			product_code text,
			agreement_id text,
			state text NOT NULL CHECK (state IN ('active', 'cancelling', 'ended')),
			state_changed_at timestamptz NOT NULL,
			state_source text NOT NULL CHECK (state_source IN ('signUp', 'lifecycleEvent', 'manual')),
			started_at timestamptz,
			ended_at timestamptz,
			created_at timestamptz NOT NULL,
			updated_at timestamptz NOT NULL
		)`,
		`CREATE INDEX license_agreement ON ${SCHEMA}.license (agreement_id)`,
		`COMMENT ON TABLE ${SCHEMA}.license IS 'One row per license (subscription): who holds it, for which product and agreement, and its state as of its newest change'`,
		...columnComments('license', {
			license_arn: 'The license ARN in the one spelling Resolve Customer returns (arn:aws:license-manager::<account>:license:l-...), whatever spelling told the ledger',
			license_id: 'The license ID (l-...)',
			customer_aws_account_id: "The buyer's AWS account ID",
			customer_identifier: 'The legacy customer identifier Resolve Customer returned, if any',
			product_code: 'The product',
			agreement_id: 'The agreement (agmt-...) the license belongs to, from its newest change that named one',
			state: 'active (may be metered), cancelling (its agreement ended), ended (deprovisioned): the state of its newest change by the time it happened',
			state_changed_at: 'When the change that set the state happened (the event time, not its arrival)',
			state_source: 'Where that change came from: signUp (Resolve Customer), lifecycleEvent (the trigger), manual (Record License)',
			started_at: 'When it first became active',
			ended_at: 'While not active: when it stopped being active',
		}),
		`CREATE TABLE ${SCHEMA}.license_change (
			change_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
			change_key text NOT NULL UNIQUE,
			license_arn text,
			agreement_id text,
			state text NOT NULL CHECK (state IN ('active', 'cancelling', 'ended')),
			happened_at timestamptz NOT NULL,
			source text NOT NULL CHECK (source IN ('signUp', 'lifecycleEvent', 'manual')),
			detail text,
			recorded_at timestamptz NOT NULL,
			CHECK (license_arn IS NOT NULL OR agreement_id IS NOT NULL)
		)`,
		`CREATE INDEX license_change_license ON ${SCHEMA}.license_change (license_arn, happened_at)`,
		`CREATE INDEX license_change_agreement ON ${SCHEMA}.license_change (agreement_id, happened_at) WHERE license_arn IS NULL`,
		`COMMENT ON TABLE ${SCHEMA}.license_change IS 'Every change of a license, once: the license state is the newest by happened_at, so a late or repeated event never reverts a newer one'`,
		...columnComments('license_change', {
			change_key: 'License or agreement, state, time and source: the same change again is kept once',
			license_arn: 'The license changed (canonical spelling); null for a change of every license of an agreement',
			agreement_id: 'The agreement the change names',
			happened_at: 'When it happened (the event time)',
			detail: 'What told it, such as the event detail-type',
			recorded_at: 'When the ledger received it',
		}),
	],
	[
		`ALTER TABLE ${SCHEMA}.license ADD COLUMN issued_arn text`,
		...columnComments('license', {
			license_arn: 'The license ARN in one canonical spelling (arn:aws:license-manager::<account>:license:l-...), whatever spelling told the ledger: what licenses and usage are matched on',
			issued_arn: 'The license ARN as AWS issued it (Resolve Customer, else a full ARN given to Record License): the spelling usage is sent in',
		}),
		`CREATE TABLE ${SCHEMA}.license_arn_given (
			license_arn text PRIMARY KEY,
			given_arn text NOT NULL,
			recorded_at timestamptz NOT NULL
		)`,
		`COMMENT ON TABLE ${SCHEMA}.license_arn_given IS 'The first full ARN spelling other than the canonical one that usage of a license was recorded with: sent when no issued ARN is known'`,
		`ALTER TABLE ${SCHEMA}.usage_key ADD COLUMN sent_license_arn text`,
		...columnComments('usage_key', {
			sent_license_arn: "The license ARN's spelling frozen at the first claim, sent on every attempt: the issued one, else the first full one given, else license_arn",
		}),
		// Records frozen before this version went out with license_arn: their resends stay identical.
		`UPDATE ${SCHEMA}.usage_key SET sent_license_arn = license_arn WHERE frozen_at IS NOT NULL AND license_arn IS NOT NULL`,
	],
];

function columnComments(table: string, comments: Record<string, string>): string[] {
	return Object.entries(comments).map(([column, text]) => `COMMENT ON COLUMN ${SCHEMA}.${table}.${column} IS '${text.replace(/'/g, "''")}'`);
}

export const SCHEMA_VERSION = MIGRATIONS.length;

// Any fixed number: every process migrating this database takes the same lock.
const MIGRATION_LOCK = 0x4157534d; // 'AWSM'

// insufficient_privilege
const PERMISSION_DENIED = '42501';

/**
 * Brings the schema to SCHEMA_VERSION in one transaction. The advisory lock makes a second process
 * starting at the same time wait, then find the work done. Only what is missing is created: a role
 * without any right to create opens a ledger at SCHEMA_VERSION, and the owner of a schema someone else
 * created needs no right on the database.
 */
export async function migrate(session: SqlSession): Promise<void> {
	await session.transaction(async (tx) => {
		await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
		const installed = await installedSchema(tx);
		if (installed.version > SCHEMA_VERSION) {
			throw new Error(
				`The metering ledger's schema is at version ${installed.version}, written by a newer version of this package (which knows ${SCHEMA_VERSION}): update the package`,
			);
		}
		if (installed.version === SCHEMA_VERSION) return;
		try {
			await upgrade(tx, installed);
		} catch (error) {
			if ((error as { code?: string }).code !== PERMISSION_DENIED) throw error;
			throw new Error(
				`The metering ledger's schema ${SCHEMA} must be created or upgraded to version ${SCHEMA_VERSION} (it is at version ${installed.version}), ` +
					`which this user may not do (${(error as Error).message}): open the ledger once with a role that may, such as the database's owner; ` +
					'afterwards this one needs only the grants docs/postgresql-ledger.md lists',
			);
		}
	});
}

interface InstalledSchema {
	schema: boolean;
	versionTable: boolean;
	/** 0 before the first migration. */
	version: number;
}

async function installedSchema(tx: SqlExecutor): Promise<InstalledSchema> {
	const [found] = await tx.query<{ schema: boolean; version_table: boolean }>(
		'SELECT to_regnamespace($1) IS NOT NULL AS schema, to_regclass($2) IS NOT NULL AS version_table',
		[SCHEMA, `${SCHEMA}.schema_version`],
	);
	if (!found.version_table) return { schema: found.schema, versionTable: false, version: 0 };
	const [{ version }] = await tx.query<{ version: number }>(`SELECT coalesce(max(version), 0)::int AS version FROM ${SCHEMA}.schema_version`);
	return { schema: true, versionTable: true, version };
}

async function upgrade(tx: SqlExecutor, installed: InstalledSchema): Promise<void> {
	if (!installed.schema) await tx.query(`CREATE SCHEMA ${SCHEMA}`);
	if (!installed.versionTable) {
		await tx.query(`CREATE TABLE ${SCHEMA}.schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
	}
	for (let next = installed.version + 1; next <= SCHEMA_VERSION; next++) {
		for (const statement of MIGRATIONS[next - 1]) await tx.query(statement);
		await tx.query(`INSERT INTO ${SCHEMA}.schema_version (version) VALUES ($1)`, [next]);
	}
}
