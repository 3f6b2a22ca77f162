import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';
import { useLedgerFolder, withEmbeddedLedger } from '../../../helpers/ledger';
import { runNode, type OnError } from '../../../helpers/workflow';

// Licenses in the metering ledger from a sign-up (Resolve Customer) and by hand (Record License), in
// each spelling AWS writes a license ARN: one license, whose state only a newer change moves.

const HOUR = 3600_000;
const ID = 'l-0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const CANONICAL = `arn:aws:license-manager::123456789012:license:${ID}`;
const SPELLINGS = {
	resolveCustomer: CANONICAL,
	slash: `arn:aws:license-manager::123456789012:license/${ID}`,
	eventBridge: `aws:license-manager:us-east-1:123456789012:${ID}`,
	eventBridgeWithArn: `arn:aws:license-manager:us-east-1:123456789012:${ID}`,
};
const CUSTOMER = { customerAWSAccountId: '111122223333', productCode: 'saas-analytics' };

describe('Licenses in the metering ledger: Resolve Customer and Record License', () => {
	const emulator = useEmulator({
		products: [{ productCode: 'saas-analytics', dimensions: ['api_calls'] }],
		customers: [{ ...CUSTOMER, licenseArn: CANONICAL }],
		registrationTokens: [
			{ token: 'token-new', ...CUSTOMER, customerIdentifier: '', licenseArn: CANONICAL },
			{ token: 'token-legacy', customerAWSAccountId: '444455556666', customerIdentifier: 'cust-legacy', productCode: 'saas-analytics' },
		],
	});
	useLedgerFolder();
	beforeEach(() => emulator().reset());

	const run = (parameters: Record<string, unknown>, items: Record<string, unknown>[], onError: OnError = 'continueErrorOutput') =>
		runNode({ parameters: { ledger: 'embedded', ...parameters }, credentials: emulatorCredential(emulator()), items, onError, typeVersion: 3 });
	const licenses = () => withEmbeddedLedger((ledger) => ledger.licenses());

	it('Resolve Customer records the license of each customer it resolved as signed up, and legacy customers not at all', async () => {
		const before = Date.now();
		const { outputs } = await run({ resource: 'customer', operation: 'resolveCustomer' }, [
			{ body: { 'x-amzn-marketplace-token': 'token-new' } },
			{ body: { 'x-amzn-marketplace-token': 'token-legacy' } },
		]);
		const [signedUp, legacy] = outputs[0].map((item) => item.json);
		expect(signedUp).toMatchObject({
			...CUSTOMER,
			licenseArn: CANONICAL,
			license: { licenseResult: 'applied', licenseArn: CANONICAL, licenseId: ID, ...CUSTOMER, state: 'active', stateSource: 'signUp', endedAt: null },
		});
		expect(Date.parse((signedUp.license as { startedAt: string }).startedAt)).toBeGreaterThanOrEqual(before);
		expect(legacy).not.toHaveProperty('license');
		expect(await licenses()).toEqual([expect.objectContaining({ licenseArn: CANONICAL, state: 'active', stateSource: 'signUp' })]);
	});

	it('Record License keeps one license whatever the spelling; a late or repeated change never reverts a newer one; a bad ARN fails its item only', async () => {
		const parameters = {
			resource: 'license',
			operation: 'recordLicense',
			state: '={{ $json.state }}',
			options: { happenedAt: '={{ $json.at }}', agreementId: 'agmt-4mwg1nevbokzw95eca5797ixs' },
		};
		const later = new Date(Date.now() + 2 * HOUR).toISOString();
		const { outputs } = await run(parameters, [
			{ licenseArn: SPELLINGS.eventBridge, state: 'ended', at: later },
			{ licenseArn: SPELLINGS.slash, state: 'active', at: new Date(Date.now() - HOUR).toISOString(), ...CUSTOMER },
			{ licenseArn: SPELLINGS.eventBridgeWithArn, state: 'ended', at: later },
			{ licenseArn: 'arn:aws:s3:::bucket/l-1', state: 'active', at: later },
		]);
		expect(outputs[0].map((item) => [item.pairedItem, item.json.licenseResult, item.json.licenseArn, item.json.state, item.json.endedAt])).toEqual([
			[{ item: 0 }, 'applied', CANONICAL, 'ended', later],
			[{ item: 1 }, 'stale', CANONICAL, 'ended', later],
			[{ item: 2 }, 'repeated', CANONICAL, 'ended', later],
		]);
		expect(outputs[1].map((item) => [item.pairedItem, item.json.error])).toEqual([[{ item: 3 }, expect.stringMatching(/^License ARN "arn:aws:s3:::bucket\/l-1" is not a License Manager license ARN.*\[item 3\]$/)]]);
		const [license] = await licenses();
		expect(license).toMatchObject({ licenseArn: CANONICAL, state: 'ended', stateSource: 'manual', agreementId: 'agmt-4mwg1nevbokzw95eca5797ixs', endedAt: new Date(later) });
		expect(emulator().log).toEqual([]);
	});

	it('Meter Open Hours Now finds the license by the spelling of AWS’s License Deprovisioned event, whatever spelling its usage was recorded in', async () => {
		const hour = Math.floor(Date.now() / HOUR) * HOUR;
		const usage = (licenseArn: string, quantity: number) => ({ ...CUSTOMER, licenseArn, dimension: 'api_calls', quantity, timestamp: new Date(hour + 60_000).toISOString() });
		const recorded = await run({ resource: 'ledger', operation: 'recordUsage' }, [usage(SPELLINGS.slash, 2), usage(SPELLINGS.eventBridgeWithArn, 3)]);
		expect(recorded.outputs[0].map((item) => item.json.status)).toEqual(['Recorded', 'Recorded']);
		const { outputs } = await run({ resource: 'ledger', operation: 'meterOpenHours' }, [{ licenseArn: SPELLINGS.eventBridge }]);
		expect(outputs[0].map((item) => [item.json.status, item.json.hour, (item.json.usageRecord as { LicenseArn: string; Quantity: number }).LicenseArn, (item.json.usageRecord as { Quantity: number }).Quantity])).toEqual([
			['Success', new Date(hour).toISOString(), CANONICAL, 5],
		]);
		expect(emulator().stats().meteredQuantity()).toBe(5);
		const refused = await run({ resource: 'ledger', operation: 'meterOpenHours' }, [{ licenseArn: 'l-0a1b' }], 'stopWorkflow');
		expect(refused.error?.message).toMatch(/^License ARNs: License ARN "l-0a1b" is not a License Manager license ARN/);
	});
});
