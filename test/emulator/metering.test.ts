import { createVerify, constants } from 'node:crypto';

import {
	BatchMeterUsageCommand,
	CustomerNotEntitledException,
	DuplicateRequestException,
	ExpiredTokenException,
	IdempotencyConflictException,
	InvalidCustomerIdentifierException,
	InvalidLicenseException,
	InvalidProductCodeException,
	InvalidPublicKeyVersionException,
	InvalidTagException,
	InvalidTokenException,
	InvalidUsageAllocationsException,
	InvalidUsageDimensionException,
	MeterUsageCommand,
	PlatformNotSupportedException,
	RegisterUsageCommand,
	ResolveCustomerCommand,
	TimestampOutOfBoundsException,
	type UsageRecord,
} from '@aws-sdk/client-marketplace-metering';

import { meteringClient, useEmulator } from '../helpers/emulator';

const HOUR = 3600_000;
const hourStart = (hoursAgo = 0) => new Date(Math.floor(Date.now() / HOUR) * HOUR - hoursAgo * HOUR);
const LICENSE_A = 'arn:aws:license-manager::123456789012:license:l-0000000000000000000000000000000a';
const LICENSE_B = 'arn:aws:license-manager::123456789012:license:l-0000000000000000000000000000000b';
const LICENSE_OTHER_PRODUCT = 'arn:aws:license-manager::123456789012:license:l-0000000000000000000000000000000c';

const emulator = useEmulator({
	products: [
		{ productCode: 'prod-saas', type: 'saas', dimensions: ['requests', 'users'] },
		{ productCode: 'prod-saas-2', type: 'saas', dimensions: ['requests'] },
		{ productCode: 'prod-ami', type: 'ami', dimensions: ['vcpu-hours'] },
		{ productCode: 'prod-container', type: 'container', dimensions: ['pods'] },
		{ productCode: 'prod-unentitled', type: 'container', dimensions: ['pods'], notEntitled: true },
		{ productCode: 'prod-eks-only', type: 'container', dimensions: ['pods'], platformNotSupported: true },
	],
	customers: [
		{ customerAWSAccountId: '111122223333', productCode: 'prod-saas', licenseArn: LICENSE_A },
		{ customerAWSAccountId: '444455556666', productCode: 'prod-saas', licenseArn: LICENSE_B },
		{ customerAWSAccountId: '777788889999', customerIdentifier: 'legacy-1', productCode: 'prod-saas' },
		{ customerAWSAccountId: '111122223333', productCode: 'prod-saas-2', licenseArn: LICENSE_OTHER_PRODUCT },
	],
	registrationTokens: [
		{ token: 'token-new', customerAWSAccountId: '111122223333', customerIdentifier: '', productCode: 'prod-saas', licenseArn: LICENSE_A },
		{ token: 'token-legacy', customerAWSAccountId: '777788889999', customerIdentifier: 'legacy-1', productCode: 'prod-saas' },
		{ token: 'token-expired', customerAWSAccountId: '444455556666', productCode: 'prod-saas', expired: true },
	],
});
beforeEach(() => emulator().reset());

const client = () => meteringClient(emulator());
const record = (overrides: Partial<UsageRecord> = {}): UsageRecord => ({
	Timestamp: hourStart(1),
	CustomerAWSAccountId: '111122223333',
	LicenseArn: LICENSE_A,
	Dimension: 'requests',
	Quantity: 10,
	...overrides,
});
const batch = (records: UsageRecord[], productCode?: string) =>
	client().send(new BatchMeterUsageCommand({ UsageRecords: records, ProductCode: productCode }));

