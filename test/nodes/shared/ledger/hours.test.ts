import { deadlineOf, firstLiveHour, hourOf, monthEndOf } from '../../../../nodes/shared/ledger/hours';
import { atTime } from '../../../helpers/clock';
import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';
import { useLedgerFolder } from '../../../helpers/ledger';
import { usePostgres } from '../../../helpers/postgres';
import { runNode } from '../../../helpers/workflow';

const ms = (iso: string) => Date.parse(iso);

describe('usage hours', () => {
	it('starts at the UTC hour', () => {
		expect(hourOf(new Date('2026-03-10T10:59:59.999Z'))).toBe(ms('2026-03-10T10:00:00Z'));
		expect(hourOf(new Date('2026-03-10T10:00:00Z'))).toBe(ms('2026-03-10T10:00:00Z'));
	});

	it('has its deadline 24 hours after it starts', () => {
		expect(deadlineOf(ms('2026-03-10T10:00:00Z'))).toBe(ms('2026-03-11T10:00:00Z'));
		expect(deadlineOf(ms('2026-03-31T05:00:00Z'))).toBe(ms('2026-04-01T05:00:00Z'));
	});

	it("ends last month's hours at 06:00 UTC on the 1st, across years and leap days", () => {
		expect(deadlineOf(ms('2026-03-31T06:00:00Z'))).toBe(ms('2026-04-01T06:00:00Z'));
		expect(deadlineOf(ms('2026-03-31T23:00:00Z'))).toBe(ms('2026-04-01T06:00:00Z'));
		expect(deadlineOf(ms('2026-12-31T20:00:00Z'))).toBe(ms('2027-01-01T06:00:00Z'));
		expect(deadlineOf(ms('2028-02-29T12:00:00Z'))).toBe(ms('2028-03-01T06:00:00Z'));
	});

	it('takes a stricter maximum age, never past the month’s grace', () => {
		expect(deadlineOf(ms('2026-03-10T10:00:00Z'), 6)).toBe(ms('2026-03-10T16:00:00Z'));
		expect(deadlineOf(ms('2026-03-31T23:00:00Z'), 6)).toBe(ms('2026-04-01T05:00:00Z'));
		expect(deadlineOf(ms('2026-03-31T23:00:00Z'), 24)).toBe(ms('2026-04-01T06:00:00Z'));
		expect(monthEndOf(ms('2026-12-31T23:59:59Z'))).toBe(ms('2027-01-01T00:00:00Z'));
	});

	it('finds the end of each month asked in turn, at its first and last millisecond', () => {
		for (const [time, end] of [
			['2026-03-31T23:59:59.999Z', '2026-04-01T00:00:00Z'],
			['2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00Z'],
			['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00Z'],
			['2026-02-28T23:59:59.999Z', '2026-03-01T00:00:00Z'],
			['2026-03-15T12:00:00.000Z', '2026-04-01T00:00:00Z'],
		]) {
			expect({ time, end: new Date(monthEndOf(ms(time))).toISOString() }).toEqual({ time, end: new Date(ms(end)).toISOString() });
		}
	});

	it('finds the oldest hour still accepted', () => {
		expect(firstLiveHour(ms('2026-03-10T10:00:00Z'))).toBe(ms('2026-03-09T11:00:00Z'));
		expect(firstLiveHour(ms('2026-03-10T10:30:00Z'))).toBe(ms('2026-03-09T11:00:00Z'));
		expect(firstLiveHour(ms('2026-04-01T05:59:59Z'))).toBe(ms('2026-03-31T06:00:00Z'));
		expect(firstLiveHour(ms('2026-04-01T06:00:00Z'))).toBe(ms('2026-04-01T00:00:00Z'));
		expect(firstLiveHour(ms('2026-04-02T03:00:00Z'))).toBe(ms('2026-04-01T04:00:00Z'));
	});
});

// The same rule on every path: the hour that is 23:59 old is billed, the one 24:00 old Expired; last
// month's hour billed at 05:59 UTC on the 1st and Expired at 06:00. Each case its own dimension, as
// a ledger that has seen an event answers DuplicateEvent for it whatever the time.
const EDGES = [
	{ dimension: 'd1', timestamp: '2026-12-01T11:00:00Z', now: '2026-12-02T10:59:00Z', expired: false },
	{ dimension: 'd2', timestamp: '2026-12-01T11:00:00Z', now: '2026-12-02T11:00:00Z', expired: '2026-12-02T11:00:00.000Z' },
	{ dimension: 'd3', timestamp: '2026-11-30T23:30:00Z', now: '2026-12-01T05:59:00Z', expired: false },
	{ dimension: 'd4', timestamp: '2026-11-30T23:30:00Z', now: '2026-12-01T06:00:00Z', expired: '2026-12-01T06:00:00.000Z' },
] as const;
const LICENSE = 'arn:aws:license-manager::123456789012:license:l-edges';
const usage = (dimension: string, timestamp: string) => ({ productCode: 'prod-edges', customerAWSAccountId: '123456789012', licenseArn: LICENSE, dimension, quantity: 3, timestamp });

