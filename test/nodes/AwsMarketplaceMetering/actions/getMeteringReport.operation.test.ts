import { awayFromHourBoundary } from '../../../helpers/clock';
import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';
import { useLedgerFolder } from '../../../helpers/ledger';
import { runNode } from '../../../helpers/workflow';

const HOUR = 3600_000;
const hourStart = (hoursAgo: number) => Math.floor(Date.now() / HOUR) * HOUR - hoursAgo * HOUR;
const customer = { customerAWSAccountId: '100000000000', productCode: 'prod-new', licenseArn: `arn:aws:license-manager::123456789012:license:l-${'0'.repeat(32)}` };

describe('Get Metering Report', () => {
	awayFromHourBoundary();
	const emulator = useEmulator({ products: [{ productCode: 'prod-new', dimensions: ['requests'] }], customers: [customer] });
	useLedgerFolder();

	const run = (typeVersion: number, parameters: Record<string, unknown>, items: Record<string, unknown>[] = [{}]) =>
		runNode({ parameters: { resource: 'ledger', ledger: 'embedded', ...parameters }, credentials: emulatorCredential(emulator()), items, typeVersion });
	const hours = (outputs: Awaited<ReturnType<typeof run>>['outputs']) => outputs[0].map((item) => item.json.hour);

	beforeAll(async () => {
		// Usage in each of the last 20 hours: one report row each.
		const items = Array.from({ length: 20 }, (_, n) => ({ ...customer, dimension: 'requests', quantity: 1, timestamp: new Date(hourStart(n)).toISOString() }));
		const { outputs } = await run(3, { operation: 'recordUsage' }, items);
		expect(outputs[0]).toHaveLength(20);
	});

	it('from version 3 on, returns up to the Limit in sight, or every row with Return All', async () => {
		expect(hours((await run(3, { operation: 'getMeteringReport', limit: 7 })).outputs)).toHaveLength(7);
		expect(hours((await run(3, { operation: 'getMeteringReport' })).outputs)).toHaveLength(20);
		const all = await run(3, { operation: 'getMeteringReport', returnAll: true, limit: 3 });
		expect(hours(all.outputs)).toEqual(Array.from({ length: 20 }, (_, n) => new Date(hourStart(19 - n)).toISOString()));
	});

	it('keeps the Limit among the Filters of saved version 1 and 2 nodes', async () => {
		for (const typeVersion of [1, 2]) {
			expect(hours((await run(typeVersion, { operation: 'getMeteringReport', filters: { limit: 5 } })).outputs)).toHaveLength(5);
			// A top-level limit is no parameter of these versions.
			expect(hours((await run(typeVersion, { operation: 'getMeteringReport', limit: 2 })).outputs)).toHaveLength(20);
		}
	});
});

describe('Get Metering Report after sending', () => {
	awayFromHourBoundary();
	const emulator = useEmulator({ products: [{ productCode: 'prod-new', dimensions: ['requests'] }], customers: [customer] });
	useLedgerFolder();

	const event = (hoursAgo: number, quantity: number) => ({ ...customer, dimension: 'requests', quantity, timestamp: new Date(hourStart(hoursAgo) + 5 * 60_000).toISOString() });
	const run = (operation: string, items: Record<string, unknown>[], parameters: Record<string, unknown> = {}) =>
		runNode({ parameters: { operation, ledger: 'embedded', closeAfterMinutes: 0, ...parameters }, credentials: emulatorCredential(emulator()), items, onError: 'continueErrorOutput' });

	it('reports per customer, dimension and hour what was sent, AWS’s record and where late usage went', async () => {
		// Two hours ago: 5 units sent; then 3 late units of that hour, carried into the hour after it.
		await run('recordUsage', [event(2, 5)]);
		await run('batchMeterUsage', [{}], { source: 'ledger' });
		await run('batchMeterUsage', [event(2, 3)]);
		const { outputs } = await run('getMeteringReport', [{}], { filters: { licenseArn: customer.licenseArn } });
		expect(outputs[0].map((item) => [item.json.hour, item.json.state, item.json.quantity, item.json.carriedTo, item.json.carriedFrom])).toEqual([
			[new Date(hourStart(2)).toISOString(), 'billed', '5', [new Date(hourStart(1)).toISOString()], []],
			[new Date(hourStart(1)).toISOString(), 'billed', '3', [], [new Date(hourStart(2)).toISOString()]],
		]);
		expect(outputs[0][0].json.meteringRecordId).toEqual(expect.any(String));
	});
});
