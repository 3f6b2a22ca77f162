import { execFileSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { openLedger, type LedgerUsageEvent } from '../../../../nodes/shared/ledger';
import { openPgliteSession } from '../../../../nodes/shared/ledger/pglite';
import { eventsIn, ROOT_USER, useLedgerFolders } from './fixtures/folders';

// What the embedded ledger does when PostgreSQL does not answer, the disk is full or the folder
// read-only: a clear error naming the folder and the cause, the worker ended (no thread left
// spinning), the folder's lock released, and nothing committed lost.

const NOW = { now: new Date() };
const newFolder = useLedgerFolders();

function events(prefix: string, count: number): LedgerUsageEvent[] {
	return Array.from({ length: count }, (_, i) => ({
		eventId: `${prefix}-${i}`,
		productCode: 'prod-a',
		customer: { CustomerAWSAccountId: '111122223333' },
		dimension: `d${i % 10}`,
		quantity: '1',
		timestamp: NOW.now,
	}));
}

/** This process's CPU over a second: a PGlite thread left spinning would take all of it. */
async function cpuMsOverASecond(): Promise<number> {
	const before = process.cpuUsage();
	await new Promise((resolve) => setTimeout(resolve, 1000));
	const { user, system } = process.cpuUsage(before);
	return (user + system) / 1000;
}

const lockOf = (folder: string) => join(folder, 'ledger.lock');

describe('embedded ledger failures', () => {
	it('ends a statement past its deadline: a clear error, the folder let go, what was committed kept', async () => {
		const folder = await newFolder();
		const ledger = await openLedger({ store: 'embedded', folder, idleMs: 0 });
		await ledger.recordEvents(events('before', 10), NOW);
		const session = await openPgliteSession(folder, 30_000, { deadlines: { statement: 1_000 } });
		const started = Date.now();
		await expect(session.query('SELECT pg_sleep(30)')).rejects.toThrow(
			`The embedded metering ledger in ${folder} stopped: no answer within 1 s to the statement SELECT pg_sleep(30). ` +
				'Its worker thread was ended; what was committed is kept, and the next execution opens the ledger again.',
		);
		expect(Date.now() - started).toBeLessThan(5_000);
		expect(existsSync(lockOf(folder))).toBe(false);
		expect(await cpuMsOverASecond()).toBeLessThan(300);
		// Every ledger sharing the database learns it.
		await expect(ledger.report()).rejects.toThrow(`The embedded metering ledger in ${folder} stopped: no answer within 1 s`);
		await session.close();
		await ledger.close();
		expect(await eventsIn(folder)).toBe(10);
	}, 60_000);
});

describe(`embedded ledger failures on a small file system of its own (tmpfs)${ROOT_USER ? '' : ': skipped, mount needs root'}`, () => {
	const asRoot = ROOT_USER ? it : it.skip;
	let mount: string;
	beforeAll(() => {
		if (!ROOT_USER) return;
		mount = mkdtempSync(join(tmpdir(), 'ledger-tmpfs-'));
		execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96m', 'tmpfs', mount]);
	});
	afterAll(() => {
		if (!ROOT_USER) return;
		execFileSync('umount', [mount]);
		rmSync(mount, { recursive: true, force: true });
	});
	afterEach(() => {
		if (ROOT_USER) readdirSync(mount).forEach((name) => rmSync(join(mount, name), { recursive: true, force: true }));
	});

	asRoot('on a full disk: a clear error at once, the folder let go, what was committed kept once there is room', async () => {
		const folder = join(mount, 'ledger');
		cpSync(await newFolder(), folder, { recursive: true });
		const ledger = await openLedger({ store: 'embedded', folder, idleMs: 0 });
		await ledger.recordEvents(events('before', 100), NOW);

		// Fill the WAL segment in use to its last half megabyte (the scratch table's room then freed),
		// so that the usage below needs a new segment. PostgreSQL creates it inside a commit, where
		// failing is a PANIC: PGlite then never answered and its thread spun at 100% CPU.
		const raw = await openPgliteSession(folder, 30_000);
		const SEGMENT = 16 * 1024 * 1024;
		const offset = async () =>
			Number((await raw.query<{ offset: string }>("SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint % $1 AS offset", [SEGMENT]))[0].offset);
		await raw.query('CREATE TABLE public.scratch (x text)');
		while ((await offset()) < SEGMENT - 600_000) await raw.query("INSERT INTO public.scratch SELECT repeat('x', 1000) FROM generate_series(1, 200)");
		await raw.query('DROP TABLE public.scratch');
		const filler = join(mount, 'filler');
		fill(filler, 2 * 1024 * 1024);

		let recorded = 0;
		const started = Date.now();
		const failure = await (async () => {
			for (; ; recorded++) await ledger.recordEvents(events(`full-${recorded}`, 20), NOW);
		})().catch((error: Error) => error);
		expect(failure.message).toMatch(
			new RegExp(
				`^The embedded metering ledger in ${folder} stopped: PostgreSQL reported: could not write to file "pg_wal/xlogtemp\\.\\d+": No space left on device\\. ` +
					'Its worker thread was ended; what was committed is kept',
			),
		);
		expect(Date.now() - started).toBeLessThan(20_000);
		expect(existsSync(lockOf(folder))).toBe(false);
		expect(await cpuMsOverASecond()).toBeLessThan(300);
		await raw.close();
		await ledger.close();

		// Still full: opening says why (recovery needs room too).
		await expect(openLedger({ store: 'embedded', folder, idleMs: 0 })).rejects.toThrow(
			new RegExp(`^Could not open the metering ledger in ${folder}: PostgreSQL reported: could not \\w+ (to )?file "[^"]+": No space left on device\\. `),
		);
		rmSync(filler);
		expect(await eventsIn(folder)).toBe(100 + recorded * 20);
	}, 180_000);

	asRoot('in a folder gone read-only: opening says so, and the ledger is whole once writable again', async () => {
		const folder = join(mount, 'ledger');
		cpSync(await newFolder(), folder, { recursive: true });
		const ledger = await openLedger({ store: 'embedded', folder, idleMs: 0 });
		await ledger.recordEvents(events('before', 10), NOW);
		await ledger.close();
		execFileSync('mount', ['-o', 'remount,ro', mount]);
		try {
			await expect(openLedger({ store: 'embedded', folder, idleMs: 0 })).rejects.toThrow(
				`Could not open the metering ledger in ${folder}: EROFS: read-only file system`,
			);
		} finally {
			execFileSync('mount', ['-o', 'remount,rw', mount]);
		}
		expect(await eventsIn(folder)).toBe(10);
	}, 120_000);
});

/** Writes a file until the file system has no more than `leave` bytes free. */
function fill(path: string, leave: number): void {
	const chunk = Buffer.alloc(1024 * 1024);
	const fd = openSync(path, 'w');
	try {
		for (let free = Infinity; free > leave; ) {
			writeSync(fd, chunk);
			const { bavail, bsize } = statfsSync(path);
			free = bavail * bsize;
		}
	} finally {
		closeSync(fd);
	}
}
