import {
	GetEntitlementsCommand,
	InvalidParameterException,
	paginateGetEntitlements,
	type GetEntitlementsCommandInput,
} from '@aws-sdk/client-marketplace-entitlement-service';

import { DEFAULT_TEST_CREDENTIAL, startEmulator, type EmulatorEntitlement } from '../../emulator';
import { entitlementClient, sendSigned, useEmulator, withEmulator } from '../helpers/emulator';

const license = (n: number) => `arn:aws:license-manager::123456789012:license:l-${String(n).padStart(32, '0')}`;
const DENIED = { accessKeyId: 'AKIADENIEDENTITLE001', secretAccessKey: 'denied-secret', deniedActions: ['aws-marketplace:GetEntitlements'] };
const DENIED_SERVICE = { accessKeyId: 'AKIADENIEDMARKETPL01', secretAccessKey: 'denied-secret', deniedActions: ['aws-marketplace:*'] };

const SEATS: EmulatorEntitlement[] = Array.from({ length: 60 }, (_, n) => ({
	productCode: 'prod-seats',
	dimension: n % 2 ? 'admins' : 'users',
	customerAWSAccountId: String(100000000000 + (n % 3)),
	licenseArn: license(n % 4),
	value: { IntegerValue: n },
}));
const TYPED: EmulatorEntitlement[] = [
	{ productCode: 'prod-typed', dimension: 'seats', customerAWSAccountId: '111122223333', licenseArn: license(9), value: { IntegerValue: 5 }, expirationDate: '2027-06-30T00:00:00.000Z' },
	{ productCode: 'prod-typed', dimension: 'storage', customerAWSAccountId: '111122223333', licenseArn: license(9), value: { DoubleValue: 0.5 } },
	{ productCode: 'prod-typed', dimension: 'sso', customerIdentifier: 'legacy-1', value: { BooleanValue: true } },
	{ productCode: 'prod-typed', dimension: 'tier', customerIdentifier: 'legacy-1', value: { StringValue: 'gold' } },
];

const emulator = useEmulator({
	// Metering in another Region: the Entitlement Service still takes us-east-1.
	region: 'eu-west-1',
	credentials: [DEFAULT_TEST_CREDENTIAL, DENIED, DENIED_SERVICE],
	products: [
		{ productCode: 'prod-seats', dimensions: ['users', 'admins'] },
		{ productCode: 'prod-typed', dimensions: ['seats', 'storage', 'sso', 'tier'] },
		{ productCode: 'prod-none', dimensions: ['users'] },
	],
	entitlements: [...SEATS, ...TYPED],
});
beforeEach(() => emulator().reset());

const client = () => entitlementClient(emulator());
const get = (input: Partial<GetEntitlementsCommandInput>) => client().send(new GetEntitlementsCommand({ ProductCode: 'prod-seats', ...input }));
const all = async (input: Partial<GetEntitlementsCommandInput>, pageSize?: number) => {
	const values: unknown[] = [];
	const pages = paginateGetEntitlements({ client: client(), pageSize }, { ProductCode: 'prod-seats', ...input });
	for await (const page of pages) values.push(...(page.Entitlements ?? []).map((entitlement) => entitlement.Value?.IntegerValue));
	return values;
};
const expected = (keep: (entitlement: EmulatorEntitlement) => boolean) => SEATS.filter(keep).map((entitlement) => entitlement.value.IntegerValue);

