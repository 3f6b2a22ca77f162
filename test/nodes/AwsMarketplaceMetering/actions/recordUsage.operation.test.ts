import { awayFromHourBoundary } from '../../../helpers/clock';
import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';
import { useLedgerFolder } from '../../../helpers/ledger';
import { NODE_NAME, runNode, type OnError } from '../../../helpers/workflow';

const HOUR = 3600_000;
const hourStart = (hoursAgo: number) => Math.floor(Date.now() / HOUR) * HOUR - hoursAgo * HOUR;
const license = (n: number) => `arn:aws:license-manager::123456789012:license:l-${String(n).padStart(32, '0')}`;
const customers = Array.from({ length: 3 }, (_, n) => ({ customerAWSAccountId: String(100000000000 + n), productCode: 'prod-new', licenseArn: license(n) }));
const event = (n: number, hoursAgo: number, quantity: number, eventId?: string) => ({
	...customers[n],
	dimension: 'requests',
	quantity,
	timestamp: new Date(hourStart(hoursAgo) + 5 * 60_000).toISOString(),
	...(eventId ? { eventId } : {}),
});

describe('Record Usage and Batch Meter Usage with the embedded ledger', () => {
	// The tests build on each other's ledger, hours counted from now: the suite takes seconds, not a minute.
	awayFromHourBoundary();
	const emulator = useEmulator({ products: [{ productCode: 'prod-new', dimensions: ['requests'] }], customers });
	useLedgerFolder();
	beforeEach(() => emulator().reset());

	const run = (operation: string, items: Record<string, unknown>[], parameters: Record<string, unknown> = {}, onError: OnError = 'continueErrorOutput') =>
		runNode({ parameters: { operation, ledger: 'embedded', closeAfterMinutes: 0, ...parameters }, credentials: emulatorCredential(emulator()), items, onError });
	const billed = () => emulator().stats().meteredQuantity();

	it('records usage without calling AWS, counts an event ID once and names the field of a bad event', async () => {
		const { outputs } = await run('recordUsage', [event(0, 2, 5, 'e-1'), event(0, 2, 5, 'e-1'), { ...event(0, 2, 5), quantity: -1 }, event(1, 0, 7)]);
		const [recorded, failed] = outputs;
		expect(recorded.map((item) => [item.pairedItem, item.json.status, item.json.hour])).toEqual([
			[{ item: 0 }, 'Recorded', new Date(hourStart(2)).toISOString()],
			[{ item: 1 }, 'DuplicateEvent', new Date(hourStart(2)).toISOString()],
			[{ item: 3 }, 'Recorded', new Date(hourStart(0)).toISOString()],
		]);
		expect(failed.map((item) => item.json.error)).toEqual([expect.stringMatching(/^Quantity -1 is negative.* \[item 2\]$/)]);
		expect(emulator().log).toEqual([]);
	});

	it('fails only its own item for a quantity of thousands of fractional digits, not the whole ledger transaction', async () => {
		const { outputs } = await run('recordUsage', [{ ...event(2, 0, 1), quantity: `1.${'5'.repeat(20_000)}` }, event(2, 0, 2)], { options: { nonIntegerQuantity: 'roundUp' } });
		expect(outputs[0].map((item) => [item.pairedItem, item.json.status])).toEqual([[{ item: 1 }, 'Recorded']]);
		expect(outputs[1].map((item) => item.json.error)).toEqual([expect.stringMatching(/^Quantity has 20000 digits after the decimal point, more than the 100 kept exactly.* \[item 0\]$/)]);
	});

	it('sends each closed hour once, complete, and keeps the hour in progress for a later run', async () => {
		const metered = await run('batchMeterUsage', [{}], { source: 'ledger' });
		// The hour recorded above, two hours ago: 5 units once, the duplicate event not counted.
		expect(metered.outputs[0].map((item) => [item.json.status, item.json.hour, (item.json.usageRecord as { Quantity: number }).Quantity])).toEqual([
			['Success', new Date(hourStart(2)).toISOString(), 5],
		]);
		expect(billed()).toBe(5);
		const again = await run('batchMeterUsage', [{}], { source: 'ledger' });
		expect(again.outputs[0]).toEqual([]);
		expect(emulator().log).toHaveLength(1);
	});

	it('carries late usage of an hour already sent into the next unsent hour of the same key, and says so', async () => {
		const { outputs } = await run('batchMeterUsage', [event(0, 2, 3), event(2, 1, 4)]);
		const [late, fresh] = outputs[0];
		expect(late.json).toMatchObject({ status: 'Success', hour: new Date(hourStart(1)).toISOString(), carriedFrom: new Date(hourStart(2)).toISOString() });
		expect(fresh.json).toMatchObject({ status: 'Success', hour: new Date(hourStart(1)).toISOString() });
		expect(emulator().stats().billed).toEqual(
			expect.objectContaining({ [`${license(0)}|${customers[0].customerAWSAccountId}|requests|${new Date(hourStart(1)).toISOString()}`]: expect.objectContaining({ quantity: 3 }) }),
		);
		expect(emulator().log.flatMap((entry) => (entry.body as { UsageRecords: unknown[] }).UsageRecords)).toHaveLength(2);
	});

	it('refuses the embedded ledger in queue mode, saying why', async () => {
		process.env.EXECUTIONS_MODE = 'queue';
		try {
			const { error } = await run('recordUsage', [event(0, 0, 1)], {}, 'stopWorkflow');
			expect(error?.message).toMatch(/embedded metering ledger cannot be used in queue mode .*each worker would keep its own ledger/);
		} finally {
			delete process.env.EXECUTIONS_MODE;
		}
	});
});

