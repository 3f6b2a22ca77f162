// The behaviour every ledger store must have, run against PGlite and PostgreSQL alike.
import type { SqlSession } from '../../../../nodes/shared/ledger/sql';
import type {
	BuildRecord,
	ClaimOptions,
	LicenseChange,
	LedgerUsageEvent,
	MeteringLedger,
	ReportRow,
} from '../../../../nodes/shared/ledger/types';

export interface StoreUnderTest {
	/** Another ledger on the same store (PostgreSQL: its own pool of connections). */
	open(): Promise<MeteringLedger>;
	/** Direct SQL on the same store, to reset and inspect it. */
	raw(): Promise<SqlSession>;
}

const LICENSE = 'arn:aws:license-manager::123456789012:license:l-0001';
const OTHER_LICENSE = 'arn:aws:license-manager::123456789012:license:l-0002';
const ACCOUNT = '111122223333';
const DAY = '2026-03-10';

/** 'HH:MM' on the test day, or a full ISO date. */
export function at(time: string): Date {
	return new Date(time.includes('T') ? time : `${DAY}T${time}:00Z`);
}

export function usage(event: Partial<LedgerUsageEvent> & { at: string }): LedgerUsageEvent {
	const { at: time, ...fields } = event;
	return {
		productCode: 'prod-a',
		licenseArn: LICENSE,
		customer: { CustomerAWSAccountId: ACCOUNT },
		dimension: 'requests',
		quantity: '1',
		timestamp: at(time),
		...fields,
	};
}

/** Sends the summed usage, rounded up (as the engine's "round up" option does). */
export const exact: BuildRecord = (key) => ({
	ok: true,
	quantity: Math.ceil(Number(key.quantity)),
	...(key.allocations
		? { allocations: key.allocations.map((a) => ({ AllocatedUsageQuantity: Math.ceil(Number(a.quantity)), ...(a.tags ? { Tags: a.tags } : {}) })) }
		: {}),
});

export function claimOptions(now: string, options: Partial<ClaimOptions> = {}): ClaimOptions {
	return { now: at(now), claimant: 'run-1', closeAfterMinutes: 10, leaseMs: 60_000, ...options };
}

const hours = (rows: { hour: Date }[]) => rows.map((row) => row.hour.toISOString().slice(11, 16));

