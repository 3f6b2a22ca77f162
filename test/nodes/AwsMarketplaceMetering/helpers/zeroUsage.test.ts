import { atTime } from '../../../helpers/clock';
import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';
import { useLedgerFolder } from '../../../helpers/ledger';
import { usePostgres } from '../../../helpers/postgres';
import { runNode } from '../../../helpers/workflow';

// Send Zero Usage for Idle Hours across a simulated day, through n8n's engine against the emulator: Batch
// Meter Usage from the ledger every hour at minute 15 (twice at once at 13:15, once more at 12:45), a
// license active since the evening before and one that starts at 09:20 and ends at 15:40. Every hour of
// each license's life that AWS still accepts is billed exactly once: its usage, or 0.

const DAY = '2026-03-10';
const HOUR = 3600_000;
const A = 'arn:aws:license-manager::123456789012:license:l-0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a';
const B = 'arn:aws:license-manager::123456789012:license:l-0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b';
const CUSTOMERS: Record<string, string> = { [A]: '111122223333', [B]: '444455556666' };
const at = (time: string) => (time.includes('T') ? time : `${DAY}T${time}:00.000Z`);
const hours = (from: string, count: number) => Array.from({ length: count }, (_, n) => new Date(Date.parse(at(from)) + n * HOUR).toISOString());

describe('Batch Meter Usage: Send Zero Usage for Idle Hours over a day', () => {
	const emulator = useEmulator({
		products: [{ productCode: 'prod-zero', dimensions: ['users', 'api_calls'] }],
		customers: [A, B].map((licenseArn) => ({ customerAWSAccountId: CUSTOMERS[licenseArn], productCode: 'prod-zero', licenseArn })),
	});
	useLedgerFolder();
	const postgres = usePostgres();
	beforeEach(() => emulator().reset());

	it('refuses a product or dimension AWS would refuse, naming the entry and the rule, before recording or sending anything', async () => {
		const run = (zeroUsage: { products: Array<{ productCode: string; dimensions: string }> }) =>
			runNode({
				parameters: { resource: 'usage', operation: 'batchMeterUsage', ledger: 'embedded', options: { zeroUsage } },
				credentials: emulatorCredential(emulator()),
				items: [{ productCode: 'prod-zero', customerAWSAccountId: CUSTOMERS[A], licenseArn: A, dimension: 'users', quantity: 1, timestamp: new Date().toISOString() }],
				typeVersion: 3,
			});
		expect((await run({ products: [{ productCode: 'prod zero', dimensions: 'users' }] })).error?.message).toMatch(/^Send Zero Usage for Idle Hours, product 1: Product Code "prod zero" /);
		expect((await run({ products: [{ productCode: 'prod-zero', dimensions: 'users' }, { productCode: 'prod-zero', dimensions: ' , ' }] })).error?.message).toBe(
			'Send Zero Usage for Idle Hours, product 2: Dimensions is empty: name at least one dimension of the product to report 0 for',
		);
		expect(emulator().log).toEqual([]);
	});

	describe.each(['embedded', 'postgres'])('with the %s ledger', (ledger) => {
		const ledgerCredential = () => {
			const url = new URL(postgres());
			return { host: url.hostname, port: Number(url.port), database: url.pathname.slice(1), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password), ssl: 'disable' };
		};
		const run = (time: string, parameters: Record<string, unknown>, items: Record<string, unknown>[] = [{}]) =>
			atTime(at(time), () =>
				runNode({
					parameters: { ledger, closeAfterMinutes: 10, ...parameters },
					credentials: emulatorCredential(emulator()),
					otherCredentials: { awsMarketplaceMeteringLedgerApi: ledgerCredential() },
					items,
					onError: 'continueErrorOutput',
					typeVersion: 3,
				}),
			);
		const license = (time: string, licenseArn: string, customerAWSAccountId: string, state: string, happenedAt: string) =>
			run(time, {
				resource: 'license',
				operation: 'recordLicense',
				licenseArn,
				state,
				customerAWSAccountId,
				productCode: 'prod-zero',
				options: { happenedAt: at(happenedAt) },
			});
		const usage = (time: string, licenseArn: string, quantity: number, timestamp: string) =>
			run(time, { resource: 'ledger', operation: 'recordUsage' }, [{ productCode: 'prod-zero', customerAWSAccountId: CUSTOMERS[licenseArn], licenseArn, dimension: 'users', quantity, timestamp: at(timestamp) }]);
		const meter = (time: string) =>
			run(time, { resource: 'usage', operation: 'batchMeterUsage', source: 'ledger', options: { zeroUsage: { products: [{ productCode: 'prod-zero', dimensions: 'users' }] } } });

		it('bills each hour of each license once, its usage or 0, from its start until it ended, also across overlapping runs', async () => {
			// B was active before the day began; A starts mid-morning (told in the EventBridge spelling) and ends mid-afternoon.
			await license('00:05', B, CUSTOMERS[B], 'active', '2026-03-09T20:00:00.000Z');
			const keysOf = (outputs: { json: Record<string, unknown> }[][]) => outputs[0].map((item) => `${String(item.json.licenseArn)} ${String(item.json.hour)}`);
			for (let hour = 1; hour <= 23; hour++) {
				const time = `${String(hour).padStart(2, '0')}:15`;
				if (hour === 13) {
					const [first, second] = await Promise.all([meter(time), meter(time)]);
					const both = [...keysOf(first.outputs), ...keysOf(second.outputs)];
					expect(both).toHaveLength(2);
					expect(new Set(both).size).toBe(2);
				} else {
					const { outputs } = await meter(time);
					expect(outputs[1] ?? []).toEqual([]);
				}
				if (hour === 9) expect((await license('09:20', 'aws:license-manager:us-east-1:123456789012:l-0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a', CUSTOMERS[A], 'active', '09:20')).outputs[0][0].json.licenseResult).toBe('applied');
				if (hour === 11) await usage('11:30', A, 4, '11:05');
				if (hour === 12) expect((await meter('12:45')).outputs[0]).toEqual([]);
				if (hour === 14) await usage('14:20', B, 2, '14:10');
				if (hour === 15) await license('15:40', A, CUSTOMERS[A], 'ended', '15:40');
			}

			const billed = Object.fromEntries(
				Object.entries(emulator().stats().billed as Record<string, { quantity: number }>).map(([key, entry]) => [key, entry.quantity]),
			);
			const expected: Record<string, number> = {};
			for (const hour of hours('09:00', 7)) expected[`${A}|${CUSTOMERS[A]}|users|${hour}`] = hour === at('11:00') ? 4 : 0;
			// From the evening before (AWS still accepted those hours at the first run) to the last hour closed at 23:15.
			for (const hour of hours('2026-03-09T20:00:00.000Z', 27)) expected[`${B}|${CUSTOMERS[B]}|users|${hour}`] = hour === at('14:00') ? 2 : 0;
			expect(billed).toEqual(expected);
			// Exactly once: each record was sent in one request, never again, never with another quantity.
			const sent = emulator()
				.log.filter((entry) => entry.operation === 'BatchMeterUsage')
				.flatMap((entry) => (entry.body as { UsageRecords: { LicenseArn: string; Timestamp: number | string }[] }).UsageRecords)
				.map((record) => `${record.LicenseArn} ${new Date(typeof record.Timestamp === 'number' ? record.Timestamp * 1000 : record.Timestamp).toISOString()}`);
			expect(sent).toHaveLength(Object.keys(expected).length);
			expect(new Set(sent).size).toBe(sent.length);
		}, 900_000);
	});
});