describe('ResolveCustomer', () => {
	it('resolves a new-style token to account ID and license, with an empty customer identifier', async () => {
		const answer = await client().send(new ResolveCustomerCommand({ RegistrationToken: 'token-new' }));
		expect(answer).toMatchObject({ CustomerIdentifier: '', CustomerAWSAccountId: '111122223333', ProductCode: 'prod-saas', LicenseArn: LICENSE_A });
	});

	it('resolves a legacy token to its customer identifier', async () => {
		const answer = await client().send(new ResolveCustomerCommand({ RegistrationToken: 'token-legacy' }));
		expect(answer).toMatchObject({ CustomerIdentifier: 'legacy-1', CustomerAWSAccountId: '777788889999', ProductCode: 'prod-saas' });
		expect(answer.LicenseArn).toBeUndefined();
	});

	it('rejects unknown and expired tokens with their exceptions', async () => {
		await expect(client().send(new ResolveCustomerCommand({ RegistrationToken: 'no-such-token' }))).rejects.toBeInstanceOf(InvalidTokenException);
		const expired = client().send(new ResolveCustomerCommand({ RegistrationToken: 'token-expired' }));
		await expect(expired).rejects.toBeInstanceOf(ExpiredTokenException);
		await expect(expired).rejects.toThrow(/registration token has expired/);
	});
});