export function ledgerSuite(store: () => StoreUnderTest): void {
	let ledger: MeteringLedger;
	let raw: SqlSession;

	beforeAll(async () => {
		ledger = await store().open();
		raw = await store().raw();
	}, 120_000);
	afterAll(async () => {
		await ledger?.close();
		await raw?.close();
	});
	beforeEach(async () => {
		await raw.query(
			`TRUNCATE aws_marketplace_metering.usage_event, aws_marketplace_metering.usage_key,
				aws_marketplace_metering.final_report, aws_marketplace_metering.delivery,
				aws_marketplace_metering.license, aws_marketplace_metering.license_change, aws_marketplace_metering.license_arn_given RESTART IDENTITY`,
		);
	});

	const reportOf = async (now = '23:59') => ledger.report({ now: at(now), closeAfterMinutes: 10 });
	const only = async (filter: (row: ReportRow) => boolean, now?: string) => (await reportOf(now)).filter(filter);

	describe('recording usage events', () => {
		it('counts an event ID once, within a call and across calls, answering with the first one\'s key and hour', async () => {
			const now = { now: at('10:30') };
			const first = await ledger.recordEvents(
				[usage({ eventId: 'a', at: '10:05', quantity: '2' }), usage({ eventId: 'a', at: '11:06', quantity: '5' }), usage({ eventId: 'b', at: '10:07', quantity: '3' })],
				now,
			);
			expect(first.map((answer) => answer.result)).toEqual(['recorded', 'duplicateEvent', 'recorded']);
			expect(first[1]).toEqual({ result: 'duplicateEvent', keyId: first[0].keyId, hour: at('10:00') });
			const again = await ledger.recordEvents([usage({ eventId: 'b', at: '09:00', quantity: '9' }), usage({ at: '10:08' }), usage({ at: '10:09' })], now);
			expect(again[0]).toEqual({ result: 'duplicateEvent', keyId: first[0].keyId, hour: at('10:00') });
			expect(again.slice(1).map((answer) => answer.result)).toEqual(['recorded', 'recorded']);
			const [row] = await reportOf();
			expect(row).toMatchObject({ events: 4, quantity: '7' });
			expect(await reportOf()).toHaveLength(1);
		});

		it('sums exact decimals per license, customer, dimension and hour', async () => {
			const answers = await ledger.recordEvents(
				[
					usage({ at: '10:01', quantity: '0.1' }),
					usage({ at: '10:02', quantity: '0.2' }),
					usage({ at: '10:59', quantity: '0.7' }),
					usage({ at: '10:03', dimension: 'storage', quantity: '4' }),
					usage({ at: '10:04', licenseArn: OTHER_LICENSE, quantity: '5' }),
					usage({ at: '10:05', licenseArn: undefined, customer: { CustomerIdentifier: 'legacy-1' }, quantity: '6' }),
					usage({ at: '10:06', licenseArn: undefined, customer: { CustomerIdentifier: 'legacy-1' }, productCode: 'prod-b', quantity: '7' }),
					usage({ at: '11:00', quantity: '8' }),
				],
				{ now: at('11:30') },
			);
			expect(new Set(answers.map((answer) => answer.keyId)).size).toBe(6);
			const rows = await reportOf();
			const quantityOf = (filter: (row: ReportRow) => boolean) => rows.filter(filter).map((row) => [row.quantity, row.events]);
			expect(quantityOf((r) => r.licenseArn === LICENSE && r.dimension === 'requests' && r.hour.getTime() === at('10:00').getTime())).toEqual([['1', 3]]);
			expect(quantityOf((r) => r.dimension === 'storage')).toEqual([['4', 1]]);
			expect(quantityOf((r) => r.licenseArn === OTHER_LICENSE)).toEqual([['5', 1]]);
			expect(quantityOf((r) => r.licenseArn === undefined && r.productCode === 'prod-a')).toEqual([['6', 1]]);
			expect(quantityOf((r) => r.productCode === 'prod-b')).toEqual([['7', 1]]);
			expect(quantityOf((r) => r.hour.getTime() === at('11:00').getTime())).toEqual([['8', 1]]);
			expect(rows.find((r) => r.productCode === 'prod-b')!.customer).toEqual({ CustomerIdentifier: 'legacy-1' });
		});

		it('merges allocations by tag set, events without allocations counting as untagged usage', async () => {
			const team = (name: string) => ({ tags: [{ Key: 'team', Value: name }], tagSet: `team=${name}` });
			await ledger.recordEvents(
				[
					usage({ at: '10:01', quantity: '3', allocations: [{ quantity: '2', ...team('a') }, { quantity: '1', ...team('b') }] }),
					usage({ at: '10:02', quantity: '4' }),
					usage({ at: '10:03', quantity: '0.5', allocations: [{ quantity: '0.5', ...team('a') }] }),
					usage({ at: '10:04', dimension: 'plain', quantity: '2' }),
				],
				{ now: at('10:30') },
			);
			const build = jest.fn(exact);
			const { claimed } = await ledger.claim(claimOptions('11:10'), build);
			const requests = build.mock.calls.map(([key]) => key).find((key) => key.dimension === 'requests')!;
			expect(requests.quantity).toBe('7.5');
			expect(requests.allocations).toEqual([
				{ tagSet: '', quantity: '4' },
				{ tagSet: 'team=a', tags: [{ Key: 'team', Value: 'a' }], quantity: '2.5' },
				{ tagSet: 'team=b', tags: [{ Key: 'team', Value: 'b' }], quantity: '1' },
			]);
			expect(build.mock.calls.map(([key]) => key).find((key) => key.dimension === 'plain')!.allocations).toBeUndefined();
			expect(claimed.find((key) => key.dimension === 'requests')).toMatchObject({ quantity: 8, events: 3 });
			expect(claimed.find((key) => key.dimension === 'requests')!.allocations).toEqual([
				{ AllocatedUsageQuantity: 4 },
				{ AllocatedUsageQuantity: 3, Tags: [{ Key: 'team', Value: 'a' }] },
				{ AllocatedUsageQuantity: 1, Tags: [{ Key: 'team', Value: 'b' }] },
			]);
		});

		it('refuses malformed quantities before touching the store; no events, no answers', async () => {
			await expect(ledger.recordEvents([usage({ at: '10:00', quantity: '-1' })], { now: at('10:30') })).rejects.toThrow(
				'Usage event 0: quantity "-1" is not decimal text',
			);
			await expect(ledger.recordEvents([usage({ at: '10:00', allocations: [{ quantity: '1e3', tagSet: '' }] })], { now: at('10:30') })).rejects.toThrow(
				'Usage event 0: allocated quantity "1e3" is not decimal text',
			);
			expect(await ledger.recordEvents([], { now: at('10:30') })).toEqual([]);
			expect(await reportOf()).toEqual([]);
		});
	});

	describe('claiming hours', () => {
		it('claims closed hours only, oldest first, at most limit; never a future hour', async () => {
			await ledger.recordEvents(
				[usage({ at: '11:10' }), usage({ at: '09:10' }), usage({ at: '10:10' }), usage({ at: '08:10' }), usage({ at: '12:10' })],
				{ now: at('11:05') },
			);
			expect(hours(await only((row) => row.state === 'open', '11:05'))).toEqual(['10:00', '11:00', '12:00']);
			expect(hours(await only((row) => row.state === 'ready', '11:05'))).toEqual(['08:00', '09:00']);
			const hourLease = { leaseMs: 3_600_000 };
			expect(hours((await ledger.claim(claimOptions('11:05', { ...hourLease, limit: 1 }), exact)).claimed)).toEqual(['08:00']);
			expect(hours((await ledger.claim(claimOptions('11:05', hourLease), exact)).claimed)).toEqual(['09:00']);
			// 10:00 closes at 11:10 (10 minutes after the hour ends).
			expect((await ledger.claim(claimOptions('11:09', hourLease), exact)).claimed).toEqual([]);
			expect(hours((await ledger.claim(claimOptions('11:10', hourLease), exact)).claimed)).toEqual(['10:00']);
			// A final report claims the hour in progress, but never an hour still to come.
			const final = await ledger.claim(claimOptions('11:20', { ...hourLease, final: { licenseArns: [LICENSE] } }), exact);
			expect(hours(final.claimed)).toEqual(['11:00']);
		});

		it('freezes the record: a lapsed lease is claimed again with the same record, without building it again', async () => {
			await ledger.recordEvents([usage({ at: '10:10', quantity: '5' })], { now: at('10:30') });
			const build = jest.fn(exact);
			const [first] = (await ledger.claim(claimOptions('11:15'), build)).claimed;
			expect(first).toMatchObject({ quantity: 5, events: 1, priorAttempts: 0 });
			// A late event cannot change what was frozen: it goes to a later hour.
			const [late] = await ledger.recordEvents([usage({ at: '10:50', quantity: '2' })], { now: at('11:16') });
			expect(late).toMatchObject({ result: 'recorded', hour: at('11:00'), carriedFrom: at('10:00') });
			// The lease (60 s from 11:15) still holds at 11:15:30, not at 11:16.
			expect((await ledger.claim(claimOptions('2026-03-10T11:15:30Z', { claimant: 'run-2' }), build)).claimed).toEqual([]);
			const { claimed } = await ledger.claim(claimOptions('11:16', { claimant: 'run-2' }), build);
			expect(claimed).toEqual([{ ...first, priorAttempts: 1 }]);
			expect(build).toHaveBeenCalledTimes(1);
		});

		it('puts a key to retry back to ready with its frozen record and last error, then sends it again', async () => {
			await ledger.recordEvents([usage({ at: '10:10', quantity: '5' })], { now: at('10:30') });
			const build = jest.fn(exact);
			const [key] = (await ledger.claim(claimOptions('11:15'), build)).claimed;
			await ledger.recordEvents([usage({ at: '10:20', quantity: '1' })], { now: at('11:15') });
			expect(await ledger.settle('run-1', [{ keyId: key.keyId, outcome: 'retry', error: 'Throttled' }], { now: at('11:16') })).toEqual({
				settled: [key.keyId],
				ignored: [],
			});
			expect((await only((row) => row.keyId === key.keyId))[0]).toMatchObject({ state: 'ready', sentQuantity: 5, lastError: 'Throttled', attempts: 1 });
			const [again] = (await ledger.claim(claimOptions('12:15', { claimant: 'run-2' }), build)).claimed.filter((k) => k.keyId === key.keyId);
			expect(again).toEqual({ ...key, priorAttempts: 1 });
			expect(build.mock.calls.filter(([k]) => k.keyId === key.keyId)).toHaveLength(1);
			await ledger.settle('run-2', [{ keyId: key.keyId, outcome: 'billed', meteringRecordId: 'mr-1' }], { now: at('12:16') });
			expect((await only((row) => row.keyId === key.keyId))[0]).toMatchObject({
				state: 'billed',
				status: 'Success',
				meteringRecordId: 'mr-1',
				sentAt: at('12:16'),
				attempts: 2,
				sentQuantity: 5,
				quantity: '5',
			});
		});

		it('ignores a settlement from a claimant whose lease lapsed and was taken over', async () => {
			await ledger.recordEvents([usage({ at: '10:10' })], { now: at('10:30') });
			const [key] = (await ledger.claim(claimOptions('11:15', { claimant: 'slow' }), exact)).claimed;
			const takeOver = new Date(at('11:15').getTime() + 60_000);
			expect((await ledger.claim({ ...claimOptions('11:15', { claimant: 'fast' }), now: takeOver }, exact)).claimed).toHaveLength(1);
			expect(await ledger.settle('slow', [{ keyId: key.keyId, outcome: 'billed', meteringRecordId: 'mr-slow' }], { now: takeOver })).toEqual({
				settled: [],
				ignored: [key.keyId],
			});
			await ledger.settle('fast', [{ keyId: key.keyId, outcome: 'notBilled', status: 'DuplicateRecord', reason: 'already metered' }], { now: takeOver });
			expect((await reportOf())[0]).toMatchObject({ state: 'notBilled', status: 'DuplicateRecord', reason: 'already metered', attempts: 2 });
			expect((await reportOf())[0].meteringRecordId).toBeUndefined();
		});

		it('marks a key notBilled when build refuses it, and never claims it again', async () => {
			await ledger.recordEvents([usage({ at: '10:10', quantity: '3' }), usage({ at: '10:10', dimension: 'other' })], { now: at('10:30') });
			const build: BuildRecord = (key) => (key.dimension === 'other' ? { ok: false, code: 'InvalidQuantity', reason: 'too much' } : exact(key));
			const result = await ledger.claim(claimOptions('11:15'), build);
			expect(result.claimed.map((key) => key.dimension)).toEqual(['requests']);
			expect(result.refused).toEqual([expect.objectContaining({ dimension: 'other', code: 'InvalidQuantity', reason: 'too much', quantity: '1', events: 1 })]);
			expect((await only((row) => row.dimension === 'other'))[0]).toMatchObject({ state: 'notBilled', status: 'InvalidQuantity' });
			expect((await ledger.claim(claimOptions('12:15'), build)).refused).toEqual([]);
		});

		it('rejects a record that is not whole numbers, and a key settled twice in one call', async () => {
			await ledger.recordEvents([usage({ at: '10:10', quantity: '2.5' })], { now: at('10:30') });
			await expect(ledger.claim(claimOptions('11:15'), (key) => ({ ok: true, quantity: Number(key.quantity) }))).rejects.toThrow(
				'build returned the quantity 2.5 for key 1: usage records carry whole numbers',
			);
			const [key] = (await ledger.claim(claimOptions('11:15'), exact)).claimed;
			expect(key.quantity).toBe(3);
			const twice = [key.keyId, key.keyId].map((keyId) => ({ keyId, outcome: 'billed' as const, meteringRecordId: null }));
			await expect(ledger.settle('run-1', twice, { now: at('11:16') })).rejects.toThrow(`Key ${key.keyId} has more than one outcome`);
		});
	});

	describe('leases', () => {
		const second = (time: string) => at(`2026-03-10T${time}Z`);
		const leases = async () =>
			raw.query<{ key_id: string; claimed_by: string; lease_until: Date }>(
				"SELECT key_id::text AS key_id, claimed_by, lease_until FROM aws_marketplace_metering.usage_key WHERE state = 'sending' ORDER BY key_id",
			);

		it("renews only the claimant's keys still sending, and reports the others lost", async () => {
			await ledger.recordEvents([usage({ at: '10:10' }), usage({ at: '10:20', dimension: 'storage' }), usage({ at: '10:30', dimension: 'other' })], { now: at('10:40') });
			const mine = (await ledger.claim(claimOptions('11:15', { limit: 2 }), exact)).claimed.map((key) => key.keyId);
			const [theirs] = (await ledger.claim(claimOptions('11:15', { claimant: 'run-2' }), exact)).claimed.map((key) => key.keyId);
			await ledger.settle('run-1', [{ keyId: mine[1], outcome: 'billed', meteringRecordId: 'mr-1' }], { now: second('11:15:10') });
			expect(await ledger.renew('run-1', [...mine, theirs], { now: second('11:15:50'), leaseMs: 60_000 })).toEqual({ renewed: [mine[0]], lost: [mine[1], theirs] });
			expect((await leases()).map((row) => [Number(row.key_id), row.claimed_by, row.lease_until])).toEqual([
				[mine[0], 'run-1', second('11:16:50')],
				[theirs, 'run-2', second('11:16:00')],
			]);
			expect(await ledger.renew('run-1', [], { now: second('11:15:50'), leaseMs: 60_000 })).toEqual({ renewed: [], lost: [] });
			// At 11:16:30 run-2's lease has lapsed, run-1's renewed one has not.
			expect((await ledger.claim(claimOptions('2026-03-10T11:16:30Z', { claimant: 'run-3' }), exact)).claimed.map((key) => key.keyId)).toEqual([theirs]);
			expect((await ledger.claim(claimOptions('2026-03-10T11:16:50Z', { claimant: 'run-3' }), exact)).claimed.map((key) => key.keyId)).toEqual([mine[0]]);
		});

		it('lets another claimant take over a lapsed lease; the renewal that comes too late reports the key lost', async () => {
			await ledger.recordEvents([usage({ at: '10:10', quantity: '4' })], { now: at('10:30') });
			const [key] = (await ledger.claim(claimOptions('11:15', { claimant: 'paused' }), exact)).claimed;
			const [taken] = (await ledger.claim(claimOptions('11:16', { claimant: 'next' }), exact)).claimed;
			expect(taken).toEqual({ ...key, priorAttempts: 1 });
			expect(await ledger.renew('paused', [key.keyId], { now: second('11:16:01'), leaseMs: 60_000 })).toEqual({ renewed: [], lost: [key.keyId] });
			expect((await leases()).map((row) => [row.claimed_by, row.lease_until])).toEqual([['next', at('11:17')]]);
			expect(await ledger.settle('paused', [{ keyId: key.keyId, outcome: 'billed', meteringRecordId: 'mr-paused' }], { now: second('11:16:02') })).toEqual({ settled: [], ignored: [key.keyId] });
		});

		it('never takes over nor expires the claimant\'s own lapsed keys: it renews them', async () => {
			await ledger.recordEvents([usage({ at: '10:10' }), usage({ at: '10:20', dimension: 'storage' })], { now: at('10:30') });
			const [key] = (await ledger.claim(claimOptions('11:15', { limit: 1 }), exact)).claimed;
			// Paused past its lease and past the deadline: its own next claims leave the key alone.
			const late = await ledger.claim(claimOptions('2026-03-11T10:30:00Z'), exact);
			expect(late.claimed).toEqual([]);
			expect(late.expired.map((expired) => expired.keyId)).not.toContain(key.keyId);
			expect(await ledger.renew('run-1', [key.keyId], { now: at('2026-03-11T10:30:00Z'), leaseMs: 60_000 })).toEqual({ renewed: [key.keyId], lost: [] });
			await ledger.settle('run-1', [{ keyId: key.keyId, outcome: 'expired', reason: 'too late' }], { now: at('2026-03-11T10:30:00Z') });
			expect((await only((row) => row.keyId === key.keyId))[0]).toMatchObject({ state: 'expired', reason: 'too late' });
		});
	});

	describe('late usage', () => {
		it('carries a late event to the next hour not yet sent, skipping hours being sent', async () => {
			await ledger.recordEvents([usage({ at: '10:10' }), usage({ at: '11:10' })], { now: at('11:30') });
			const [ten] = (await ledger.claim(claimOptions('11:15'), exact)).claimed;
			await ledger.settle('run-1', [{ keyId: ten.keyId, outcome: 'billed', meteringRecordId: 'mr-10' }], { now: at('11:16') });
			await ledger.recordEvents([usage({ at: '12:10' })], { now: at('12:11') });
			await ledger.claim(claimOptions('12:15'), exact); // 11:00 is now sending
			const [late] = await ledger.recordEvents([usage({ at: '10:40', quantity: '4' })], { now: at('12:30') });
			expect(late).toMatchObject({ result: 'recorded', hour: at('12:00'), carriedFrom: at('10:00') });
			const rows = await reportOf('12:30');
			expect(rows.map((row) => [row.hour.toISOString().slice(11, 16), row.quantity, row.carriedFrom, row.carriedTo])).toEqual([
				['10:00', '1', [], [at('12:00')]],
				['11:00', '1', [], []],
				['12:00', '5', [at('10:00')], []],
			]);
		});

		it('carries to the hour in progress when every hour between was sent, and beyond when that one was too', async () => {
			await ledger.recordEvents([usage({ at: '10:10' }), usage({ at: '11:10' })], { now: at('11:30') });
			await ledger.claim(claimOptions('12:10'), exact);
			const [toCurrent] = await ledger.recordEvents([usage({ at: '10:30' })], { now: at('12:30') });
			expect(toCurrent).toMatchObject({ hour: at('12:00'), carriedFrom: at('10:00') });
			// A final report sends the hour in progress; a writer whose clock lags behind it then has
			// to go to the next hour.
			await ledger.claim(claimOptions('12:40', { final: { licenseArns: [LICENSE] } }), exact);
			const [beyond] = await ledger.recordEvents([usage({ at: '11:30' })], { now: at('12:35') });
			expect(beyond).toMatchObject({ result: 'recorded', hour: at('13:00'), carriedFrom: at('11:00') });
		});

		it('answers usage whose own hour is past its deadline expired, keeps nothing of it, and still knows its event ID', async () => {
			const [first] = await ledger.recordEvents([usage({ at: '10:10', eventId: 'seen' })], { now: at('10:30') });
			const justBefore = new Date(at('2026-03-11T10:00:00Z').getTime() - 1);
			const [inTime] = await ledger.recordEvents([usage({ at: '10:20', quantity: '2' })], { now: justBefore });
			expect(inTime).toMatchObject({ result: 'recorded', keyId: first.keyId, hour: at('10:00') });
			// Recorded 24 h after its hour started: AWS would refuse it in that hour.
			const [late, again] = await ledger.recordEvents([usage({ at: '10:20', quantity: '5' }), usage({ at: '10:10', eventId: 'seen' })], { now: at('2026-03-11T10:00:00Z') });
			expect(late).toEqual({ result: 'expired', hour: at('10:00'), deadline: at('2026-03-11T10:00:00Z'), late: 'deadline' });
			expect(again).toMatchObject({ result: 'duplicateEvent', keyId: first.keyId });
			expect((await reportOf('2026-03-11T10:00:00Z')).map((row) => [row.hour, row.quantity, row.events])).toEqual([[at('10:00'), '3', 2]]);
		});

		it('applies a stricter maximum age than AWS’s when asked', async () => {
			const [late] = await ledger.recordEvents([usage({ at: '10:20' })], { now: at('16:00'), maxRecordAgeHours: 6 });
			expect(late).toEqual({ result: 'expired', hour: at('10:00'), deadline: at('16:00'), late: 'deadline' });
			const [inTime] = await ledger.recordEvents([usage({ at: '10:20' })], { now: at('15:59'), maxRecordAgeHours: 6 });
			expect(inTime).toMatchObject({ result: 'recorded', hour: at('10:00') });
		});

		it('bills usage past its deadline in the hour in progress only when the seller opts in, and says so', async () => {
			const [late] = await ledger.recordEvents([usage({ at: '10:20', quantity: '2' })], { now: at('2026-03-11T12:30:00Z'), billLateUsageLater: true });
			expect(late).toMatchObject({ result: 'recorded', hour: at('2026-03-11T12:00:00Z'), carriedFrom: at('10:00'), deadline: at('2026-03-11T10:00:00Z'), late: 'deadline' });
		});
	});

	describe('month ends', () => {
		// 23:00 on the last day of January is claimed; a late event of that hour arrives after midnight.
		const sendLastHour = async () => {
			await ledger.recordEvents([usage({ at: '2026-01-31T23:10:00Z' })], { now: at('2026-01-31T23:20:00Z') });
			const { claimed } = await ledger.claim(claimOptions('2026-02-01T00:15:00Z'), exact);
			expect(claimed.map((key) => key.hour)).toEqual([at('2026-01-31T23:00:00Z')]);
		};

		it('never carries late usage into another month: no later hour of its month is left, so it expires', async () => {
			await sendLastHour();
			const [late] = await ledger.recordEvents([usage({ at: '2026-01-31T23:40:00Z' })], { now: at('2026-02-01T02:00:00Z') });
			expect(late).toEqual({ result: 'expired', hour: at('2026-01-31T23:00:00Z'), deadline: at('2026-02-01T06:00:00Z'), late: 'monthSent' });
			expect((await reportOf('2026-02-01T02:00:00Z')).map((row) => row.hour)).toEqual([at('2026-01-31T23:00:00Z')]);
		});

		it('carries late usage to a later hour of the same month', async () => {
			await ledger.recordEvents([usage({ at: '2026-01-31T22:10:00Z' })], { now: at('2026-01-31T22:20:00Z') });
			await ledger.claim(claimOptions('2026-01-31T23:15:00Z'), exact);
			const [late] = await ledger.recordEvents([usage({ at: '2026-01-31T22:40:00Z' })], { now: at('2026-02-01T02:00:00Z') });
			expect(late).toMatchObject({ result: 'recorded', hour: at('2026-01-31T23:00:00Z'), carriedFrom: at('2026-01-31T22:00:00Z') });
			expect(late.late).toBeUndefined();
		});

		it('carries late usage into the next month only when the seller opts in, and says so', async () => {
			await sendLastHour();
			const [late] = await ledger.recordEvents([usage({ at: '2026-01-31T23:40:00Z' })], { now: at('2026-02-01T02:00:00Z'), billLateUsageLater: true });
			expect(late).toMatchObject({ result: 'recorded', hour: at('2026-02-01T00:00:00Z'), carriedFrom: at('2026-01-31T23:00:00Z'), late: 'monthSent' });
		});
	});

	describe('deadlines', () => {
		it('expires an unsent key at its hour + 24 h, and one whose lease lapsed', async () => {
			await ledger.recordEvents([usage({ at: '10:10', quantity: '2' }), usage({ at: '10:20', dimension: 'leased' })], { now: at('10:30') });
			// Key 1 ('leased' sorts first) is claimed and its sender dies; key 2 is never claimed.
			const [leased] = (await ledger.claim(claimOptions('11:15', { limit: 1 }), exact)).claimed;
			expect(leased.dimension).toBe('leased');
			const justBefore = new Date(at('2026-03-11T10:00:00Z').getTime() - 1);
			const next = { claimant: 'run-2', limit: 0 };
			expect(await ledger.claim({ ...claimOptions('11:15', next), now: justBefore }, exact)).toEqual({ claimed: [], expired: [], refused: [] });
			const { expired } = await ledger.claim(claimOptions('2026-03-11T10:00:00Z', next), exact);
			expired.sort((a, b) => a.keyId - b.keyId);
			expect(expired.map((key) => [key.dimension, key.quantity, key.events, key.priorAttempts])).toEqual([
				['leased', '1', 1, 1],
				['requests', '2', 1, 0],
			]);
			expect(expired[1]).toMatchObject({ hour: at('10:00'), deadline: at('2026-03-11T10:00:00Z'), licenseArn: LICENSE });
			expect((await reportOf()).map((row) => row.state)).toEqual(['expired', 'expired']);
			expect(leased.deadline).toEqual(at('2026-03-11T10:00:00Z'));
		});

		it("expires last month's hours at 06:00 UTC on the 1st, and their late usage with them", async () => {
			await ledger.recordEvents([usage({ at: '2026-01-31T20:15:00Z' })], { now: at('2026-01-31T20:30:00Z') });
			const before = await ledger.claim(claimOptions('2026-02-01T05:59:59Z', { limit: 0 }), exact);
			expect(before.expired).toEqual([]);
			const { expired } = await ledger.claim(claimOptions('2026-02-01T06:00:00Z', { limit: 0 }), exact);
			expect(expired).toEqual([expect.objectContaining({ hour: at('2026-01-31T20:00:00Z'), deadline: at('2026-02-01T06:00:00Z') })]);
			const [inTime] = await ledger.recordEvents([usage({ at: '2026-01-31T23:30:00Z' })], { now: at('2026-02-01T05:59:59Z') });
			expect(inTime).toMatchObject({ result: 'recorded', hour: at('2026-01-31T23:00:00Z') });
			const [late] = await ledger.recordEvents([usage({ at: '2026-01-31T23:30:00Z' })], { now: at('2026-02-01T06:00:00Z') });
			expect(late).toEqual({ result: 'expired', hour: at('2026-01-31T23:00:00Z'), deadline: at('2026-02-01T06:00:00Z'), late: 'deadline' });
		});
	});

	describe('final reports', () => {
		it('claims the hour in progress of a cancelled license; its later usage is kept but never sent', async () => {
			await ledger.recordEvents(
				[usage({ at: '10:10' }), usage({ at: '11:20', quantity: '2' }), usage({ at: '11:25', licenseArn: OTHER_LICENSE })],
				{ now: at('11:30') },
			);
			const final = await ledger.claim(claimOptions('11:30', { final: { licenseArns: [LICENSE] } }), exact);
			expect(final.claimed.map((key) => [key.licenseArn, key.hour.toISOString().slice(11, 16), key.quantity])).toEqual([
				[LICENSE, '10:00', 1],
				[LICENSE, '11:00', 2],
			]);
			const billed = final.claimed.map((key) => ({ keyId: key.keyId, outcome: 'billed' as const, meteringRecordId: null }));
			await ledger.settle('run-1', billed, { now: at('11:31') });
			const after = await ledger.recordEvents(
				[usage({ at: '11:35' }), usage({ at: '11:36', licenseArn: OTHER_LICENSE }), usage({ at: '11:37' })],
				{ now: at('11:40') },
			);
			expect(after.map((answer) => answer.result)).toEqual(['afterFinalReport', 'recorded', 'afterFinalReport']);
			expect(after[0]).toMatchObject({ hour: at('12:00'), carriedFrom: at('11:00') });
			expect(after[2].keyId).toBe(after[0].keyId);
			const [own] = await ledger.recordEvents([usage({ at: '12:05' })], { now: at('12:10') });
			expect(own).toMatchObject({ result: 'afterFinalReport', keyId: after[0].keyId, hour: at('12:00') });
			expect(own.carriedFrom).toBeUndefined();
			expect((await only((row) => row.keyId === own.keyId))[0]).toMatchObject({ state: 'notBilled', status: 'AfterFinalReport', events: 3, quantity: '3' });
			const later = await ledger.claim(claimOptions('14:00'), exact);
			expect(later.claimed.map((key) => key.licenseArn)).toEqual([OTHER_LICENSE]);
		});

		it('covers every license of a cancelled customer, and keeps its open hours due beyond the claim limit', async () => {
			await ledger.recordEvents(
				[usage({ at: '10:10' }), usage({ at: '11:10', licenseArn: OTHER_LICENSE }), usage({ at: '11:15', customer: { CustomerAWSAccountId: '999988887777' } })],
				{ now: at('11:20') },
			);
			const first = await ledger.claim(claimOptions('11:20', { limit: 1, final: { customers: [ACCOUNT] } }), exact);
			expect(hours(first.claimed)).toEqual(['10:00']);
			// The hour in progress stays due for the cancelled customer only.
			const rest = await ledger.claim(claimOptions('2026-03-10T11:20:30Z'), exact);
			expect(rest.claimed.map((key) => [key.licenseArn, key.customer])).toEqual([[OTHER_LICENSE, { CustomerAWSAccountId: ACCOUNT }]]);
			const [after] = await ledger.recordEvents([usage({ at: '11:22', licenseArn: OTHER_LICENSE })], { now: at('11:22') });
			expect(after.result).toBe('afterFinalReport');
		});
	});

	describe('licenses', () => {
		// The spellings of one license: Resolve Customer's, a document's `license/`, EventBridge's (with and without `arn:`).
		const SPELLINGS = [
			LICENSE,
			'arn:aws:license-manager::123456789012:license/l-0001',
			'aws:license-manager:us-east-1:123456789012:l-0001',
			'arn:aws:license-manager:us-east-1:123456789012:l-0001',
		];
		const change = (fields: Partial<LicenseChange> & { at: string }): LicenseChange => {
			const { at: time, ...rest } = fields;
			return { licenseArn: LICENSE, state: 'active', happenedAt: at(time), source: 'lifecycleEvent', ...rest };
		};

		it('keeps one license whatever spelling AWS used, found by any spelling, with what each change told', async () => {
			const answers = await ledger.recordLicenseChanges(
				[
					change({ licenseArn: SPELLINGS[1], at: '09:20', source: 'signUp', customerAWSAccountId: ACCOUNT, productCode: 'prod-a', customerIdentifier: 'legacy-9' }),
					change({ licenseArn: SPELLINGS[2], at: '09:25', agreementId: 'agmt-1', detail: 'License Updated - Manufacturer' }),
				],
				{ now: at('09:30') },
			);
			expect(answers.map((answer) => answer.result)).toEqual(['stale', 'applied']);
			const expected = {
				licenseArn: LICENSE,
				licenseId: 'l-0001',
				customerAWSAccountId: ACCOUNT,
				customerIdentifier: 'legacy-9',
				productCode: 'prod-a',
				agreementId: 'agmt-1',
				state: 'active',
				stateChangedAt: at('09:25'),
				stateSource: 'lifecycleEvent',
				startedAt: at('09:20'),
				// Resolve Customer's spelling, which a lifecycle event's does not replace.
				issuedLicenseArn: SPELLINGS[1],
			};
			expect(await ledger.licenses()).toEqual([expected]);
			for (const spelling of SPELLINGS) expect(await ledger.licenses({ licenseArn: spelling })).toEqual([expected]);
			const [repeated] = await ledger.recordLicenseChanges([change({ licenseArn: SPELLINGS[3], at: '09:25', agreementId: 'agmt-1' })], { now: at('09:40') });
			expect(repeated).toEqual({ result: 'repeated', licenses: [expected] });
		});

		it('never lets a late or repeated change revert a newer state', async () => {
			const now = { now: at('16:30') };
			const [ended] = await ledger.recordLicenseChanges([change({ at: '15:40', state: 'ended', productCode: 'prod-a' })], now);
			expect(ended.result).toBe('applied');
			const [late] = await ledger.recordLicenseChanges([change({ licenseArn: SPELLINGS[2], at: '09:20', customerAWSAccountId: ACCOUNT })], now);
			expect(late.result).toBe('stale');
			expect(late.licenses).toEqual([
				expect.objectContaining({ state: 'ended', stateChangedAt: at('15:40'), startedAt: at('09:20'), endedAt: at('15:40'), customerAWSAccountId: ACCOUNT }),
			]);
			const again = await ledger.recordLicenseChanges([change({ at: '15:40', state: 'ended' }), change({ at: '09:20' })], now);
			expect(again.map((answer) => answer.result)).toEqual(['repeated', 'repeated']);
			// A later start (the seller's, by hand) stands; a stop at the same instant as a start wins.
			const [restarted] = await ledger.recordLicenseChanges([change({ at: '16:00', source: 'manual' })], now);
			expect(restarted.result).toBe('applied');
			expect(restarted.licenses[0]).not.toHaveProperty('endedAt');
			const [tie] = await ledger.recordLicenseChanges([change({ at: '16:00', state: 'cancelling' })], now);
			expect(tie.licenses[0]).toMatchObject({ state: 'cancelling', endedAt: at('16:00'), startedAt: at('09:20') });
		});

		it("applies an agreement's change to its licenses, also to a license linked to it afterwards", async () => {
			const now = { now: at('16:30') };
			const [kept] = await ledger.recordLicenseChanges([{ agreementId: 'agmt-1', state: 'cancelling', happenedAt: at('12:00'), source: 'lifecycleEvent' }], now);
			expect(kept).toEqual({ result: 'kept', licenses: [] });
			const [linked, other] = await ledger.recordLicenseChanges([change({ at: '09:00', agreementId: 'agmt-1' }), change({ licenseArn: OTHER_LICENSE, at: '09:00', agreementId: 'agmt-2' })], now);
			expect(linked.result).toBe('stale');
			expect(linked.licenses).toEqual([expect.objectContaining({ state: 'cancelling', stateChangedAt: at('12:00'), startedAt: at('09:00'), endedAt: at('12:00') })]);
			expect(other.licenses).toEqual([expect.objectContaining({ licenseArn: OTHER_LICENSE, state: 'active' })]);
			const [ended] = await ledger.recordLicenseChanges([{ agreementId: 'agmt-2', state: 'ended', happenedAt: at('13:00'), source: 'lifecycleEvent' }], now);
			expect(ended).toEqual({ result: 'applied', licenses: [expect.objectContaining({ licenseArn: OTHER_LICENSE, state: 'ended', endedAt: at('13:00') })] });
			expect((await ledger.licenses({ states: ['active'] })).map((license) => license.licenseArn)).toEqual([]);
			expect((await ledger.licenses({ agreementId: 'agmt-1' })).map((license) => license.licenseArn)).toEqual([LICENSE]);
		});

		it('refuses what is not a license ARN, and records nothing of the call', async () => {
			await expect(ledger.recordLicenseChanges([change({ at: '09:00' }), change({ licenseArn: 'arn:aws:s3:::bucket', at: '09:00' })], { now: at('09:30') })).rejects.toThrow(
				'License change 1: "arn:aws:s3:::bucket" is not a License Manager license ARN',
			);
			expect(await ledger.licenses()).toEqual([]);
		});
	});

	describe('the license ARN sent: matched on the canonical spelling, sent as AWS issued it', () => {
		const SLASH = 'arn:aws:license-manager::123456789012:license/l-0001';
		const REGION = 'arn:aws:license-manager:us-east-1:123456789012:l-0001';
		const record = (licenseArn: string, source: LicenseChange['source'], time: string) =>
			ledger.recordLicenseChanges([{ licenseArn, state: 'active', happenedAt: at(time), source, customerAWSAccountId: ACCOUNT, productCode: 'prod-a' }], { now: at(time) });
		const sentArns = async (now: string) => (await ledger.claim(claimOptions(now), exact)).claimed.map((key) => [key.hour.toISOString().slice(11, 16), key.licenseArn, key.sentLicenseArn, key.quantity]);

		it('sends the ARN Resolve Customer issued, whatever spelling the usage came in, one key per hour', async () => {
			await record(SLASH, 'signUp', '09:00');
			await ledger.recordEvents([usage({ at: '10:05', quantity: '2', licenseArnAsGiven: REGION }), usage({ at: '10:06', quantity: '3' })], { now: at('10:30') });
			expect(await sentArns('11:30')).toEqual([['10:00', LICENSE, SLASH, 5]]);
		});

		it('without an issued ARN, sends the first full spelling the usage of the license came in, in every hour; else the canonical one', async () => {
			await ledger.recordEvents([usage({ at: '10:05' }), usage({ at: '10:06', licenseArnAsGiven: REGION }), usage({ at: '10:07', licenseArnAsGiven: SLASH })], { now: at('10:30') });
			await ledger.recordEvents([usage({ at: '11:05' }), usage({ at: '11:06', customer: { CustomerAWSAccountId: '444455556666' }, licenseArn: OTHER_LICENSE })], { now: at('11:30') });
			expect(await sentArns('12:30')).toEqual([
				['10:00', LICENSE, REGION, 3],
				['11:00', LICENSE, REGION, 1],
				['11:00', OTHER_LICENSE, OTHER_LICENSE, 1],
			]);
		});

		it('keeps Resolve Customer’s ARN: a later spelling by hand or from an event does not replace it; by hand only sets one while none is known', async () => {
			await record(REGION, 'manual', '08:00');
			expect((await ledger.licenses())[0].issuedLicenseArn).toBe(REGION);
			await record(SLASH, 'signUp', '09:00');
			await record(LICENSE, 'manual', '09:10');
			await record('aws:license-manager:us-east-1:123456789012:l-0001', 'lifecycleEvent', '09:20');
			expect((await ledger.licenses())[0].issuedLicenseArn).toBe(SLASH);
			await record(LICENSE, 'lifecycleEvent', '09:30');
			expect((await ledger.licenses())[0]).toMatchObject({ licenseArn: LICENSE, issuedLicenseArn: SLASH });
		});

		it('freezes the spelling with the quantity: a resend is identical even when the issued ARN became known meanwhile', async () => {
			await ledger.recordEvents([usage({ at: '10:05' })], { now: at('10:30') });
			const [key] = (await ledger.claim(claimOptions('11:15'), exact)).claimed;
			expect(key.sentLicenseArn).toBe(LICENSE);
			await ledger.settle('run-1', [{ keyId: key.keyId, outcome: 'retry', error: 'Throttled' }], { now: at('11:16') });
			await record(SLASH, 'signUp', '11:20');
			expect(await sentArns('11:30')).toEqual([['10:00', LICENSE, LICENSE, 1]]);
		});
	});

	describe('zero usage for idle hours', () => {
		const zero = { zeroUsage: [{ productCode: 'prod-a', dimensions: ['requests'] }] };
		const licensed = (licenseArn: string, customer: string, from: string, until?: string) =>
			ledger.recordLicenseChanges(
				[
					{ licenseArn, state: 'active', happenedAt: at(from), source: 'signUp', customerAWSAccountId: customer, productCode: 'prod-a' },
					...(until ? [{ licenseArn, state: 'ended' as const, happenedAt: at(until), source: 'lifecycleEvent' as const }] : []),
				],
				{ now: at(from) },
			);
		const sent = (keys: { licenseArn?: string; hour: Date; quantity: number }[], licenseArn: string) =>
			keys.filter((key) => key.licenseArn === licenseArn).map((key) => [key.hour.toISOString().slice(5, 16), key.quantity]);

		it('claims a key of quantity 0 for each idle closed hour of a license, from the hour it started until it stopped, within AWS\'s window, once', async () => {
			await licensed(LICENSE, ACCOUNT, '09:20', '13:40');
			await licensed(OTHER_LICENSE, '444455556666', '2026-03-09T10:00:00Z');
			await ledger.recordEvents([usage({ at: '10:05', quantity: '3' }), usage({ at: '11:05', dimension: 'storage', quantity: '2' })], { now: at('11:30') });
			const { claimed } = await ledger.claim(claimOptions('16:30', zero), exact);
			expect(sent(claimed, LICENSE)).toEqual([
				['03-10T09:00', 0],
				['03-10T10:00', 3],
				['03-10T11:00', 2],
				['03-10T11:00', 0],
				['03-10T12:00', 0],
				['03-10T13:00', 0],
			]);
			// The oldest hour AWS still takes at 16:30 is yesterday's 17:00; 15:00 is the last closed one.
			const other = sent(claimed, OTHER_LICENSE);
			expect(other).toHaveLength(23);
			expect([other[0], other[22]]).toEqual([['03-09T17:00', 0], ['03-10T15:00', 0]]);
			// A second run, while the first holds its keys, finds nothing more; once settled, the next hour, once closed, gets its own.
			expect((await ledger.claim(claimOptions('2026-03-10T16:30:30Z', { ...zero, claimant: 'run-2' }), exact)).claimed).toEqual([]);
			await ledger.settle('run-1', claimed.map((key) => ({ keyId: key.keyId, outcome: 'billed', meteringRecordId: null })), { now: at('16:31') });
			const next = await ledger.claim(claimOptions('17:30', { ...zero, claimant: 'run-3' }), exact);
			expect(next.claimed.map((key) => [key.licenseArn, key.hour.toISOString().slice(5, 16), key.quantity])).toEqual([[OTHER_LICENSE, '03-10T16:00', 0]]);
		});

		it('sends no zero usage without the option, for other products, or after a final report', async () => {
			await licensed(LICENSE, ACCOUNT, '09:20');
			await licensed(OTHER_LICENSE, '444455556666', '09:20');
			expect((await ledger.claim(claimOptions('11:30'), exact)).claimed).toEqual([]);
			expect((await ledger.claim(claimOptions('11:30', { zeroUsage: [{ productCode: 'prod-b', dimensions: ['requests'] }] }), exact)).claimed).toEqual([]);
			const final = await ledger.claim(claimOptions('11:30', { final: { licenseArns: ['aws:license-manager:us-east-1:123456789012:l-0001'] } }), exact);
			expect(final.claimed).toEqual([]);
			const { claimed } = await ledger.claim(claimOptions('13:30', { ...zero, claimant: 'run-2' }), exact);
			expect(claimed.map((key) => [key.licenseArn, key.hour.toISOString().slice(11, 16)])).toEqual([
				[OTHER_LICENSE, '09:00'],
				[OTHER_LICENSE, '10:00'],
				[OTHER_LICENSE, '11:00'],
				[OTHER_LICENSE, '12:00'],
			]);
		});

		it('gives overlapping runs each zero key once', async () => {
			await Promise.all(Array.from({ length: 20 }, (_, n) => licensed(`arn:aws:license-manager::123456789012:license:l-1${n}`, String(100000000000 + n), '02:00')));
			const claims = await Promise.all(['run-a', 'run-b', 'run-c'].map((claimant) => ledger.claim(claimOptions('12:30', { ...zero, claimant }), exact)));
			const keys = claims.flatMap((claim) => claim.claimed.map((key) => `${key.licenseArn} ${key.hour.toISOString()}`));
			// 02:00 to 11:00: ten closed hours each.
			expect(keys).toHaveLength(20 * 10);
			expect(new Set(keys).size).toBe(keys.length);
		});
	});

	describe('report', () => {
		it('filters by customer, license, product, dimension, hours and state', async () => {
			await ledger.recordEvents(
				[
					usage({ at: '09:10' }),
					usage({ at: '10:10', dimension: 'storage' }),
					usage({ at: '11:10', licenseArn: OTHER_LICENSE, customer: { CustomerAWSAccountId: '999988887777' } }),
					usage({ at: '11:10', licenseArn: undefined, productCode: 'prod-b', customer: { CustomerIdentifier: 'legacy-1' } }),
				],
				{ now: at('11:30') },
			);
			const keys = async (query: Parameters<MeteringLedger['report']>[0]) => (await ledger.report(query)).map((row) => row.keyId);
			expect(await keys({})).toEqual([1, 2, 3, 4]);
			expect(await keys({ customerAWSAccountId: '999988887777' })).toEqual([3]);
			expect(await keys({ customerIdentifier: 'legacy-1' })).toEqual([4]);
			expect(await keys({ customerAWSAccountId: 'legacy-1' })).toEqual([]);
			expect(await keys({ licenseArn: LICENSE })).toEqual([1, 2]);
			expect(await keys({ productCode: 'prod-b' })).toEqual([4]);
			expect(await keys({ dimension: 'storage' })).toEqual([2]);
			expect(await keys({ from: at('10:00'), to: at('11:00') })).toEqual([2]);
			expect(await keys({ states: ['ready'], now: at('11:30'), closeAfterMinutes: 10 })).toEqual([1, 2]);
			expect(await keys({ states: ['open'] })).toEqual([1, 2, 3, 4]);
			expect(await keys({ limit: 2 })).toEqual([1, 2]);
			const [row] = await ledger.report({ limit: 1 });
			expect(row).toEqual({
				keyId: 1,
				productCode: 'prod-a',
				licenseArn: LICENSE,
				customer: { CustomerAWSAccountId: ACCOUNT },
				dimension: 'requests',
				hour: at('09:00'),
				deadline: at('2026-03-11T09:00:00Z'),
				events: 1,
				quantity: '1',
				state: 'open',
				attempts: 0,
				carriedFrom: [],
				carriedTo: [],
			});
		});
	});

	it('remembers delivery IDs for keepDays', async () => {
		expect(await ledger.rememberDelivery('req-1', { now: at('10:00') })).toBe(true);
		expect(await ledger.rememberDelivery('req-1', { now: at('11:00') })).toBe(false);
		expect(await ledger.rememberDelivery('req-2', { now: at('2026-03-12T10:00:00Z'), keepDays: 1 })).toBe(true);
		expect(await ledger.rememberDelivery('req-1', { now: at('2026-03-12T10:00:00Z'), keepDays: 1 })).toBe(true);
	});

	describe('schema', () => {
		it('migrates once: opening again leaves one version; a newer schema is refused', async () => {
			const again = await store().open();
			await again.close();
			expect(await raw.query('SELECT version FROM aws_marketplace_metering.schema_version ORDER BY version')).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);
			await raw.query('INSERT INTO aws_marketplace_metering.schema_version (version) VALUES (99)');
			try {
				await expect(store().open()).rejects.toThrow('schema is at version 99, written by a newer version of this package');
			} finally {
				await raw.query('DELETE FROM aws_marketplace_metering.schema_version WHERE version = 99');
			}
		});
	});

	describe('concurrency', () => {
		it('never hands the same key to two claimers', async () => {
			const events = Array.from({ length: 40 }, (_, i) => usage({ at: `${String(i % 8).padStart(2, '0')}:10`, dimension: `d${i % 5}` }));
			await ledger.recordEvents(events, { now: at('09:00') });
			const other = await store().open();
			try {
				const drain = async (claimer: MeteringLedger, claimant: string) => {
					const keys: number[] = [];
					for (;;) {
						const { claimed } = await claimer.claim(claimOptions('12:00', { claimant, limit: 3 }), exact);
						if (claimed.length === 0) return keys;
						keys.push(...claimed.map((key) => key.keyId));
					}
				};
				const [a, b] = await Promise.all([drain(ledger, 'a'), drain(other, 'b')]);
				expect([...a, ...b].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
				expect(a.length).toBeGreaterThan(0);
				expect(b.length).toBeGreaterThan(0);
			} finally {
				await other.close();
			}
		});

		it('counts each event ID once and never adds to a frozen key while writers and a claimer race', async () => {
			const other = await store().open();
			try {
				const batch = (round: number) =>
					Array.from({ length: 200 }, (_, i) => usage({ eventId: `e-${round}-${i}`, at: `${String(8 + (i % 3)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`, dimension: `d${i % 4}` }));
				const write = async (writer: MeteringLedger) => {
					for (let round = 0; round < 10; round++) await writer.recordEvents(batch(round), { now: at('11:20') });
				};
				const claimer = async () => {
					for (let round = 0; round < 10; round++) await other.claim(claimOptions('11:20', { claimant: `c${round}` }), exact);
				};
				await Promise.all([write(ledger), write(other), claimer()]);
				const [{ events }] = await raw.query<{ events: number }>('SELECT count(*)::int AS events FROM aws_marketplace_metering.usage_event');
				expect(events).toBe(2000);
				const rows = await reportOf('11:20');
				expect(rows.reduce((sum, row) => sum + row.events, 0)).toBe(2000);
				for (const row of rows.filter((r) => r.sentQuantity !== undefined)) expect(row.quantity).toBe(String(row.sentQuantity));
			} finally {
				await other.close();
			}
		});
	});

	it('records 100,000 events in one call within seconds', async () => {
		const now = at('12:30');
		const events = Array.from({ length: 100_000 }, (_, i) =>
			usage({
				eventId: `bulk-${i}`,
				at: `${String(8 + (Math.floor(i / 6000) % 5)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`,
				licenseArn: `arn:aws:license-manager::123456789012:license:l-${i % 2000}`,
				customer: { CustomerAWSAccountId: String(100000000000 + (i % 2000)) },
				dimension: `d${Math.floor(i / 2000) % 3}`,
				quantity: String(i % 7),
			}),
		);
		// How fast is npm run bench's to say, not a test's.
		const answers = await ledger.recordEvents(events, { now });
		const { claimed } = await ledger.claim(claimOptions('12:30'), exact);
		expect(answers.every((answer) => answer.result === 'recorded')).toBe(true);
		expect(new Set(answers.map((answer) => answer.keyId)).size).toBe(2000 * 3 * 5);
		// 08:00 to 11:00 have closed; 12:00 is in progress.
		expect(claimed).toHaveLength(2000 * 3 * 4);
	}, 180_000);
}
