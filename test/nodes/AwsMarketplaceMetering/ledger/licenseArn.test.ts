import type { Emulator, EmulatorOptions } from '../../../../emulator';
import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';
import { runNode } from '../../../helpers/workflow';

// AWS's documents disagree on how Resolve Customer spells a license ARN (`license:`, `license/`), and
// EventBridge writes it without `arn:`. Usage is matched on one canonical spelling and sent in the one
// AWS issued, so that it bills once under each reading: AWS taking only the exact ARN it issued, or any
// spelling of it.

const HOUR = 3600_000;
const hourStart = (hoursAgo: number) => Math.floor(Date.now() / HOUR) * HOUR - hoursAgo * HOUR;
const ID = 'l-0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const ARN = {
	colon: `arn:aws:license-manager::123456789012:license:${ID}`,
	slash: `arn:aws:license-manager::123456789012:license/${ID}`,
	eventBridge: `aws:license-manager:us-east-1:123456789012:${ID}`,
	eventBridgeWithArn: `arn:aws:license-manager:us-east-1:123456789012:${ID}`,
};
const CUSTOMER = { customerAWSAccountId: '111122223333', productCode: 'saas-analytics' };

function useReading(options: Pick<EmulatorOptions, 'licenseArnSpelling' | 'exactLicenseArn'>): () => Emulator {
	const emulator = useEmulator({
		...options,
		products: [{ productCode: 'saas-analytics', dimensions: ['api_calls'] }],
		customers: [{ ...CUSTOMER, licenseArn: ARN.colon }],
		registrationTokens: [{ token: 'token-new', ...CUSTOMER, customerIdentifier: '', licenseArn: ARN.colon }],
	});
	beforeEach(() => emulator().reset());
	return emulator;
}

const sentLicenseArns = (emulator: Emulator) =>
	emulator.log
		.filter((entry) => entry.operation === 'BatchMeterUsage')
		.flatMap((entry) => (entry.body as { UsageRecords: { LicenseArn?: string }[] }).UsageRecords.map((record) => record.LicenseArn));

const usage = (licenseArn: string, quantity: number) => ({ ...CUSTOMER, licenseArn, dimension: 'api_calls', quantity, timestamp: new Date(hourStart(2) + quantity * 60_000).toISOString() });

describe('Batch Meter Usage from input items: two spellings of one license in one hour', () => {
	const strictSlash = useReading({ licenseArnSpelling: 'license/', exactLicenseArn: true });
	const strictColon = useReading({ licenseArnSpelling: 'license:', exactLicenseArn: true });
	const anySpelling = useReading({ licenseArnSpelling: 'license/', exactLicenseArn: false });

	const meter = (emulator: Emulator, items: Record<string, unknown>[]) =>
		runNode({ parameters: { operation: 'batchMeterUsage' }, credentials: emulatorCredential(emulator), items, onError: 'continueErrorOutput' });

	it.each([
		['AWS issued license/ and takes only that', strictSlash, [ARN.eventBridge, ARN.slash], ARN.slash],
		['AWS issued license: and takes only that', strictColon, [ARN.eventBridge, ARN.colon], ARN.colon],
		['AWS takes any spelling', anySpelling, [ARN.eventBridgeWithArn, ARN.slash], ARN.eventBridgeWithArn],
	])('%s: one record, sent in the input’s first full ARN spelling, billed once', async (_, emulator, spellings, sent) => {
		const { outputs } = await meter(emulator(), [usage(spellings[0], 2), usage(spellings[1], 3)]);
		expect(outputs[0].map((item) => [item.json.status, item.json.aggregatedEvents])).toEqual([
			['Success', 2],
			['Success', 2],
		]);
		expect(outputs[1] ?? []).toEqual([]);
		expect(sentLicenseArns(emulator())).toEqual([sent]);
		expect(emulator().stats().meteredQuantity()).toBe(5);
	});
});
