import { openLedger } from '../../../../nodes/shared/ledger';
import { openPostgresSession } from '../../../../nodes/shared/ledger/postgres';
import { usePostgres } from '../../../helpers/postgres';
import { ledgerSuite } from './suite';

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
