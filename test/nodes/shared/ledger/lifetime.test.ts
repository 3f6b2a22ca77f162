import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { LIFECYCLE_EXAMPLES } from '../../../../emulator/lifecycleExamples';
import { defaultLedgerFolder, embeddedIdleMs, IDLE_SECONDS_VARIABLE } from '../../../../nodes/shared/ledger';
import { openPgliteSession } from '../../../../nodes/shared/ledger/pglite';
import { useLedgerFolder } from '../../../helpers/ledger';
import { runNode } from '../../../helpers/workflow';
import { API_KEY, startTrigger } from '../../../helpers/trigger';

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
