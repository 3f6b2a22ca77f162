import type { Emulator, EmulatorOptions } from '../../../../emulator';
import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';
import { useLedgerFolder } from '../../../helpers/ledger';
import { usePostgres } from '../../../helpers/postgres';
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
/** License n, configured in the emulator in License Manager's spelling (0: the ID above). */
const license = (n: number) => (n === 0 ? ARN.colon : ARN.colon.replace(/l-[0-9a-f]+$/, `l-${String(n).repeat(32)}`));
const CUSTOMER = { customerAWSAccountId: '111122223333', productCode: 'saas-analytics' };

function useReading(options: Pick<EmulatorOptions, 'licenseArnSpelling' | 'exactLicenseArn'>): () => Emulator {
	const emulator = useEmulator({
		...options,
		products: [{ productCode: 'saas-analytics', dimensions: ['api_calls'] }],
		customers: [0, 1, 2, 3].map((n) => ({ ...CUSTOMER, licenseArn: license(n) })),
		registrationTokens: [0, 1, 2, 3].map((n) => ({ token: `token-${n}`, ...CUSTOMER, customerIdentifier: '', licenseArn: license(n) })),
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

describe.each(['embedded', 'postgres'])('Sign-up, usage in two spellings, Batch Meter Usage from the %s ledger', (ledger) => {
	useLedgerFolder();
	const postgres = usePostgres();
	const strictSlash = useReading({ licenseArnSpelling: 'license/', exactLicenseArn: true });
	const strictColon = useReading({ licenseArnSpelling: 'license:', exactLicenseArn: true });
	const anySpelling = useReading({ licenseArnSpelling: 'license/', exactLicenseArn: false });

	const ledgerCredential = () => {
		const url = new URL(postgres());
		return { host: url.hostname, port: Number(url.port), database: url.pathname.slice(1), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password), ssl: 'disable' };
	};
	const run = (emulator: Emulator, parameters: Record<string, unknown>, items: Record<string, unknown>[] = [{}]) =>
		runNode({
			parameters: { ledger, closeAfterMinutes: 10, ...parameters },
			credentials: emulatorCredential(emulator),
			otherCredentials: { awsMarketplaceMeteringLedgerApi: ledgerCredential() },
			items,
			onError: 'continueErrorOutput',
			typeVersion: 3,
		});
	// Each case its own license, so that the ledger shared by the cases keeps them apart.
	const respell = (arn: string, n: number) => arn.replace(/l-[0-9a-f]+$/, `l-${String(n).repeat(32)}`);

	it.each([
		['AWS issues license/ and takes only that', 1, strictSlash, ARN.slash],
		['AWS issues license: and takes only that', 2, strictColon, ARN.colon],
		['AWS issues license/ and takes any spelling', 3, anySpelling, ARN.slash],
	])('%s: billed once, sent as Resolve Customer issued it', async (_, n, reading, issued) => {
		const emulator = reading();
		emulator.reset();
		// The emulator's license for this case: configured as the test's own license.
		const signUp = await run(emulator, { resource: 'customer', operation: 'resolveCustomer' }, [{ body: { 'x-amzn-marketplace-token': `token-${n}` } }]);
		expect(signUp.outputs[0].map((item) => [item.json.licenseArn, (item.json.license as { issuedLicenseArn: string }).issuedLicenseArn])).toEqual([
			[respell(issued, n), respell(issued, n)],
		]);
		const recorded = await run(emulator, { resource: 'ledger', operation: 'recordUsage' }, [usage(respell(ARN.eventBridge, n), 2), usage(respell(ARN.colon, n), 3)]);
		expect(recorded.outputs[0].map((item) => item.json.status)).toEqual(['Recorded', 'Recorded']);
		const { outputs } = await run(emulator, { resource: 'usage', operation: 'batchMeterUsage', source: 'ledger' });
		expect(outputs[0].map((item) => [item.json.status, (item.json.usageRecord as { LicenseArn: string; Quantity: number }).LicenseArn, (item.json.usageRecord as { Quantity: number }).Quantity])).toEqual([
			['Success', respell(issued, n), 5],
		]);
		expect(outputs[1] ?? []).toEqual([]);
		expect(sentLicenseArns(emulator)).toEqual([respell(issued, n)]);
		expect(emulator.stats().meteredQuantity()).toBe(5);
	});
});
