import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { openLedger } from '../../../../nodes/shared/ledger';
import { openPostgresSession } from '../../../../nodes/shared/ledger/postgres';
import { usePostgres } from '../../../helpers/postgres';
import { at, claimOptions, exact, ledgerSuite, usage } from './suite';

describe('shared ledger (PostgreSQL)', () => {
	const connectionString = usePostgres();
	const withDatabase = (database: string) => {
		const url = new URL(connectionString());
		url.pathname = `/${database}`;
		return url.toString();
	};

	it('migrates once when two processes start at the same time on a new database', async () => {
		const admin = await openPostgresSession({ connectionString: connectionString() });
		await admin.query('CREATE DATABASE ledger_fresh');
		await admin.close();
		const connection = { connectionString: withDatabase('ledger_fresh') };
		const ledgers = await Promise.all([openLedger({ store: 'postgres', connection }), openLedger({ store: 'postgres', connection })]);
		await Promise.all(ledgers.map((ledger) => ledger.close()));
		const raw = await openPostgresSession(connection);
		try {
			expect(await raw.query('SELECT version FROM aws_marketplace_metering.schema_version ORDER BY version')).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);
		} finally {
			await raw.close();
		}
	});

	ledgerSuite(() => ({
		open: () => openLedger({ store: 'postgres', connection: { connectionString: connectionString() } }),
		raw: () => openPostgresSession({ connectionString: connectionString() }),
	}));

	it('connects with separate settings too', async () => {
		const url = new URL(connectionString());
		const ledger = await openLedger({
			store: 'postgres',
			connection: { host: url.hostname, port: Number(url.port), database: 'ledger', user: url.username, password: url.password, ssl: 'disable' },
		});
		await expect(ledger.report({ limit: 1 })).resolves.toBeInstanceOf(Array);
		await ledger.close();
	});

	it('names the server and user but never the password when it cannot connect', async () => {
		const url = new URL(connectionString());
		url.password = 'wrong-secret-1234';
		const attempt = openLedger({ store: 'postgres', connection: { connectionString: url.toString() } });
		await expect(attempt).rejects.toThrow(`Could not connect to the PostgreSQL metering ledger at 127.0.0.1:${url.port}, database ledger, user ledger`);
		await expect(attempt).rejects.not.toThrow('wrong-secret-1234');
		const fields = openLedger({
			store: 'postgres',
			connection: { host: '127.0.0.1', port: Number(url.port), database: 'ledger', user: 'ledger', password: 'wrong-secret-1234' },
		});
		await expect(fields).rejects.toThrow('password authentication failed');
		await expect(fields).rejects.not.toThrow('wrong-secret-1234');
	});

	it('runs again a transaction that PostgreSQL aborted to break a deadlock', async () => {
		const [a, b] = await Promise.all([openPostgresSession({ connectionString: connectionString() }), openPostgresSession({ connectionString: connectionString() })]);
		try {
			await a.query('CREATE TABLE IF NOT EXISTS public.deadlock_test (id integer PRIMARY KEY, n integer NOT NULL)');
			await a.query('TRUNCATE public.deadlock_test');
			await a.query('INSERT INTO public.deadlock_test VALUES (1, 0), (2, 0)');
			let arrived = 0;
			let bothArrived!: () => void;
			const barrier = new Promise<void>((resolve) => (bothArrived = resolve));
			let attempts = 0;
			// Each locks one row, waits for the other to lock the other row, then wants it: a deadlock.
			const crossing = (session: typeof a, first: number, second: number) => {
				let mine = 0;
				return session.transaction(async (tx) => {
					attempts++;
					await tx.query('UPDATE public.deadlock_test SET n = n + 1 WHERE id = $1', [first]);
					if (++mine === 1) {
						if (++arrived === 2) bothArrived();
						await barrier;
					}
					await tx.query('UPDATE public.deadlock_test SET n = n + 1 WHERE id = $1', [second]);
				});
			};
			await Promise.all([crossing(a, 1, 2), crossing(b, 2, 1)]);
			// At least one of them ran again; on a loaded machine both deadlock checks may fire and both run again.
			expect(attempts).toBeGreaterThanOrEqual(3);
			expect(attempts).toBeLessThanOrEqual(4);
			expect(await a.query('SELECT id, n FROM public.deadlock_test ORDER BY id')).toEqual([
				{ id: 1, n: 2 },
				{ id: 2, n: 2 },
			]);
		} finally {
			await Promise.all([a.close(), b.close()]);
		}
	});
});

