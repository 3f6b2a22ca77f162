import { awayFromHourBoundary } from '../../../helpers/clock';
import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';
import { useLedgerFolder } from '../../../helpers/ledger';
import { runNode, type OnError } from '../../../helpers/workflow';

// n8n's Retry of a failed execution, or a second "Execute workflow" in the editor, gives the node
// the same items again: each event is billed once, with or without Event IDs.

const HOUR = 3600_000;
const hourStart = (hoursAgo: number) => Math.floor(Date.now() / HOUR) * HOUR - hoursAgo * HOUR;
const license = (n: number) => `arn:aws:license-manager::123456789012:license:l-${String(n).padStart(32, '0')}`;

describe('a retried execution with the metering ledger', () => {
	awayFromHourBoundary();
	const emulator = useEmulator();
	useLedgerFolder();
	beforeEach(() => emulator().reset());

	// 30 usage events of 10 licenses over the last two closed hours; each run meters a license range of its own.
	const events = (first: number, withIds: boolean) =>
		Array.from({ length: 30 }, (_, n) => ({
			productCode: 'prod-retry',
			customerAWSAccountId: '123456789012',
			licenseArn: license(first + (n % 10)),
			dimension: 'requests',
			quantity: 1 + (n % 7),
			timestamp: new Date(hourStart(1 + (n % 2)) + n * 60_000).toISOString(),
			...(withIds ? { eventId: `event-${first}-${n}` } : {}),
		}));
	const total = (items: { quantity: number }[]) => items.reduce((sum, item) => sum + item.quantity, 0);
	const run = (operation: string, items: Record<string, unknown>[], { options = {}, ...parameters }: Record<string, unknown> = {}, onError: OnError = 'stopWorkflow') =>
		runNode({
			parameters: { operation, ledger: 'embedded', closeAfterMinutes: 0, ...parameters, options: { maxAttempts: 1, unprocessedRetries: 0, ...(options as object) } },
			credentials: emulatorCredential(emulator()),
			items,
			onError,
		});

	it.each([
		['without Event IDs', 0, false],
		['with Event IDs', 100, true],
	])('Batch Meter Usage %s: fails at AWS, runs again with the same items, bills each event once', async (_name, first, withIds) => {
		const items = events(first as number, withIds as boolean);
		emulator().setFaults({ serverErrorRate: 1 });
		const failed = await run('batchMeterUsage', items);
		expect(failed.error?.description).toMatch(
			/30 usage events of this execution are in the metering ledger \(30 recorded now, 0 before\); .* Running this execution again is safe/,
		);
		expect(emulator().stats().meteredQuantity()).toBe(0);

		emulator().setFaults({});
		const retried = await run('batchMeterUsage', items);
		expect(retried.error).toBeUndefined();
		expect(retried.outputs[0]).toHaveLength(30);
		// Each item says it was counted before, and what AWS answered for its hour in this run.
		expect(retried.outputs[0].map((item) => [item.json.status, item.json.recordStatus, item.json.meteringRecordId !== null])).toEqual(
			items.map(() => ['DuplicateEvent', 'Success', true]),
		);
		expect(retried.outputs[0].every((item) => /recorded before|counted once/.test(String(item.json.note)))).toBe(true);
		expect(emulator().stats().meteredQuantity()).toBe(total(items));

		// Later runs find nothing more to send: no copy was carried to another hour.
		const later = await run('batchMeterUsage', [{}], { source: 'ledger' });
		expect(later.outputs[0]).toEqual([]);
		expect(emulator().stats().meteredQuantity()).toBe(total(items));
	});

	it('Record Usage run twice over the same items records them once, and says so on each item', async () => {
		const items = events(200, false);
		const first = await run('recordUsage', items);
		expect(first.outputs[0].every((item) => item.json.status === 'Recorded')).toBe(true);
		const second = await run('recordUsage', items);
		expect(second.outputs[0].map((item) => [item.json.status, item.json.note])).toEqual(
			items.map(() => ['DuplicateEvent', expect.stringMatching(/^Identical usage was recorded before .*: counted once\. If it was another event, map an Event ID$/)]),
		);
		const sent = await run('batchMeterUsage', [{}], { source: 'ledger' });
		expect(sent.outputs[0]).toHaveLength(10);
		expect(emulator().stats().meteredQuantity()).toBe(total(items));
	});

	it('counts identical items of one run apart, and a second run of them not again', async () => {
		const twin = { productCode: 'prod-retry', customerAWSAccountId: '123456789012', licenseArn: license(300), dimension: 'requests', quantity: 2, timestamp: new Date(hourStart(1)).toISOString() };
		const once = await run('recordUsage', [twin, twin]);
		expect(once.outputs[0].map((item) => item.json.status)).toEqual(['Recorded', 'Recorded']);
		const again = await run('recordUsage', [twin, twin, twin]);
		expect(again.outputs[0].map((item) => item.json.status)).toEqual(['DuplicateEvent', 'DuplicateEvent', 'Recorded']);
	});

	it('with "Identify Items Without Event ID" off, counts every item again and says a rerun bills twice', async () => {
		const items = events(400, false);
		emulator().setFaults({ serverErrorRate: 1 });
		const failed = await run('batchMeterUsage', items, { options: { deriveEventIds: false } });
		expect(failed.error?.description).toMatch(/Do not run this execution again: 30 events without an Event ID would be counted twice/);
		emulator().setFaults({});
		const retried = await run('batchMeterUsage', items, { options: { deriveEventIds: false } });
		// Every item is counted again, carried to a later hour: what the option's description warns of.
		expect(retried.outputs[0].slice(0, 30).every((item) => item.json.carriedFrom !== undefined && ['Recorded', 'Success'].includes(item.json.status as string))).toBe(true);
		const report = await run('getMeteringReport', [{}], { filters: { productCode: 'prod-retry', limit: 1000 } });
		const licenses = new Set(items.map((item) => item.licenseArn));
		const held = report.outputs[0].filter((item) => licenses.has(item.json.licenseArn as string)).reduce((sum, item) => sum + Number(item.json.quantity), 0);
		expect(held).toBe(2 * total(items));
	});
});
