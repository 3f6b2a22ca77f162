import { awayFromHourBoundary } from '../../../helpers/clock';
import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';
import { useLedgerFolder } from '../../../helpers/ledger';
import { runNode, type OnError } from '../../../helpers/workflow';

const HOUR = 3600_000;
const hourStart = (hoursAgo: number) => Math.floor(Date.now() / HOUR) * HOUR - hoursAgo * HOUR;
const license = (n: number) => `arn:aws:license-manager::123456789012:license:l-${String(n).padStart(32, '0')}`;
const customers = Array.from({ length: 2 }, (_, n) => ({ customerAWSAccountId: String(100000000000 + n), productCode: 'prod-new', licenseArn: license(n) }));
const event = (n: number, hoursAgo: number, quantity: number) => ({
	...customers[n],
	dimension: 'requests',
	quantity,
	timestamp: new Date(hourStart(hoursAgo) + 5 * 60_000).toISOString(),
});

describe('Meter Open Hours Now with the embedded ledger', () => {
	awayFromHourBoundary();
	const emulator = useEmulator({ products: [{ productCode: 'prod-new', dimensions: ['requests'] }], customers });
	useLedgerFolder();

	const run = (operation: string, items: Record<string, unknown>[], parameters: Record<string, unknown> = {}, onError: OnError = 'continueErrorOutput') =>
		runNode({ parameters: { operation, ledger: 'embedded', closeAfterMinutes: 0, ...parameters }, credentials: emulatorCredential(emulator()), items, onError });

	it('sends the final usage of a cancelled license at once, the hour in progress included, and reports its later usage as arriving after it', async () => {
		await run('recordUsage', [event(1, 0, 7)]);
		const final = await run('meterOpenHours', [{ licenseArn: license(1) }]);
		expect(final.outputs[0].map((item) => [item.json.status, item.json.hour, (item.json.usageRecord as { Quantity: number }).Quantity])).toEqual([
			['Success', new Date(hourStart(0)).toISOString(), 7],
		]);
		expect(emulator().stats().meteredQuantity()).toBe(7);
		const after = await run('recordUsage', [event(1, 0, 2)]);
		expect(after.outputs[1].map((item) => item.json.error)).toEqual([expect.stringMatching(/^Not billed: this usage arrived after the final usage report/)]);
	});
});
