import { DEFAULT_TEST_CREDENTIAL, type EmulatorEntitlement } from '../../../../emulator';
import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';
import { runNode } from '../../../helpers/workflow';

const license = (n: number) => `arn:aws:license-manager::123456789012:license:l-${String(n).padStart(32, '0')}`;
const LICENSE_A = license(1);
const LICENSE_B = license(2);
const DENIED = { accessKeyId: 'AKIADENIEDENTITLE001', secretAccessKey: 'denied-entitlements-secret', deniedActions: ['aws-marketplace:GetEntitlements'] };

// Two buyers of contract product prod-contract with one entitlement of each value type, a legacy buyer, and 56
// seat entitlements of other buyers: 60 in all, three pages of at most 25.
const ENTITLEMENTS: EmulatorEntitlement[] = [
	{ productCode: 'prod-contract', dimension: 'users', customerAWSAccountId: '111122223333', licenseArn: LICENSE_A, value: { IntegerValue: 10 }, expirationDate: '2027-01-31T00:00:00.000Z' },
	{ productCode: 'prod-contract', dimension: 'storage_tb', customerAWSAccountId: '111122223333', licenseArn: LICENSE_A, value: { DoubleValue: 2.5 } },
	{ productCode: 'prod-contract', dimension: 'premium_support', customerAWSAccountId: '444455556666', licenseArn: LICENSE_B, value: { BooleanValue: false } },
	{ productCode: 'prod-contract', dimension: 'tier', customerIdentifier: 'legacy-cust-1', value: { StringValue: 'gold' } },
	...Array.from({ length: 56 }, (_, n): EmulatorEntitlement => ({
		productCode: 'prod-contract',
		dimension: 'users',
		customerAWSAccountId: String(200000000000 + n),
		licenseArn: license(100 + n),
		value: { IntegerValue: n + 1 },
	})),
	{ productCode: 'prod-other', dimension: 'users', customerAWSAccountId: '111122223333', licenseArn: license(3), value: { IntegerValue: 1 } },
	// Issued in the `license/` spelling the Resolve Customer documentation shows.
	{ productCode: 'prod-slash', dimension: 'users', customerAWSAccountId: '111122223333', licenseArn: license(4).replace(':license:', ':license/'), value: { IntegerValue: 4 } },
];