describe('BatchMeterUsage', () => {
	it('meters new-style records and echoes each usage record with epoch-second timestamps', async () => {
		const answer = await batch([record(), record({ Dimension: 'users', Quantity: 2 })]);
		expect(answer.UnprocessedRecords).toEqual([]);
		expect(answer.Results).toEqual([
			{ UsageRecord: record(), MeteringRecordId: expect.any(String), Status: 'Success' },
			{ UsageRecord: record({ Dimension: 'users', Quantity: 2 }), MeteringRecordId: expect.any(String), Status: 'Success' },
		]);
		expect(emulator().log[0].body).toMatchObject({ UsageRecords: [{ Timestamp: hourStart(1).getTime() / 1000 }, {}] });
		expect(emulator().stats().billed).toEqual({
			[`${LICENSE_A}|111122223333|requests|${hourStart(1).toISOString()}`]: { quantity: 10, meteringRecordId: answer.Results![0].MeteringRecordId },
			[`${LICENSE_A}|111122223333|users|${hourStart(1).toISOString()}`]: { quantity: 2, meteringRecordId: answer.Results![1].MeteringRecordId },
		});
	});

	it('bills per hour of the timestamp: the same quantity again is the same record, another quantity a DuplicateRecord', async () => {
		const first = await batch([record({ Timestamp: new Date(hourStart(2).getTime() + 5 * 60_000) })]);
		const id = first.Results![0].MeteringRecordId;
		const again = await batch([record({ Timestamp: new Date(hourStart(2).getTime() + 50 * 60_000) })]);
		expect(again.Results![0]).toMatchObject({ Status: 'Success', MeteringRecordId: id });
		const other = await batch([record({ Timestamp: hourStart(2), Quantity: 11 })]);
		expect(other.Results![0].Status).toBe('DuplicateRecord');
		expect(other.Results![0].MeteringRecordId).toBeUndefined();
		expect(emulator().stats().meteredQuantity({ product: LICENSE_A })).toBe(10);
	});

	it('meters legacy records under the request’s product code and customer identifier', async () => {
		const legacy = { Timestamp: hourStart(1), CustomerIdentifier: 'legacy-1', Dimension: 'users', Quantity: 3 };
		const answer = await batch([legacy], 'prod-saas');
		expect(answer.Results![0].Status).toBe('Success');
		expect(Object.keys(emulator().stats().billed)).toEqual([`prod-saas|legacy-1|users|${hourStart(1).toISOString()}`]);
	});

	it('bills a record with a LicenseArn under the license even when the request also names the product', async () => {
		await batch([record()], 'prod-saas');
		await batch([{ Timestamp: hourStart(1), CustomerAWSAccountId: '111122223333', Dimension: 'requests', Quantity: 10 }], 'prod-saas');
		// The model's warning: the same usage sent with and without LicenseArn is billed twice.
		expect(emulator().stats().meteredQuantity({ customer: '111122223333', dimension: 'requests' })).toBe(20);
	});

	it('answers CustomerNotSubscribed per record and meters the others', async () => {
		const stranger = { Timestamp: hourStart(1), CustomerAWSAccountId: '999999999999', Dimension: 'requests', Quantity: 1 };
		const answer = await batch([stranger, record({ CustomerAWSAccountId: '444455556666', LicenseArn: LICENSE_B })], 'prod-saas');
		expect(answer.Results!.map((result) => result.Status)).toEqual(['CustomerNotSubscribed', 'Success']);
		expect(answer.Results![0].MeteringRecordId).toBeUndefined();
		const legacy = await batch([{ Timestamp: hourStart(1), CustomerIdentifier: 'stranger', Dimension: 'users', Quantity: 1 }], 'prod-saas');
		expect(legacy.Results![0].Status).toBe('CustomerNotSubscribed');
	});

	it('rejects the whole batch for one record out of the time window', async () => {
		const late = batch([record(), record({ Dimension: 'users', Timestamp: new Date(Date.now() - 24 * HOUR - 1000) })]);
		await expect(late).rejects.toBeInstanceOf(TimestampOutOfBoundsException);
		await expect(batch([record({ Timestamp: new Date(Date.now() + 10 * 60_000) })])).rejects.toBeInstanceOf(TimestampOutOfBoundsException);
		expect(emulator().stats().billed).toEqual({});
	});

	it('rejects unknown products, dimensions and licenses', async () => {
		await expect(batch([record()], 'prod-unknown')).rejects.toBeInstanceOf(InvalidProductCodeException);
		await expect(batch([record()], 'prod-ami')).rejects.toThrow(/ami product/);
		await expect(batch([record({ Dimension: 'bandwidth' })])).rejects.toBeInstanceOf(InvalidUsageDimensionException);
		await expect(batch([record({ LicenseArn: `${LICENSE_A}f` })])).rejects.toBeInstanceOf(InvalidLicenseException);
		await expect(batch([{ Timestamp: hourStart(1), CustomerAWSAccountId: '111122223333', Dimension: 'requests' }])).rejects.toBeInstanceOf(
			InvalidProductCodeException,
		);
	});

	it('rejects the whole request for a known license sent with another customer account', async () => {
		const other = batch([record(), record({ CustomerAWSAccountId: '444455556666', Dimension: 'users' })]);
		await expect(other).rejects.toBeInstanceOf(InvalidLicenseException);
		await expect(other).rejects.toThrow(`License ${LICENSE_A} does not belong to the customer AWS account 444455556666`);
		expect(emulator().stats().billed).toEqual({});
		// Legacy records keep their per-record answer.
		const legacy = await batch([{ Timestamp: hourStart(1), CustomerIdentifier: 'legacy-1', Dimension: 'users', Quantity: 1 }, record()], 'prod-saas');
		expect(legacy.Results!.map((result) => result.Status)).toEqual(['Success', 'Success']);
	});

	it('refuses licenses of two products in one request, and a license of another product than the request’s', async () => {
		const mixed = batch([record(), record({ LicenseArn: LICENSE_OTHER_PRODUCT })]);
		await expect(mixed).rejects.toBeInstanceOf(InvalidLicenseException);
		await expect(mixed).rejects.toThrow(/^The request mixes licenses of several products \('prod-saas' for .*, 'prod-saas-2' for .*\): send each product's usage in a request of its own\.$/);
		const otherProduct = batch([record({ LicenseArn: LICENSE_OTHER_PRODUCT })], 'prod-saas');
		await expect(otherProduct).rejects.toBeInstanceOf(InvalidLicenseException);
		await expect(otherProduct).rejects.toThrow(`License ${LICENSE_OTHER_PRODUCT} is a license of product 'prod-saas-2', not of the request's product 'prod-saas'.`);
		expect(emulator().stats().billed).toEqual({});
		// Licenses of one product, of several customers: one request.
		const oneProduct = await batch([record(), record({ CustomerAWSAccountId: '444455556666', LicenseArn: LICENSE_B })]);
		expect(oneProduct.Results!.map((result) => result.Status)).toEqual(['Success', 'Success']);
		expect((await batch([record({ LicenseArn: LICENSE_OTHER_PRODUCT })])).Results![0].Status).toBe('Success');
	});

	it('needs exactly one of CustomerIdentifier and CustomerAWSAccountId', async () => {
		await expect(batch([record({ CustomerIdentifier: 'legacy-1' })])).rejects.toBeInstanceOf(InvalidCustomerIdentifierException);
		await expect(batch([record({ CustomerAWSAccountId: undefined })])).rejects.toBeInstanceOf(InvalidCustomerIdentifierException);
	});

	it('checks usage allocations: their sum, distinct tag sets and tag keys', async () => {
		const tags = (team: string) => [{ Key: 'team', Value: team }];
		const ok = await batch([record({ UsageAllocations: [{ AllocatedUsageQuantity: 4, Tags: tags('a') }, { AllocatedUsageQuantity: 6 }] })]);
		expect(ok.Results![0].UsageRecord!.UsageAllocations).toEqual([{ AllocatedUsageQuantity: 4, Tags: tags('a') }, { AllocatedUsageQuantity: 6 }]);
		await expect(batch([record({ UsageAllocations: [{ AllocatedUsageQuantity: 4, Tags: tags('a') }] })])).rejects.toBeInstanceOf(
			InvalidUsageAllocationsException,
		);
		const sameTags = [{ AllocatedUsageQuantity: 5, Tags: tags('a') }, { AllocatedUsageQuantity: 5, Tags: tags('a') }];
		await expect(batch([record({ UsageAllocations: sameTags })])).rejects.toBeInstanceOf(InvalidUsageAllocationsException);
		const sameKey = [{ AllocatedUsageQuantity: 10, Tags: [...tags('a'), ...tags('b')] }];
		await expect(batch([record({ UsageAllocations: sameKey })])).rejects.toBeInstanceOf(InvalidTagException);
	});

	it('accepts an empty batch', async () => {
		expect(await batch([])).toMatchObject({ Results: [], UnprocessedRecords: [] });
	});
});

describe('MeterUsage', () => {
	const meter = (overrides: Record<string, unknown> = {}) =>
		client().send(new MeterUsageCommand({ ProductCode: 'prod-ami', UsageDimension: 'vcpu-hours', UsageQuantity: 4, Timestamp: hourStart(), ...overrides }));

	it('answers a metering record ID, the same for the same hour and quantity, DuplicateRequestException for another', async () => {
		const { MeteringRecordId } = await meter();
		expect(MeteringRecordId).toEqual(expect.any(String));
		expect((await meter({ Timestamp: new Date() })).MeteringRecordId).toBe(MeteringRecordId);
		await expect(meter({ UsageQuantity: 5 })).rejects.toBeInstanceOf(DuplicateRequestException);
		expect(emulator().stats().billed).toEqual({
			[`prod-ami|AKIAEMULATOREXAMPLE1|vcpu-hours|${hourStart().toISOString()}`]: { quantity: 4, meteringRecordId: MeteringRecordId },
		});
	});

	it('answers a dry run with DryRunOperation and bills nothing', async () => {
		await expect(meter({ DryRun: true })).rejects.toMatchObject({ name: 'DryRunOperation', message: 'Request would have succeeded, but DryRun flag is set.' });
		expect(emulator().stats().billed).toEqual({});
	});

	it('answers a reused ClientToken with the stored result, and IdempotencyConflictException (409) for other input', async () => {
		const first = await meter({ ClientToken: 'token-1', Timestamp: hourStart(1) });
		expect((await meter({ ClientToken: 'token-1', Timestamp: hourStart(1) })).MeteringRecordId).toBe(first.MeteringRecordId);
		const conflict = meter({ ClientToken: 'token-1', Timestamp: hourStart(1), UsageQuantity: 9 });
		await expect(conflict).rejects.toBeInstanceOf(IdempotencyConflictException);
		await expect(conflict).rejects.toMatchObject({ $metadata: { httpStatusCode: 409 } });
	});

	it('rejects old timestamps, unknown products and dimensions, bad allocations and unentitled customers', async () => {
		await expect(meter({ Timestamp: new Date(Date.now() - 7 * HOUR) })).rejects.toBeInstanceOf(TimestampOutOfBoundsException);
		await expect(meter({ ProductCode: 'prod-unknown' })).rejects.toBeInstanceOf(InvalidProductCodeException);
		await expect(meter({ ProductCode: 'prod-saas', UsageDimension: 'requests' })).rejects.toBeInstanceOf(InvalidProductCodeException);
		await expect(meter({ UsageDimension: 'gpu-hours' })).rejects.toBeInstanceOf(InvalidUsageDimensionException);
		await expect(meter({ UsageAllocations: [{ AllocatedUsageQuantity: 3 }] })).rejects.toBeInstanceOf(InvalidUsageAllocationsException);
		await expect(meter({ ProductCode: 'prod-unentitled', UsageDimension: 'pods' })).rejects.toBeInstanceOf(CustomerNotEntitledException);
	});
});

describe('RegisterUsage', () => {
	const register = (overrides: Record<string, unknown> = {}) =>
		client().send(new RegisterUsageCommand({ ProductCode: 'prod-container', PublicKeyVersion: 1, Nonce: 'nonce-1', ...overrides }));

	it('answers a PS256 JWT over the claims that verifies with the public key', async () => {
		const before = Math.floor(Date.now() / 1000);
		const answer = await register();
		expect(answer.PublicKeyRotationTimestamp).toBeInstanceOf(Date);
		const [header, payload, signature] = answer.Signature!.split('.');
		expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'PS256', typ: 'JWT' });
		const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
		expect(claims).toEqual({ ProductCode: 'prod-container', PublicKeyVersion: 1, Nonce: 'nonce-1', iat: expect.any(Number) });
		expect(claims.iat).toBeGreaterThanOrEqual(before);
		const verifies = (saltLength: number) =>
			createVerify('sha256')
				.update(`${header}.${payload}`)
				.verify({ key: emulator().publicKeyPem, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, Buffer.from(signature, 'base64url'));
		expect(verifies(32)).toBe(true);
		expect(verifies(20)).toBe(false);
	});

	it('leaves the nonce out of the claims when none is sent', async () => {
		const payload = (await register({ Nonce: undefined })).Signature!.split('.')[1];
		expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).not.toHaveProperty('Nonce');
	});

	it('rejects other key versions, unknown or non-container products, unentitled customers and unsupported platforms', async () => {
		await expect(register({ PublicKeyVersion: 2 })).rejects.toBeInstanceOf(InvalidPublicKeyVersionException);
		await expect(register({ ProductCode: 'prod-unknown' })).rejects.toBeInstanceOf(InvalidProductCodeException);
		await expect(register({ ProductCode: 'prod-ami' })).rejects.toBeInstanceOf(InvalidProductCodeException);
		await expect(register({ ProductCode: 'prod-unentitled' })).rejects.toBeInstanceOf(CustomerNotEntitledException);
		await expect(register({ ProductCode: 'prod-eks-only' })).rejects.toBeInstanceOf(PlatformNotSupportedException);
	});
});

describe('open mode (no products, customers or tokens configured)', () => {
	const open = useEmulator();

	it('meters any product, dimension and subscribed customer', async () => {
		const openClient = meteringClient(open());
		const answer = await openClient.send(new BatchMeterUsageCommand({ UsageRecords: [record({ Dimension: 'anything', LicenseArn: LICENSE_B })] }));
		expect(answer.Results![0].Status).toBe('Success');
		const meterUsage = await openClient.send(new MeterUsageCommand({ ProductCode: 'any', UsageDimension: 'any', Timestamp: hourStart() }));
		expect(meterUsage.MeteringRecordId).toEqual(expect.any(String));
		expect(open().stats().meteredQuantity()).toBe(10);
	});
});