describe('GetEntitlements: pages', () => {
	it('answers 25 entitlements a page by default, in configuration order, with a NextToken until the last', async () => {
		const first = await get({});
		expect(first.Entitlements).toHaveLength(25);
		expect(first.NextToken).toEqual(expect.any(String));
		const second = await get({ NextToken: first.NextToken });
		const third = await get({ NextToken: second.NextToken });
		expect([second.Entitlements?.length, third.Entitlements?.length, third.NextToken]).toEqual([25, 10, undefined]);
		expect([...first.Entitlements!, ...second.Entitlements!, ...third.Entitlements!].map((entitlement) => entitlement.Value?.IntegerValue)).toEqual(expected(() => true));
	});

	it('takes MaxResults as the page size, and the SDK paginator follows every page', async () => {
		expect(await all({}, 7)).toEqual(expected(() => true));
		expect(emulator().log.map((entry) => (entry.body as { MaxResults: number }).MaxResults)).toEqual(Array(9).fill(7));
	});

	it('refuses a NextToken of another query or none of its own', async () => {
		const { NextToken } = await get({});
		await expect(get({ NextToken, Filter: { DIMENSION: ['users'] } })).rejects.toThrow(InvalidParameterException);
		await expect(get({ NextToken, ProductCode: 'prod-typed' })).rejects.toThrow('The NextToken is not valid for this request.');
		await expect(get({ NextToken: 'not-a-token' })).rejects.toThrow(InvalidParameterException);
	});
});

describe('GetEntitlements: filters', () => {
	it('matches any value of a key', async () => {
		expect(await all({ Filter: { LICENSE_ARN: [license(1), license(2)] } })).toEqual(expected((e) => [license(1), license(2)].includes(e.licenseArn!)));
		expect(await all({ Filter: { CUSTOMER_AWS_ACCOUNT_ID: ['100000000002'] } })).toEqual(expected((e) => e.customerAWSAccountId === '100000000002'));
		expect(await all({ Filter: { DIMENSION: ['admins'] } })).toEqual(expected((e) => e.dimension === 'admins'));
		const legacy = await get({ ProductCode: 'prod-typed', Filter: { CUSTOMER_IDENTIFIER: ['legacy-1'] } });
		expect(legacy.Entitlements?.map((entitlement) => entitlement.Dimension)).toEqual(['sso', 'tier']);
	});

	it('matches every key', async () => {
		const filtered = await all({ Filter: { DIMENSION: ['users'], CUSTOMER_AWS_ACCOUNT_ID: ['100000000000', '100000000001'], LICENSE_ARN: [license(0)] } });
		expect(filtered).toEqual(expected((e) => e.dimension === 'users' && ['100000000000', '100000000001'].includes(e.customerAWSAccountId!) && e.licenseArn === license(0)));
		expect(filtered.length).toBeGreaterThan(0);
	});

	it('answers an empty list, not an error, when nothing matches', async () => {
		expect((await get({ Filter: { CUSTOMER_AWS_ACCOUNT_ID: ['999999999999'] } })).Entitlements).toEqual([]);
		const none = await get({ ProductCode: 'prod-none' });
		expect([none.Entitlements, none.NextToken]).toEqual([[], undefined]);
	});

	it('refuses CUSTOMER_IDENTIFIER together with CUSTOMER_AWS_ACCOUNT_ID', async () => {
		await expect(get({ Filter: { CUSTOMER_IDENTIFIER: ['legacy-1'], CUSTOMER_AWS_ACCOUNT_ID: ['111122223333'] } })).rejects.toThrow(
			'CUSTOMER_IDENTIFIER and CUSTOMER_AWS_ACCOUNT_ID are mutually exclusive',
		);
	});
});