describe('Get Entitlements', () => {
	const emulator = useEmulator({
		credentials: [DEFAULT_TEST_CREDENTIAL, DENIED],
		products: [
			{ productCode: 'prod-contract', dimensions: ['users', 'storage_tb', 'premium_support', 'tier'] },
			{ productCode: 'prod-other', dimensions: ['users'] },
			{ productCode: 'prod-slash', dimensions: ['users'] },
		],
		entitlements: ENTITLEMENTS,
	});
	beforeEach(() => emulator().reset());

	const get = (filters: Record<string, string>, options: { items?: Record<string, unknown>[]; onError?: 'continueErrorOutput'; credentials?: Record<string, unknown> } = {}) =>
		runNode({
			parameters: { operation: 'getEntitlements', entitlementsProductCode: 'prod-contract', entitlementFilters: filters },
			credentials: emulatorCredential(emulator(), options.credentials as never),
			items: options.items,
			onError: options.onError,
			typeVersion: 2,
		});
	const requests = () => emulator().log.filter((entry) => entry.operation === 'GetEntitlements');

	it('follows every page, in us-east-1 whatever the credential’s Region, and outputs one item per entitlement', async () => {
		// The emulator takes entitlement requests signed for us-east-1 only.
		const { outputs, error } = await get({}, { credentials: { region: 'eu-central-1' } });
		expect(error).toBeUndefined();
		expect(outputs[0]).toHaveLength(60);
		expect(outputs[0].every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		expect(outputs[0].slice(0, 4).map((item) => item.json)).toEqual([
			{ productCode: 'prod-contract', dimension: 'users', customerAWSAccountId: '111122223333', licenseArn: LICENSE_A, customerIdentifier: '', value: 10, expirationDate: '2027-01-31T00:00:00.000Z' },
			{ productCode: 'prod-contract', dimension: 'storage_tb', customerAWSAccountId: '111122223333', licenseArn: LICENSE_A, customerIdentifier: '', value: 2.5, expirationDate: null },
			{ productCode: 'prod-contract', dimension: 'premium_support', customerAWSAccountId: '444455556666', licenseArn: LICENSE_B, customerIdentifier: '', value: false, expirationDate: null },
			{ productCode: 'prod-contract', dimension: 'tier', customerAWSAccountId: '', licenseArn: '', customerIdentifier: 'legacy-cust-1', value: 'gold', expirationDate: null },
		]);
		expect(outputs[0].at(-1)?.json.value).toBe(56);
		const sent = requests().map((entry) => entry.body as { MaxResults: number; NextToken?: string; Filter?: unknown });
		expect(sent).toHaveLength(3);
		expect(sent.map((body) => body.MaxResults)).toEqual([25, 25, 25]);
		expect(sent[0].NextToken).toBeUndefined();
		expect(sent[1].NextToken).toEqual(expect.any(String));
		expect(sent[0].Filter).toBeUndefined();
	});

	it('filters by license ARN: several values, comma-separated, match any of them', async () => {
		const { outputs } = await get({ licenseArn: ` ${LICENSE_A}, ${LICENSE_B} ` });
		expect(outputs[0].map((item) => item.json.dimension)).toEqual(['users', 'storage_tb', 'premium_support']);
		expect(requests()[0].body).toMatchObject({ Filter: { LICENSE_ARN: [LICENSE_A, LICENSE_B] } });
	});

	it('filters by a license ARN in the spelling given, which may be the one AWS issued; EventBridge’s spelling (no ARN) as the canonical one', async () => {
		const slash = license(4).replace(':license:', ':license/');
		const run = (licenseArn: string) =>
			runNode({
				parameters: { operation: 'getEntitlements', entitlementsProductCode: 'prod-slash', entitlementFilters: { licenseArn } },
				credentials: emulatorCredential(emulator()),
				typeVersion: 2,
			});
		expect((await run(slash)).outputs[0].map((item) => [item.json.licenseArn, item.json.value])).toEqual([[slash, 4]]);
		await run(`aws:license-manager:us-east-1:123456789012:${license(1).split(':license:')[1]}`);
		expect(requests().map((entry) => (entry.body as { Filter: { LICENSE_ARN: string[] } }).Filter.LICENSE_ARN)).toEqual([[slash], [LICENSE_A]]);
	});

	it('filters by customer AWS account ID from an array, per input item, each output paired to its item', async () => {
		const { outputs } = await get(
			{ customerAWSAccountId: '={{ $json.accounts }}' },
			{ items: [{ accounts: ['444455556666'] }, { accounts: ['111122223333', '200000000000'] }] },
		);
		expect(outputs[0].map((item) => [item.json.dimension, item.json.customerAWSAccountId, item.pairedItem])).toEqual([
			['premium_support', '444455556666', { item: 0 }],
			['users', '111122223333', { item: 1 }],
			['storage_tb', '111122223333', { item: 1 }],
			['users', '200000000000', { item: 1 }],
		]);
	});

	it('filters by legacy customer identifier', async () => {
		const { outputs } = await get({ customerIdentifier: 'legacy-cust-1' });
		expect(outputs[0].map((item) => item.json)).toEqual([expect.objectContaining({ customerIdentifier: 'legacy-cust-1', value: 'gold' })]);
		expect(requests()[0].body).toMatchObject({ Filter: { CUSTOMER_IDENTIFIER: ['legacy-cust-1'] } });
	});

	it('filters by dimension, and every filter must match', async () => {
		const byDimension = await get({ dimension: 'storage_tb,premium_support' });
		expect(byDimension.outputs[0].map((item) => item.json.dimension)).toEqual(['storage_tb', 'premium_support']);
		const both = await get({ dimension: 'users', licenseArn: LICENSE_A });
		expect(both.outputs[0].map((item) => [item.json.dimension, item.json.licenseArn])).toEqual([['users', LICENSE_A]]);
	});

	it('outputs no items for an input item without entitlements, and goes on with the others', async () => {
		const { outputs, error } = await get(
			{ customerAWSAccountId: '={{ $json.account }}' },
			{ items: [{ account: '999999999999' }, { account: '444455556666' }] },
		);
		expect(error).toBeUndefined();
		expect(outputs[0].map((item) => [item.json.dimension, item.pairedItem])).toEqual([['premium_support', { item: 1 }]]);

		const none = await get({ customerAWSAccountId: '999999999999' });
		expect(none.error).toBeUndefined();
		expect(none.outputs).toEqual([[]]);
	});

	it('stops on a product code AWS does not accept, with advice, or routes the item to the error output', async () => {
		const run = (onError?: 'continueErrorOutput') =>
			runNode({
				parameters: { operation: 'getEntitlements', entitlementsProductCode: '={{ $json.product }}' },
				credentials: emulatorCredential(emulator()),
				items: [{ product: 'prod-unknown' }, { product: 'prod-other' }],
				onError,
				typeVersion: 2,
			});
		const stopped = await run();
		// Numbered once, as n8n's editor numbers items (it adds no second "[item 0]" to a title that has one).
		expect(stopped.error?.message).toBe('The product code or a filter is not valid [item 0]');
		expect(stopped.error?.description).toContain('AWS said: Product code');

		const [success, failed] = (await run('continueErrorOutput')).outputs;
		expect(success.map((item) => [item.json.productCode, item.pairedItem])).toEqual([['prod-other', { item: 1 }]]);
		expect(failed.map((item) => [item.json.error, item.pairedItem])).toEqual([['The product code or a filter is not valid [item 0]', { item: 0 }]]);
	});

	it('says which action the IAM policy lacks', async () => {
		const { error } = await get({}, { credentials: DENIED });
		expect(error?.message).toBe('These credentials are not allowed to call this operation');
		expect(error?.description).toContain('aws-marketplace:GetEntitlements');
		expect(JSON.stringify(error)).not.toContain(DENIED.secretAccessKey);
	});

	it('checks the filters before sending: account IDs are digits, and the account ID and identifier exclude each other', async () => {
		const [, wrongAccount] = (await get({ customerAWSAccountId: '1111-2222-3333' }, { onError: 'continueErrorOutput' })).outputs;
		expect(wrongAccount[0].json.error).toMatch(/^Filters: Customer AWS Account ID "1111-2222-3333" has characters AWS does not accept/);
		const { error } = await get({ customerAWSAccountId: '111122223333', customerIdentifier: 'legacy-cust-1' });
		expect(error?.message).toMatch(/^Filters: Customer AWS Account ID and Customer Identifier are both set/);
		const wrongArn = await get({ licenseArn: 'arn:aws:s3:::bucket' });
		expect(wrongArn.error?.message).toMatch(/^Filters: License ARN "arn:aws:s3:::bucket" is not a License Manager license ARN/);
		expect(requests()).toEqual([]);
	});
});