describe('AWS’s deadline at its edges, through n8n', () => {
	const emulator = useEmulator();
	useLedgerFolder();
	const postgres = usePostgres();
	beforeEach(() => emulator().reset());

	const ledgerCredential = () => {
		const url = new URL(postgres());
		return { host: url.hostname, port: Number(url.port), database: url.pathname.slice(1), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password), ssl: 'disable' };
	};
	const run = (now: string, parameters: Record<string, unknown>, item: Record<string, unknown>) =>
		atTime(now, () =>
			runNode({
				parameters: { closeAfterMinutes: 0, ...parameters },
				credentials: emulatorCredential(emulator()),
				otherCredentials: { awsMarketplaceMeteringLedgerApi: ledgerCredential() },
				items: [item],
				onError: 'continueErrorOutput',
			}),
		);

	it.each(EDGES)('Batch Meter Usage without a ledger: $timestamp at $now', async ({ dimension, timestamp, now, expired }) => {
		const { outputs } = await run(now, { operation: 'batchMeterUsage' }, usage(dimension, timestamp));
		if (!expired) {
			expect(outputs[0].map((item) => item.json.status)).toEqual(['Success']);
			return expect(emulator().stats().meteredQuantity()).toBe(3);
		}
		expect(outputs[1].map((item) => [(item.json.details as { status: string }).status, item.json.error])).toEqual([
			['Expired', expect.stringContaining(`is past its deadline, ${expired}`)],
		]);
		expect(emulator().log).toEqual([]);
	});

	describe.each(['embedded', 'postgres'])('with the %s ledger', (ledger) => {
		it.each(EDGES)('Record Usage: $timestamp at $now', async ({ dimension, timestamp, now, expired }) => {
			const { outputs } = await run(now, { operation: 'recordUsage', ledger }, usage(dimension, timestamp));
			if (!expired) return expect(outputs[0].map((item) => item.json.status)).toEqual(['Recorded']);
			expect(outputs[1].map((item) => item.json)).toEqual([
				expect.objectContaining({
					error: expect.stringMatching(new RegExp(`^Not billed: usage of .* is past its deadline, ${expired.replace(/\./g, '\\.')} \\(`)),
					details: expect.objectContaining({ status: 'Expired', deadline: expired, errorCode: 'Expired' }),
				}),
			]);
			// Nothing of it is kept: no later run bills it.
			const report = await atTime(now, () => runNode({ parameters: { operation: 'getMeteringReport', ledger, filters: { dimension } }, credentials: emulatorCredential(emulator()), otherCredentials: { awsMarketplaceMeteringLedgerApi: ledgerCredential() }, items: [{}] }));
			expect(report.outputs[0]).toEqual([]);
		});

		it.each(EDGES.filter((edge) => edge.expired))('"Bill Late Usage in a Later Hour" bills $timestamp at $now in the hour in progress, and says so', async ({ dimension, timestamp, now }) => {
			const { outputs } = await run(now, { operation: 'recordUsage', ledger, options: { billLateUsageLater: true } }, usage(`${dimension}-late`, timestamp));
			expect(outputs[0].map((item) => item.json)).toEqual([
				expect.objectContaining({
					status: 'Recorded',
					hour: new Date(hourOf(new Date(now))).toISOString(),
					carriedFrom: new Date(hourOf(new Date(timestamp))).toISOString(),
					billedLate: true,
					note: expect.stringMatching(/Billed late, as "Bill Late Usage in a Later Hour" allows: it arrived past AWS’s deadline for its own hour/),
				}),
			]);
		});

		it.each(EDGES.filter((edge) => !edge.expired))('Batch Meter Usage from input items bills $timestamp at $now', async ({ dimension, timestamp, now }) => {
			const { outputs } = await run(now, { operation: 'batchMeterUsage', ledger, source: 'inputItems' }, usage(`${dimension}-sent`, timestamp));
			const hour = new Date(hourOf(new Date(timestamp))).toISOString();
			// The first item is the input's; others are hours the Record Usage cases left in the ledger.
			expect([outputs[0][0].json.status, outputs[0][0].json.hour]).toEqual(['Success', hour]);
			expect(emulator().stats().billed[`${LICENSE}|123456789012|${dimension}-sent|${hour}`]).toEqual(expect.objectContaining({ quantity: 3 }));
		});
	});
});