describe('Record Usage of an input larger than one transaction of the ledger', () => {
	awayFromHourBoundary();
	const emulator = useEmulator({ products: [{ productCode: 'prod-new', dimensions: ['requests'] }], customers });
	useLedgerFolder();

	// 12,001 items, recorded 5,000 events at a time: identical usage without an event ID throughout (each one an
	// event of its own), an event ID repeated in a later part, an invalid item in the last part.
	const items = Array.from({ length: 12_001 }, (_, index) =>
		index === 3 || index === 9_000 ? event(1, 2, 1, 'big-1') : index === 11_000 ? { ...event(0, 2, 1), quantity: -1 } : event(0, 2, 1),
	);
	const run = (operation: string, input: Record<string, unknown>[], parameters: Record<string, unknown> = {}) =>
		runNode({ parameters: { operation, ledger: 'embedded', closeAfterMinutes: 0, ...parameters }, credentials: emulatorCredential(emulator()), items: input, onError: 'continueErrorOutput' });

	it('answers every item once, in order, counts identical events of different parts apart and a repeated event ID once', async () => {
		const { outputs } = await run('recordUsage', items);
		const [recorded, failed] = outputs;
		expect(recorded.map((item) => (item.pairedItem as { item: number }).item)).toEqual(items.map((_, index) => index).filter((index) => index !== 11_000));
		expect(recorded.filter((item) => item.json.status !== 'Recorded').map((item) => [item.pairedItem, item.json.status])).toEqual([[{ item: 9_000 }, 'DuplicateEvent']]);
		expect(failed.map((item) => item.json.error)).toEqual([expect.stringMatching(/^Quantity -1 is negative.* \[item 11000\]$/)]);

		await run('batchMeterUsage', [{}], { source: 'ledger' });
		expect(emulator().stats().meteredQuantity({ customer: customers[0].customerAWSAccountId })).toBe(11_998);
		expect(emulator().stats().meteredQuantity({ customer: customers[1].customerAWSAccountId })).toBe(1);
	});

	it('recognizes the same input recorded again, part by part (n8n’s Retry): nothing counted twice', async () => {
		const { outputs } = await run('recordUsage', items);
		expect(outputs[0]).toHaveLength(12_000);
		expect(outputs[0].every((item) => item.json.status === 'DuplicateEvent')).toBe(true);
		const metered = await run('batchMeterUsage', [{}], { source: 'ledger' });
		expect(metered.outputs[0]).toEqual([]);
	});
});

describe('What Record Usage and Batch Meter Usage with a ledger show', () => {
	awayFromHourBoundary();
	const emulator = useEmulator({ products: [{ productCode: 'prod-new', dimensions: ['requests'] }], customers });
	useLedgerFolder();
	beforeEach(() => emulator().reset());

	const run = (operation: string, items: Record<string, unknown>[], parameters: Record<string, unknown> = {}) =>
		runNode({ parameters: { operation, ledger: 'embedded', closeAfterMinutes: 0, ...parameters }, credentials: emulatorCredential(emulator()), items, onError: 'continueErrorOutput' });

	it('shows on each Recorded item the customer, dimension and quantity it recorded', async () => {
		const { outputs } = await run('recordUsage', [event(2, 3, 4, 'e-shown')]);
		expect(outputs[0][0].json).toMatchObject({
			status: 'Recorded',
			productCode: 'prod-new',
			licenseArn: license(2),
			customerAWSAccountId: customers[2].customerAWSAccountId,
			dimension: 'requests',
			quantity: 4,
			hour: new Date(hourStart(3)).toISOString(),
		});
	});

	it('identifies items by their usage from version 3 on unless Event ID is mapped; versions 1 and 2 keep reading the item’s eventId', async () => {
		const version = (typeVersion: number, quantity: number, parameters: Record<string, unknown> = {}) =>
			runNode({
				parameters: { resource: 'ledger', operation: 'recordUsage', ledger: 'embedded', ...parameters },
				credentials: emulatorCredential(emulator()),
				items: [event(1, 4, quantity, 'e-same')],
				typeVersion,
			});
		const statuses = async (run: ReturnType<typeof version>) => (await run).outputs[0].map((item) => item.json.status);
		expect(await statuses(version(1, 1))).toEqual(['Recorded']);
		// The same event ID with another quantity: version 2 counts the ID once, as version 1 does.
		expect(await statuses(version(2, 2))).toEqual(['DuplicateEvent']);
		// Version 3 left Event ID empty: the item is known by its usage, which is new.
		expect(await statuses(version(3, 3))).toEqual(['Recorded']);
		expect(await statuses(version(3, 3))).toEqual(['DuplicateEvent']);
		expect(await statuses(version(3, 4, { eventId: '={{ $json.eventId }}' }))).toEqual(['DuplicateEvent']);
	});

	it('counts in its hint as not billed exactly the items on the error output, whatever the ledger settled', async () => {
		// An invalid item, and one 30 hours late: two error items; nothing the ledger sends fails.
		const { run: executed, outputs } = await run('batchMeterUsage', [{ ...event(0, 0, 1), quantity: -1 }, event(0, 30, 1), event(0, 0, 1)]);
		expect(outputs[1]).toHaveLength(2);
		expect(executed.data.resultData.runData[NODE_NAME][0].hints).toEqual([
			{ message: expect.stringMatching(/^3 usage events recorded; \d+ usage records? \(customer, dimension and hour\) settled in \d+ requests?; 2 not billed$/), location: 'outputPane' },
		]);
	});
});
