import { createVerify, constants } from 'node:crypto';

import {
	BatchMeterUsageCommand,
	CustomerNotEntitledException,
	DisabledApiException,
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

import { DEFAULT_TEST_CREDENTIAL, startEmulator } from '../../emulator';
import { meteringClient, sendSigned, useEmulator } from '../helpers/emulator';

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
		{ productCode: 'prod-rotated', type: 'container', dimensions: ['pods'], publicKeyRotatedAt: '2026-10-01T12:00:00.000Z' },
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

	it('answers a dry run with DryRunOperation after authorization only: before faults, validation and the product checks', async () => {
		const dryRun = { name: 'DryRunOperation', message: 'Request would have succeeded, but DryRun flag is set.' };
		await expect(meter({ DryRun: true })).rejects.toMatchObject(dryRun);
		const invalid = { DryRun: true, ProductCode: 'prod-unknown', UsageDimension: '', UsageQuantity: -1, Timestamp: new Date(Date.now() - 7 * HOUR) };
		await expect(meter(invalid)).rejects.toMatchObject(dryRun);
		emulator().setFaults({ throttleRate: 1 });
		try {
			await expect(meter({ DryRun: true })).rejects.toMatchObject(dryRun);
		} finally {
			emulator().setFaults({});
		}
		expect(emulator().stats().billed).toEqual({});
		expect(emulator().log.every((entry) => entry.errorType === 'DryRunOperation' && !entry.validationErrors)).toBe(true);
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

	describe('on Amazon Bedrock AgentCore Runtime', () => {
		const AGENTCORE = { accessKeyId: 'AKIAAGENTCORE0000001', secretAccessKey: 'agentcore-secret', runtime: 'agentcore' as const };
		const agentCore = useEmulator({ credentials: [DEFAULT_TEST_CREDENTIAL, AGENTCORE] });
		beforeEach(() => agentCore().reset());
		const at = new Date(Date.now() - 20 * 60_000 + 123);
		const report = (overrides: Record<string, unknown> = {}) =>
			meteringClient(agentCore(), AGENTCORE).send(
				new MeterUsageCommand({ ProductCode: 'prod-agent', UsageDimension: 'calls', UsageQuantity: 3, Timestamp: at, ...overrides }),
			);

		it('requires a ClientToken, and names it', async () => {
			const body = JSON.stringify({ ProductCode: 'prod-agent', UsageDimension: 'calls', UsageQuantity: 3, Timestamp: at.getTime() / 1000 });
			const answer = await sendSigned(agentCore(), { operation: 'MeterUsage', body, credentials: AGENTCORE });
			expect([answer.status, answer.json()]).toEqual([400, { __type: 'ValidationException', message: expect.stringContaining('ClientToken') }]);
			expect(agentCore().stats().billed).toEqual({});
		});

		it('bills every new ClientToken, many per hour, at the exact timestamp; the same token again bills nothing', async () => {
			const first = await report({ ClientToken: 'report-1' });
			const second = await report({ ClientToken: 'report-2' });
			const third = await report({ ClientToken: 'report-3', UsageQuantity: 5, Timestamp: new Date(at.getTime() + 1000) });
			expect(new Set([first.MeteringRecordId, second.MeteringRecordId, third.MeteringRecordId]).size).toBe(3);
			expect((await report({ ClientToken: 'report-1' })).MeteringRecordId).toBe(first.MeteringRecordId);
			await expect(report({ ClientToken: 'report-1', UsageQuantity: 4 })).rejects.toMatchObject({ name: 'IdempotencyConflictException', $metadata: { httpStatusCode: 409 } });
			expect(agentCore().stats().meteredQuantity({ product: 'prod-agent', customer: AGENTCORE.accessKeyId, dimension: 'calls' })).toBe(11);
			expect(Object.keys(agentCore().stats().billed)).toContain(`prod-agent|${AGENTCORE.accessKeyId}|calls|${at.toISOString()}|report-1`);
		});

		it('leaves hourly callers as they are: one report per hour and dimension', async () => {
			const hourly = meteringClient(agentCore());
			const input = { ProductCode: 'prod-agent', UsageDimension: 'calls', UsageQuantity: 3, Timestamp: at };
			await hourly.send(new MeterUsageCommand({ ...input, ClientToken: 'hourly-1' }));
			await expect(hourly.send(new MeterUsageCommand({ ...input, UsageQuantity: 4, ClientToken: 'hourly-2' }))).rejects.toBeInstanceOf(DuplicateRequestException);
			expect(Object.keys(agentCore().stats().billed)).toEqual([`prod-agent|${DEFAULT_TEST_CREDENTIAL.accessKeyId}|calls|${new Date(Math.floor(at.getTime() / HOUR) * HOUR).toISOString()}`]);
		});
	});
});

describe('RegisterUsage', () => {
	const register = (overrides: Record<string, unknown> = {}) =>
		client().send(new RegisterUsageCommand({ ProductCode: 'prod-container', PublicKeyVersion: 1, Nonce: 'nonce-1', ...overrides }));

	it('answers a PS256 JWT over the claims that verifies with the public key', async () => {
		const before = Math.floor(Date.now() / 1000);
		const answer = await register();
		expect(answer.PublicKeyRotationTimestamp).toBeUndefined();
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

	it('answers PublicKeyRotationTimestamp only once the product’s key was rotated', async () => {
		expect((await register({ ProductCode: 'prod-rotated' })).PublicKeyRotationTimestamp).toEqual(new Date('2026-10-01T12:00:00.000Z'));
	});

	describe('with signatureClaims camelCase', () => {
		const camel = useEmulator({ signatureClaims: 'camelCase' });

		it('signs productCode, publicKeyVersion and nonce', async () => {
			const answer = await meteringClient(camel()).send(new RegisterUsageCommand({ ProductCode: 'prod-container', PublicKeyVersion: 1, Nonce: 'nonce-1' }));
			const claims = JSON.parse(Buffer.from(answer.Signature!.split('.')[1], 'base64url').toString());
			expect(claims).toEqual({ productCode: 'prod-container', publicKeyVersion: 1, nonce: 'nonce-1', iat: expect.any(Number) });
		});

		it('refuses another spelling', async () => {
			await expect(startEmulator({ signatureClaims: 'snake_case' as never })).rejects.toThrow("signatureClaims must be 'PascalCase' or 'camelCase'");
		});
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

describe('license ARN spellings (AWS’s documents disagree): licenseArnSpelling and exactLicenseArn', () => {
	const ID = 'l-0000000000000000000000000000000a';
	const SPELLED = {
		'license:': `arn:aws:license-manager::123456789012:license:${ID}`,
		'license/': `arn:aws:license-manager::123456789012:license/${ID}`,
	};
	const EVENTBRIDGE_WITH_ARN = `arn:aws:license-manager:us-east-1:123456789012:${ID}`;
	const reading = (licenseArnSpelling: 'license:' | 'license/', exactLicenseArn?: boolean) =>
		useEmulator({
			licenseArnSpelling,
			...(exactLicenseArn !== undefined ? { exactLicenseArn } : {}),
			products: [{ productCode: 'prod-saas', type: 'saas', dimensions: ['requests'] }],
			// Configured in the other spelling: the setting decides what is issued.
			customers: [{ customerAWSAccountId: '111122223333', productCode: 'prod-saas', licenseArn: SPELLED['license:'] }],
			registrationTokens: [{ token: 'token-new', customerAWSAccountId: '111122223333', productCode: 'prod-saas', licenseArn: SPELLED['license:'] }],
		});
	const slashStrict = reading('license/');
	const colonStrict = reading('license:', true);
	const slashLenient = reading('license/', false);
	beforeEach(() => [slashStrict, colonStrict, slashLenient].forEach((emulator) => emulator().reset()));
	const send = (emulator: typeof slashStrict, LicenseArn: string, Quantity = 10) =>
		meteringClient(emulator()).send(new BatchMeterUsageCommand({ UsageRecords: [record({ LicenseArn, Quantity })] }));

	it('ResolveCustomer issues the license in the configured spelling', async () => {
		for (const [emulator, spelling] of [[slashStrict, 'license/'], [colonStrict, 'license:']] as const) {
			const answer = await meteringClient(emulator()).send(new ResolveCustomerCommand({ RegistrationToken: 'token-new' }));
			expect(answer.LicenseArn).toBe(SPELLED[spelling]);
		}
	});

	it('exact (the default): only the issued string is a license; any other spelling is InvalidLicenseException', async () => {
		expect((await send(slashStrict, SPELLED['license/'])).Results![0].Status).toBe('Success');
		await expect(send(slashStrict, SPELLED['license:'])).rejects.toBeInstanceOf(InvalidLicenseException);
		await expect(send(slashStrict, EVENTBRIDGE_WITH_ARN)).rejects.toBeInstanceOf(InvalidLicenseException);
		expect((await send(colonStrict, SPELLED['license:'])).Results![0].Status).toBe('Success');
		await expect(send(colonStrict, SPELLED['license/'])).rejects.toBeInstanceOf(InvalidLicenseException);
		expect(slashStrict().stats().meteredQuantity()).toBe(10);
	});

	it('any spelling: each spelling of the issued license is that license, billed once under the issued ARN', async () => {
		const first = await send(slashLenient, SPELLED['license:']);
		expect(first.Results![0].Status).toBe('Success');
		const again = await send(slashLenient, EVENTBRIDGE_WITH_ARN);
		expect(again.Results![0]).toMatchObject({ Status: 'Success', MeteringRecordId: first.Results![0].MeteringRecordId });
		expect((await send(slashLenient, SPELLED['license/'], 11)).Results![0].Status).toBe('DuplicateRecord');
		expect(Object.keys(slashLenient().stats().billed)).toEqual([expect.stringMatching(new RegExp(`^${SPELLED['license/'].replace(/[/]/g, '\\/')}\\|`))]);
		expect(slashLenient().stats().meteredQuantity()).toBe(10);
	});

	it('refuses a setting it does not know', async () => {
		await expect(startEmulator({ licenseArnSpelling: 'license' as 'license:' })).rejects.toThrow("licenseArnSpelling must be 'license:' or 'license/'");
		await expect(startEmulator({ exactLicenseArn: 'yes' as unknown as boolean })).rejects.toThrow('exactLicenseArn must be true or false');
	});
});

describe('BatchMeterUsage time window, by the emulator’s clock', () => {
	let clock = new Date('2030-03-15T12:30:00Z');
	const windowed = useEmulator({ now: () => clock });
	const sixHours = useEmulator({ now: () => clock, batchWindowHours: 6 });
	const wide = useEmulator({ now: () => clock, batchWindowHours: 48 });
	beforeEach(() => [windowed, sixHours, wide].forEach((emulator) => emulator().reset()));
	const at = (time: string | number) => record({ Timestamp: new Date(time) });
	const send = (records: UsageRecord[], target = windowed) => meteringClient(target()).send(new BatchMeterUsageCommand({ UsageRecords: records }));
	const accepted = async (time: string | number, target = windowed) => (await send([at(time)], target)).Results![0].Status;

	it('takes records younger than 24 hours by default and rejects the whole request for one of 24 hours or more', async () => {
		clock = new Date('2030-03-15T12:30:00Z');
		expect(await accepted(clock.getTime() - 24 * HOUR + 1000)).toBe('Success');
		const boundary = send([record({ Timestamp: clock, Dimension: 'users' }), at(clock.getTime() - 24 * HOUR)]);
		await expect(boundary).rejects.toBeInstanceOf(TimestampOutOfBoundsException);
		await expect(boundary).rejects.toThrow('The timestamp 2030-03-14T12:30:00.000Z is out of the allowed range: within the last 24 hours.');
		expect(windowed().stats().meteredQuantity({ dimension: 'users' })).toBe(0);
		// The future tolerance is unchanged: five minutes.
		expect(await accepted(clock.getTime() + 5 * 60_000)).toBe('Success');
		await expect(send([at(clock.getTime() + 5 * 60_000 + 1000)])).rejects.toBeInstanceOf(TimestampOutOfBoundsException);
	});

	it('keeps another window when one is configured', async () => {
		clock = new Date('2030-03-15T12:30:00Z');
		expect(await accepted(clock.getTime() - 6 * HOUR + 1000, sixHours)).toBe('Success');
		await expect(send([at(clock.getTime() - 6 * HOUR)], sixHours)).rejects.toThrow(/within the last 6 hours/);
	});

	it('takes usage of the previous month until 06:00 UTC on the 1st, and none after', async () => {
		clock = new Date('2030-03-01T05:59:59Z');
		expect(await accepted('2030-02-28T23:00:00Z')).toBe('Success');
		expect(await accepted('2030-02-28T06:00:00Z')).toBe('Success');
		clock = new Date('2030-03-01T06:00:00Z');
		const late = send([at('2030-03-01T00:00:00Z'), at('2030-02-28T23:00:00Z')]);
		await expect(late).rejects.toBeInstanceOf(TimestampOutOfBoundsException);
		await expect(late).rejects.toThrow(
			'The timestamp 2030-02-28T23:00:00.000Z is out of the allowed range: usage of the previous month is accepted until 2030-03-01T06:00:00.000Z.',
		);
		expect(await accepted('2030-03-01T00:00:00Z')).toBe('Success');
		// A longer window does not reopen the previous month, across a year's end too.
		clock = new Date('2031-01-02T00:00:00Z');
		await expect(send([at('2030-12-31T23:00:00Z')], wide)).rejects.toThrow(/usage of the previous month is accepted until 2031-01-01T06:00:00.000Z/);
		expect(await accepted('2031-01-01T00:00:00Z', wide)).toBe('Success');
	});

	it('leaves MeterUsage its 6-hour window', async () => {
		clock = new Date('2030-03-15T12:30:00Z');
		const meter = (time: number) =>
			meteringClient(windowed()).send(new MeterUsageCommand({ ProductCode: 'prod-ami', UsageDimension: 'vcpu-hours', UsageQuantity: 1, Timestamp: new Date(time) }));
		expect((await meter(clock.getTime() - 6 * HOUR + 1000)).MeteringRecordId).toEqual(expect.any(String));
		await expect(meter(clock.getTime() - 6 * HOUR)).rejects.toBeInstanceOf(TimestampOutOfBoundsException);
	});
});

describe('identicalResend', () => {
	const strict = useEmulator({ identicalResend: 'duplicateRecord' });
	const send = (records: UsageRecord[]) => meteringClient(strict()).send(new BatchMeterUsageCommand({ UsageRecords: records }));

	it("'duplicateRecord' answers the same quantity for a billed key DuplicateRecord, without an ID, and bills it once", async () => {
		const first = await send([record()]);
		expect(first.Results![0]).toMatchObject({ Status: 'Success', MeteringRecordId: expect.any(String) });
		const again = await send([record({ Timestamp: new Date(hourStart(1).getTime() + 30 * 60_000) }), record({ Quantity: 11 })]);
		expect(again.Results!.map((result) => [result.Status, result.MeteringRecordId])).toEqual([
			['DuplicateRecord', undefined],
			['DuplicateRecord', undefined],
		]);
		// Within one request too: the first record bills, its twin is a duplicate.
		const twins = await send([record({ Dimension: 'users' }), record({ Dimension: 'users' })]);
		expect(twins.Results!.map((result) => result.Status)).toEqual(['Success', 'DuplicateRecord']);
		expect(strict().stats().billed[`${LICENSE_A}|111122223333|requests|${hourStart(1).toISOString()}`]).toEqual({
			quantity: 10,
			meteringRecordId: first.Results![0].MeteringRecordId,
		});
		expect(strict().stats().meteredQuantity()).toBe(20);
	});

	it('refuses an unknown setting', async () => {
		await expect(startEmulator({ identicalResend: 'ignore' as 'success' })).rejects.toThrow("identicalResend must be 'success' or 'duplicateRecord', not \"ignore\"");
	});
});

describe('disabledOperations', () => {
	const DENIED = { accessKeyId: 'AKIAEMULATORDENIED03', secretAccessKey: 'denied-secret', deniedActions: ['aws-marketplace:BatchMeterUsage'] };
	const disabled = useEmulator({ credentials: [DEFAULT_TEST_CREDENTIAL, DENIED], disabledOperations: ['BatchMeterUsage'] });
	beforeEach(() => {
		disabled().reset();
		disabled().setFaults({});
	});
	const send = (credentials = DEFAULT_TEST_CREDENTIAL) =>
		meteringClient(disabled(), credentials).send(new BatchMeterUsageCommand({ UsageRecords: [record()] }));

	it('answers a disabled operation DisabledApiException (HTTP 400) and bills nothing; the others work', async () => {
		const answer = send();
		await expect(answer).rejects.toBeInstanceOf(DisabledApiException);
		await expect(answer).rejects.toMatchObject({ message: 'The API is disabled in the Region.', $metadata: { httpStatusCode: 400 } });
		const raw = await sendSigned(disabled(), { operation: 'BatchMeterUsage', body: '{"UsageRecords":[]}' });
		expect([raw.status, raw.json()]).toEqual([400, { __type: 'DisabledApiException', message: 'The API is disabled in the Region.' }]);
		expect(disabled().stats().billed).toEqual({});
		expect(disabled().stats().requests.BatchMeterUsage).toEqual({ DisabledApiException: 2 });
		const meterUsage = meteringClient(disabled()).send(new MeterUsageCommand({ ProductCode: 'any', UsageDimension: 'any', Timestamp: hourStart() }));
		expect((await meterUsage).MeteringRecordId).toEqual(expect.any(String));
	});

	it('checks authentication and authorization first, and comes before faults and validation', async () => {
		await expect(send({ ...DEFAULT_TEST_CREDENTIAL, secretAccessKey: 'wrong' })).rejects.toMatchObject({ name: 'InvalidSignatureException' });
		await expect(send(DENIED)).rejects.toMatchObject({ name: 'AccessDeniedException' });
		disabled().setFaults({ throttleRate: 1 });
		await expect(send()).rejects.toBeInstanceOf(DisabledApiException);
		disabled().setFaults({});
		const invalid = await sendSigned(disabled(), { operation: 'BatchMeterUsage', body: '{"UsageRecords":"none"}' });
		expect(invalid.json()).toMatchObject({ __type: 'DisabledApiException' });
	});

	it('refuses a name that is not a metering operation', async () => {
		await expect(startEmulator({ disabledOperations: ['BatchMeterUsage', 'MeterUsages'] })).rejects.toThrow(/^disabledOperations: MeterUsages is not one of BatchMeterUsage, /);
	});
});
