import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

import { LIFECYCLE_EXAMPLES } from '../../../../emulator/lifecycleExamples';
import { defaultLedgerFolder, embeddedIdleMs, IDLE_SECONDS_VARIABLE, openLedger } from '../../../../nodes/shared/ledger';
import { openPgliteSession } from '../../../../nodes/shared/ledger/pglite';
import { useLedgerFolder } from '../../../helpers/ledger';
import { API_KEY, startTrigger } from '../../../helpers/trigger';
import { runNode } from '../../../helpers/workflow';
import { startLedgerProcess } from './fixtures/processes';
import { BATCH } from './fixtures/writer';
import { ledgerSuite } from './suite';

const ROOT = join(__dirname, '..', '..', '..', '..');
const folders: string[] = [];
function newFolder(): string {
	const folder = mkdtempSync(join(tmpdir(), 'ledger-pglite-'));
	folders.push(folder);
	return folder;
}
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

function exited(child: ChildProcess): Promise<void> {
	return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

describe('embedded ledger (PGlite)', () => {
	const folder = newFolder();
	ledgerSuite(() => ({
		// Closed when the suite's last ledger is, not kept open for a next execution.
		open: () => openLedger({ store: 'embedded', folder, idleMs: 0 }),
		raw: () => openPgliteSession(folder, 30_000),
	}));

	it('runs the transactions of one process one after the other', async () => {
		const session = await openPgliteSession(folder, 30_000);
		try {
			await session.query('CREATE TABLE IF NOT EXISTS public.counter (n integer)');
			await session.query('DELETE FROM public.counter');
			await session.query('INSERT INTO public.counter VALUES (0)');
			// Read, wait, write: interleaved transactions would both write 1.
			const increment = () =>
				session.transaction(async (tx) => {
					const [{ n }] = await tx.query<{ n: number }>('SELECT n FROM public.counter');
					await new Promise((resolve) => setTimeout(resolve, 20));
					await tx.query('UPDATE public.counter SET n = $1', [n + 1]);
				});
			const outside = new Promise((resolve) => setTimeout(resolve, 5)).then(() => session.query<{ n: number }>('SELECT n FROM public.counter'));
			await Promise.all([increment(), increment(), outside]);
			expect(await session.query('SELECT n FROM public.counter')).toEqual([{ n: 2 }]);
			// A statement outside the transactions waited for the first to commit.
			expect((await outside)[0].n).toBeGreaterThanOrEqual(1);
		} finally {
			await session.close();
		}
	});
});

describe('embedded ledger folder', () => {
	it('is refused in queue mode, where each worker would keep its own ledger', async () => {
		const previous = process.env.EXECUTIONS_MODE;
		process.env.EXECUTIONS_MODE = 'queue';
		try {
			await expect(openLedger({ store: 'embedded', folder: newFolder() })).rejects.toThrow(
				/cannot be used in queue mode \(EXECUTIONS_MODE=queue\): each worker would keep its own ledger.*Use the PostgreSQL ledger credential/,
			);
		} finally {
			if (previous === undefined) delete process.env.EXECUTIONS_MODE;
			else process.env.EXECUTIONS_MODE = previous;
		}
	});

	it('stays locked while an execution opens it as another one closes it', async () => {
		const folder = newFolder();
		// Closed as soon as the last user leaves, instead of staying open for the next.
		const first = await openLedger({ store: 'embedded', folder, idleMs: 0 });
		const closing = first.close();
		const second = await openLedger({ store: 'embedded', folder, idleMs: 0 });
		await closing;
		expect(existsSync(join(folder, 'ledger.lock'))).toBe(true);
		expect(await second.report({})).toEqual([]);
		await second.close();
		expect(existsSync(join(folder, 'ledger.lock'))).toBe(false);
	});

	it("defaults to the n8n user folder's .n8n folder", () => {
		expect(defaultLedgerFolder({ N8N_USER_FOLDER: '/data' })).toBe('/data/.n8n/aws-marketplace-metering/ledger');
		expect(defaultLedgerFolder({})).toBe(join(homedir(), '.n8n', 'aws-marketplace-metering', 'ledger'));
	});

	it('names the folder and the process holding it when another live process keeps it', async () => {
		const folder = newFolder();
		const holder = startLedgerProcess({ folder, name: 'holder', batches: 1, pauseMs: 0, then: 'hold' });
		try {
			await holder.line(/^done$/);
			const started = Date.now();
			await expect(openLedger({ store: 'embedded', folder, lockTimeoutMs: 300 })).rejects.toThrow(
				`Could not open the metering ledger in ${folder}: it is in use by process ${holder.child.pid} on host ${hostname()}`,
			);
			expect(Date.now() - started).toBeGreaterThanOrEqual(300);
		} finally {
			await holder.kill();
		}
	}, 60_000);

	it('keeps every committed batch when the writing process is killed mid-write, and opens again', async () => {
		const folder = newFolder();
		const writer = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'writer.ts'), folder], {
			cwd: ROOT,
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		let committed = -1;
		await new Promise<void>((resolve, reject) => {
			writer.stdout!.setEncoding('utf8').on('data', (text: string) => {
				for (const match of text.matchAll(/committed (\d+)/g)) committed = Number(match[1]);
				// A moment after a commit the next batch is being written.
				if (committed >= 3) setTimeout(() => resolve(), 15);
			});
			writer.once('exit', (code) => reject(new Error(`The writer exited (${code}) before it was killed`)));
		});
		writer.kill('SIGKILL');
		await exited(writer);
		expect(writer.signalCode).toBe('SIGKILL');

		// Its lock is left behind, its holder known dead.
		expect(existsSync(join(folder, 'ledger.lock'))).toBe(true);
		const ledger = await openLedger({ store: 'embedded', folder, lockTimeoutMs: 1_000, idleMs: 0 });
		try {
			const rows = await ledger.report();
			const events = rows.reduce((sum, row) => sum + row.events, 0);
			expect(events).toBeGreaterThanOrEqual((committed + 1) * BATCH);
			expect(events % BATCH).toBe(0);
			expect(rows.every((row) => Number(row.quantity) === row.events)).toBe(true);
			const [again] = await ledger.recordEvents(
				[{ eventId: 'w-0-0', productCode: 'prod-a', customer: { CustomerAWSAccountId: '111122223333' }, dimension: 'd0', quantity: '1', timestamp: new Date() }],
				{ now: new Date() },
			);
			expect(again.result).toBe('duplicateEvent');
		} finally {
			await ledger.close();
		}
	}, 120_000);
});