// The documented SQL for a least-privilege role (docs/postgresql-ledger.md), run as it stands: what the docs promise is what is tested.
const README_GRANTS = (() => {
	const readme = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'postgresql-ledger.md'), 'utf8');
	const block = [...readme.matchAll(/```sql\n([\s\S]*?)```/g)].map((match) => match[1]).find((sql) => sql.includes('GRANT USAGE ON SCHEMA'));
	if (!block) throw new Error('docs/postgresql-ledger.md has no SQL block with the least-privilege grants');
	return block;
})();
const ROLE = { user: 'n8n_metering', password: 'change-me' };

describe('shared ledger (PostgreSQL) opened by a least-privilege role', () => {
	const connectionString = usePostgres();
	const as = (database: string, credentials = ROLE) => {
		const url = new URL(connectionString());
		return { host: url.hostname, port: Number(url.port), database, ...credentials };
	};

	beforeAll(async () => {
		// The first open, by the database's owner, creates the schema; then the owner runs the documented SQL.
		await (await openLedger({ store: 'postgres', connection: { connectionString: connectionString() } })).close();
		const owner = await openPostgresSession({ connectionString: connectionString() });
		try {
			await owner.query(README_GRANTS);
			await owner.query('CREATE DATABASE ledger_new');
		} finally {
			await owner.close();
		}
	}, 120_000);

	it('has no CREATE right on the database or the schema', async () => {
		const role = await openPostgresSession(as('ledger'));
		try {
			expect(
				await role.query(`SELECT has_database_privilege('ledger', 'CREATE') AS database, has_schema_privilege('aws_marketplace_metering', 'CREATE') AS schema`),
			).toEqual([{ database: false, schema: false }]);
		} finally {
			await role.close();
		}
	});

	it('records licenses and sends their idle hours as zero usage', async () => {
		const ledger = await openLedger({ store: 'postgres', connection: as('ledger') });
		try {
			const licenseArn = 'arn:aws:license-manager::123456789012:license:l-0900';
			const [answer] = await ledger.recordLicenseChanges(
				[{ licenseArn, state: 'active', happenedAt: at('09:20'), source: 'signUp', customerAWSAccountId: '111122223333', productCode: 'prod-a' }],
				{ now: at('09:20') },
			);
			expect(answer.result).toBe('applied');
			const { claimed } = await ledger.claim(claimOptions('10:30', { claimant: 'zero', zeroUsage: [{ productCode: 'prod-a', dimensions: ['requests'] }] }), exact);
			expect(claimed.map((key) => [key.licenseArn, key.hour, key.quantity])).toEqual([[licenseArn, at('09:00'), 0]]);
			await ledger.settle('zero', [{ keyId: claimed[0].keyId, outcome: 'billed', meteringRecordId: 'mr-0' }], { now: at('10:31') });
		} finally {
			await ledger.close();
		}
	});

	it('records, claims, settles, reports and remembers deliveries', async () => {
		const ledger = await openLedger({ store: 'postgres', connection: as('ledger') });
		try {
			const [recorded] = await ledger.recordEvents([usage({ at: '10:05', eventId: 'e-1', quantity: '3' })], { now: at('10:30') });
			expect(recorded).toMatchObject({ result: 'recorded', hour: at('10:00') });
			const { claimed } = await ledger.claim(claimOptions('11:15'), exact);
			expect(claimed.map((key) => key.keyId)).toEqual([recorded.keyId]);
			const { keyId } = claimed[0];
			await ledger.settle('run-1', [{ keyId, outcome: 'billed', meteringRecordId: 'mr-1' }], { now: at('11:16') });
			expect(await ledger.report({ now: at('11:20'), licenseArn: usage({ at: '10:05' }).licenseArn })).toMatchObject([{ keyId, state: 'billed', meteringRecordId: 'mr-1', quantity: '3' }]);
			expect(await ledger.rememberDelivery('req-1', { now: at('11:20') })).toBe(true);
		} finally {
			await ledger.close();
		}
	});

	it('gets the same rights on a table the owner adds later, as an upgrade would', async () => {
		const owner = await openPostgresSession({ connectionString: connectionString() });
		const role = await openPostgresSession(as('ledger'));
		try {
			await owner.query('CREATE TABLE aws_marketplace_metering.later_table (id integer PRIMARY KEY)');
			await role.query('INSERT INTO aws_marketplace_metering.later_table VALUES (1)');
			await role.query('UPDATE aws_marketplace_metering.later_table SET id = 2');
			await role.query('DELETE FROM aws_marketplace_metering.later_table');
			await expect(role.query('DROP TABLE aws_marketplace_metering.later_table')).rejects.toThrow('must be owner of table later_table');
		} finally {
			await owner.query('DROP TABLE aws_marketplace_metering.later_table');
			await Promise.all([owner.close(), role.close()]);
		}
	});

	it('cannot create a ledger that does not exist yet, and says who can', async () => {
		await expect(openLedger({ store: 'postgres', connection: as('ledger_new') })).rejects.toThrow(
			"The metering ledger's schema aws_marketplace_metering must be created or upgraded to version 3 (it is at version 0), which this user may not do (permission denied for database ledger_new): open the ledger once with a role that may",
		);
	});

	it('lets the owner of a schema a database administrator created migrate it, with no right on the database', async () => {
		const owner = await openPostgresSession({ connectionString: connectionString() });
		try {
			await owner.query("CREATE ROLE schema_owner LOGIN PASSWORD 'schema-owner'; GRANT schema_owner TO ledger");
			await owner.query('CREATE DATABASE ledger_dba');
		} finally {
			await owner.close();
		}
		const administrator = await openPostgresSession({ connectionString: connectionString().replace(/\/ledger$/, '/ledger_dba') });
		try {
			await administrator.query('CREATE SCHEMA aws_marketplace_metering AUTHORIZATION schema_owner');
		} finally {
			await administrator.close();
		}
		const schemaOwner = { user: 'schema_owner', password: 'schema-owner' };
		await (await openLedger({ store: 'postgres', connection: as('ledger_dba', schemaOwner) })).close();
		const session = await openPostgresSession(as('ledger_dba', schemaOwner));
		try {
			expect(await session.query(`SELECT has_database_privilege('ledger_dba', 'CREATE') AS create, max(version) AS version FROM aws_marketplace_metering.schema_version`)).toEqual([
				{ create: false, version: 3 },
			]);
		} finally {
			await session.close();
		}
	});

	it('cannot upgrade an older schema, and says who can', async () => {
		const owner = await openPostgresSession({ connectionString: connectionString() });
		try {
			await owner.query('DELETE FROM aws_marketplace_metering.schema_version');
			await expect(openLedger({ store: 'postgres', connection: as('ledger') })).rejects.toThrow(
				"The metering ledger's schema aws_marketplace_metering must be created or upgraded to version 3 (it is at version 0), which this user may not do",
			);
		} finally {
			await owner.query('INSERT INTO aws_marketplace_metering.schema_version (version) VALUES (1), (2), (3)');
			await owner.close();
		}
	});
});