describe('GetEntitlements: answers and errors', () => {
	it('answers each value in its own member, and the expiration date as a timestamp', async () => {
		const { Entitlements } = await get({ ProductCode: 'prod-typed' });
		expect(Entitlements).toEqual([
			{ ProductCode: 'prod-typed', Dimension: 'seats', CustomerAWSAccountId: '111122223333', LicenseArn: license(9), Value: { IntegerValue: 5 }, ExpirationDate: new Date('2027-06-30T00:00:00.000Z') },
			{ ProductCode: 'prod-typed', Dimension: 'storage', CustomerAWSAccountId: '111122223333', LicenseArn: license(9), Value: { DoubleValue: 0.5 } },
			{ ProductCode: 'prod-typed', Dimension: 'sso', CustomerIdentifier: 'legacy-1', Value: { BooleanValue: true } },
			{ ProductCode: 'prod-typed', Dimension: 'tier', CustomerIdentifier: 'legacy-1', Value: { StringValue: 'gold' } },
		]);
	});

	it('refuses a product code of no configured product', async () => {
		await expect(get({ ProductCode: 'prod-unknown' })).rejects.toThrow(InvalidParameterException);
		expect(emulator().stats().requests).toEqual({ GetEntitlements: { InvalidParameterException: 1 } });
	});

	it('validates the request shape as the model does', async () => {
		const invalid = async (input: Record<string, unknown>) => {
			const error = await client()
				.send(new GetEntitlementsCommand(input as unknown as GetEntitlementsCommandInput))
				.catch((caught: Error) => caught);
			expect((error as Error).name).toBe('ValidationException');
			return (error as Error).message;
		};
		expect(await invalid({})).toContain("Value null at 'productCode' failed to satisfy constraint: Member must not be null");
		expect(await invalid({ ProductCode: 'prod-seats', Filter: { ACCOUNT: ['1'] } })).toContain(
			"Value 'ACCOUNT' at 'filter' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy enum value set: [CUSTOMER_IDENTIFIER, DIMENSION, CUSTOMER_AWS_ACCOUNT_ID, LICENSE_ARN]]",
		);
		expect(await invalid({ ProductCode: 'prod-seats', Filter: { DIMENSION: [] } })).toContain('Member must have length greater than or equal to 1');
		expect(await invalid({ ProductCode: 'prod-seats', MaxResults: 26 })).toContain("at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 25");
		expect(await invalid({ ProductCode: '' })).toContain("at 'productCode' failed to satisfy constraint: Member must have length greater than or equal to 1");
	});

	it('authorizes aws-marketplace:GetEntitlements', async () => {
		for (const credentials of [DENIED, DENIED_SERVICE]) {
			await expect(entitlementClient(emulator(), credentials).send(new GetEntitlementsCommand({ ProductCode: 'prod-seats' }))).rejects.toThrow(
				`is not authorized to perform: aws-marketplace:GetEntitlements`,
			);
		}
		expect(emulator().log.map((entry) => [entry.operation, entry.errorType])).toEqual([
			['GetEntitlements', 'AccessDeniedException'],
			['GetEntitlements', 'AccessDeniedException'],
		]);
	});

	it('takes requests signed for us-east-1 only, whatever the emulator’s Region', async () => {
		const error = await entitlementClient(emulator(), DEFAULT_TEST_CREDENTIAL, 'eu-west-1')
			.send(new GetEntitlementsCommand({ ProductCode: 'prod-seats' }))
			.catch((caught: Error) => caught);
		expect((error as Error).name).toBe('InvalidSignatureException');
	});

	it('knows GetEntitlements under the Entitlement Service’s target only', async () => {
		const response = await sendSigned(emulator(), { operation: 'GetEntitlements', body: '{"ProductCode":"prod-seats"}', region: 'us-east-1' });
		expect(response.status).toBe(400);
		expect(response.json()).toMatchObject({ __type: 'UnknownOperationException' });
	});

	it('answers an empty list in open mode, and refuses a malformed configuration at start', async () => {
		await withEmulator({}, async (open) => {
			expect((await entitlementClient(open).send(new GetEntitlementsCommand({ ProductCode: 'any-product' }))).Entitlements).toEqual([]);
		});
		const twoValues = { productCode: 'p', dimension: 'd', value: { IntegerValue: 1, StringValue: 'one' } };
		await expect(startEmulator({ entitlements: [twoValues] })).rejects.toThrow('entitlements[0].value must set exactly one of IntegerValue, DoubleValue, BooleanValue, StringValue');
		await expect(startEmulator({ entitlements: [{ productCode: 'p', dimension: 'd', value: { BooleanValue: false }, expirationDate: 'soon' }] })).rejects.toThrow(
			'entitlements[0].expirationDate is not an ISO 8601 date',
		);
	});
});