// The embedded ledger in n8n's process, executions run by n8n's engine: opened once, kept open
// between executions and shared with the trigger, closed once idle for
// AWS_MARKETPLACE_METERING_LEDGER_IDLE_SECONDS.

const IDLE_SECONDS = 5;
// Record Usage does not call AWS: any keys do.
const CREDENTIALS = { region: 'us-east-1', credentialSource: 'accessKeys', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'unused' };

const record = (eventId: string) =>
	runNode({
		parameters: { operation: 'recordUsage', ledger: 'embedded' },
		credentials: CREDENTIALS,
		items: [
			{
				eventId,
				productCode: 'prod-a',
				licenseArn: 'arn:aws:license-manager::123456789012:license:l-00000000000000000000000000000001',
				customerAWSAccountId: '111122223333',
				dimension: 'requests',
				quantity: 1,
				timestamp: new Date().toISOString(),
			},
		],
	});

/** When the PostgreSQL now open on the folder started, read through a session that keeps the idle period. */
async function startedAt(folder: string): Promise<string> {
	const session = await openPgliteSession(folder, 30_000, { idleMs: embeddedIdleMs() });
	try {
		return String((await session.query<{ started: Date }>('SELECT pg_postmaster_start_time() AS started'))[0].started.toISOString());
	} finally {
		await session.close();
	}
}

describe('the embedded ledger in n8n’s process', () => {
	useLedgerFolder();
	let previous: string | undefined;
	beforeAll(() => {
		previous = process.env[IDLE_SECONDS_VARIABLE];
		process.env[IDLE_SECONDS_VARIABLE] = String(IDLE_SECONDS);
	});
	afterAll(() => {
		if (previous === undefined) delete process.env[IDLE_SECONDS_VARIABLE];
		else process.env[IDLE_SECONDS_VARIABLE] = previous;
	});

	it(`stays open between executions, shared with the trigger, holding its folder, and closes once idle for ${IDLE_SECONDS_VARIABLE}`, async () => {
		const folder = defaultLedgerFolder();
		const lock = join(folder, 'ledger.lock');
		const first = await record('e-1');
		expect(first.outputs[0].map((item) => item.json.status)).toEqual(['Recorded']);
		const opened = await startedAt(folder);
		expect(JSON.parse(readFileSync(join(lock, 'holder.json'), 'utf8')).pid).toBe(process.pid);

		const second = await record('e-2');
		expect(second.outputs[0].map((item) => item.json.status)).toEqual(['Recorded']);
		expect(await startedAt(folder)).toBe(opened);

		// The trigger, in the same process, shares it.
		const trigger = await startTrigger({ parameters: { ledger: 'embedded' } });
		try {
			const delivered = await fetch(trigger.url, {
				method: 'POST',
				headers: { 'content-type': 'application/json', [API_KEY.header]: API_KEY.value },
				body: JSON.stringify({ ...LIFECYCLE_EXAMPLES['License Updated - Manufacturer'], id: 'shared', detail: { requestId: 'shared' } }),
			});
			expect(delivered.status).toBe(200);
		} finally {
			await trigger.stop();
		}
		expect(await startedAt(folder)).toBe(opened);

		const idleSince = Date.now();
		while (existsSync(lock) && Date.now() - idleSince < 20_000) await new Promise((resolve) => setTimeout(resolve, 100));
		expect(existsSync(lock)).toBe(false);
		expect(Date.now() - idleSince).toBeGreaterThanOrEqual(IDLE_SECONDS * 1000 - 200);

		const third = await record('e-1');
		expect(third.outputs[0].map((item) => item.json.status)).toEqual(['DuplicateEvent']);
		expect(await startedAt(folder)).not.toBe(opened);
	}, 120_000);

	it(`says what ${IDLE_SECONDS_VARIABLE} must hold`, () => {
		expect(embeddedIdleMs({})).toBe(300_000);
		expect(embeddedIdleMs({ [IDLE_SECONDS_VARIABLE]: '0' })).toBe(0);
		expect(embeddedIdleMs({ [IDLE_SECONDS_VARIABLE]: ' 90 ' })).toBe(90_000);
		expect(() => embeddedIdleMs({ [IDLE_SECONDS_VARIABLE]: 'five minutes' })).toThrow(
			`${IDLE_SECONDS_VARIABLE} must be a number of seconds, 0 or more, not "five minutes"`,
		);
	});
});
