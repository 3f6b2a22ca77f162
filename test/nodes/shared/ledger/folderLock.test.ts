import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { openLedger } from '../../../../nodes/shared/ledger';
import { lockFolder, STALE_MS } from '../../../../nodes/shared/ledger/folderLock';
import { eventsIn, ROOT_USER, useLedgerFolders } from './fixtures/folders';
import { startLedgerProcess, type LedgerProcess } from './fixtures/processes';
import { BATCH } from './fixtures/writer';

// Real processes on one folder, as n8n's server and an `n8n execute`, or two containers sharing a volume.

const BOOT_ID = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const quiet = { lost: () => undefined, wanted: () => undefined };
const newFolder = useLedgerFolders();
const processes: LedgerProcess[] = [];
afterEach(async () => {
	await Promise.all(processes.splice(0).map((child) => child.kill()));
});

function start(...args: Parameters<typeof startLedgerProcess>): LedgerProcess {
	const child = startLedgerProcess(...args);
	processes.push(child);
	return child;
}

describe('embedded ledger folder lock, in this PID namespace', () => {
	it('names its holder to a process that waited in vain, and is taken over at once when the holder dies', async () => {
		const folder = await newFolder();
		const holder = start({ folder, name: 'holder', batches: 1, pauseMs: 0, then: 'hold' });
		await holder.line(/^done$/);
		const waitedSince = Date.now();
		await expect(lockFolder(folder, 500, quiet)).rejects.toThrow(
			`it is in use by process ${holder.child.pid} on host ${hostname()} (boot ${BOOT_ID}), holding it since `,
		);
		expect(Date.now() - waitedSince).toBeGreaterThanOrEqual(500);

		await holder.kill('SIGKILL');
		const killedAt = Date.now();
		const lock = await lockFolder(folder, 30_000, quiet);
		// Known dead from /proc: no waiting for its lock to go stale.
		expect(Date.now() - killedAt).toBeLessThan(STALE_MS / 5);
		lock.release();
		expect(await eventsIn(folder)).toBe(BATCH);
	}, 60_000);

	it('lets go, when idle, as soon as another process waits', async () => {
		const folder = await newFolder();
		// Open until idle for 300 s, and alive afterwards.
		const holder = start({ folder, name: 'idle', batches: 1, pauseMs: 0, idleMs: 300_000, then: 'stay' });
		await holder.line(/^done$/);
		const ledger = await openLedger({ store: 'embedded', folder, lockTimeoutMs: 20_000, idleMs: 0 });
		try {
			expect((await ledger.report()).reduce((sum, row) => sum + row.events, 0)).toBe(BATCH);
		} finally {
			await ledger.close();
		}
		expect(holder.child.exitCode).toBeNull();
	}, 60_000);

	it('keeps no process alive, and is released when the process ends', async () => {
		const folder = await newFolder();
		const child = start({ folder, name: 'ends', batches: 1, pauseMs: 0, idleMs: 300_000, then: 'end' });
		const done = await child.line(/^done$/);
		const exited = await child.exited;
		expect(exited.code).toBe(0);
		// Not the 300 s the ledger would stay open for another execution.
		expect(exited.at - done.at).toBeLessThan(15_000);
		expect(existsSync(join(folder, 'ledger.lock'))).toBe(false);
	}, 60_000);

	it('is released on SIGTERM to a process without a handler of its own, which still ends by the signal', async () => {
		const folder = await newFolder();
		const child = start({ folder, name: 'term', batches: 1, pauseMs: 0, idleMs: 300_000, then: 'stay' });
		await child.line(/^done$/);
		child.child.kill('SIGTERM');
		expect((await child.exited).signal).toBe('SIGTERM');
		expect(existsSync(join(folder, 'ledger.lock'))).toBe(false);
		expect(await eventsIn(folder)).toBe(BATCH);
	}, 60_000);
});

describe(`embedded ledger folder lock, across PID namespaces (unshare)${ROOT_USER ? '' : ': skipped, unshare needs root'}`, () => {
	const asRoot = ROOT_USER ? it : it.skip;

	asRoot('makes a process in another namespace wait, or refuses it naming the holder, though both are pid 1; nothing is lost', async () => {
		const folder = await newFolder();
		const first = start({ folder, name: 'first', batches: 2, pauseMs: 0, then: 'hold' }, { namespace: true });
		expect((await first.line(/^opened/)).line).toBe('opened 1');
		await first.line(/^done$/);

		const refused = start({ folder, name: 'refused', batches: 1, pauseMs: 0, lockTimeoutMs: 500, then: 'end' }, { namespace: true });
		const { line } = await refused.line(/^refused/);
		expect(line).toContain(`Could not open the metering ledger in ${folder}: it is in use by process 1 on host ${hostname()} (boot ${BOOT_ID})`);
		expect((await refused.exited).code).toBe(3);

		const third = start({ folder, name: 'third', batches: 2, pauseMs: 0, lockTimeoutMs: 60_000, then: 'end' }, { namespace: true });
		// Waiting, once it marks the folder wanted.
		while (!existsSync(join(folder, 'ledger.lock.wanted'))) await new Promise((resolve) => setTimeout(resolve, 50));
		const releasedAt = Date.now();
		first.release();
		expect((await third.line(/^opened/)).at).toBeGreaterThanOrEqual(releasedAt);
		expect((await first.exited).code).toBe(0);
		expect((await third.exited).code).toBe(0);
		expect(await eventsIn(folder)).toBe((2 + 2) * BATCH);
	}, 120_000);

	asRoot('takes over the lock of a holder killed in another namespace once it went STALE_MS without a heartbeat', async () => {
		const folder = await newFolder();
		const holder = start({ folder, name: 'killed', batches: 2, pauseMs: 0, then: 'hold' }, { namespace: true });
		await holder.line(/^done$/);
		// unshare --kill-child takes its pid 1, and so the whole namespace, with it.
		await holder.kill('SIGKILL');
		const killedAt = Date.now();
		const lock = await lockFolder(folder, 30_000, quiet);
		const waited = Date.now() - killedAt;
		lock.release();
		// Its pid means nothing here: only the heartbeat tells, and it stopped.
		expect(waited).toBeGreaterThanOrEqual(STALE_MS - 1_000);
		expect(waited).toBeLessThan(STALE_MS + 3_000);
		expect(await eventsIn(folder)).toBe(2 * BATCH);
	}, 120_000);
});
