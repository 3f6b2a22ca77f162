import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { DEFAULT_TEST_CREDENTIAL } from '../../emulator';
import { useEmulator } from '../helpers/emulator';

// Fidelity with a client nobody on this project wrote: AWS's Python SDK must parse every answer of the
// emulator into the right shape or modelled exception. Without boto3 the suite is skipped, saying why.
const probe = spawnSync('python3', ['-c', 'import boto3'], { encoding: 'utf8' });
const boto3Missing = probe.error?.message ?? (probe.status === 0 ? undefined : probe.stderr.trim().split('\n').pop());
if (boto3Missing) console.warn(`boto3 fidelity tests skipped: python3 cannot import boto3 (${boto3Missing}). Install it with: python3 -m pip install boto3`);

const LICENSE = 'arn:aws:license-manager::123456789012:license:l-0000000000000000000000000000000a';
const KEYS = {
	default: DEFAULT_TEST_CREDENTIAL,
	session: { accessKeyId: 'ASIABOTO3SESSION0001', secretAccessKey: 'boto3-session-secret', sessionToken: 'boto3-session-token' },
	expired: { accessKeyId: 'ASIABOTO3EXPIRED0001', secretAccessKey: 'boto3-expired-secret', sessionToken: 'boto3-expired-token' },
	denied: { accessKeyId: 'AKIABOTO3DENIED00001', secretAccessKey: 'boto3-denied-secret', principalArn: 'arn:aws:iam::123456789012:user/boto3', deniedActions: ['aws-marketplace:BatchMeterUsage'] },
};

interface Observation {
	result?: Record<string, unknown>;
	exception?: string;
	code?: string;
	http?: number;
	modelled?: boolean;
	message?: string;
}

(boto3Missing ? describe.skip : describe)('boto3 against the emulator', () => {
	const emulator = useEmulator({
		credentials: Object.values(KEYS),
		products: [
			{ productCode: 'prod-saas', type: 'saas', dimensions: ['requests', 'users'] },
			{ productCode: 'prod-ami', type: 'ami', dimensions: ['vcpu-hours', 'other-hours'] },
			{ productCode: 'prod-container', type: 'container', dimensions: ['pods'], publicKeyRotatedAt: '2026-10-01T12:00:00.000Z' },
			{ productCode: 'prod-unentitled', type: 'container', dimensions: ['pods'], notEntitled: true },
			{ productCode: 'prod-eks-only', type: 'container', dimensions: ['pods'], platformNotSupported: true },
		],
		customers: [
			{ customerAWSAccountId: '111122223333', productCode: 'prod-saas', licenseArn: LICENSE },
			{ customerAWSAccountId: '777788889999', customerIdentifier: 'legacy-1', productCode: 'prod-saas' },
		],
		agreements: [
			{
				agreementId: 'agmt-boto3',
				acceptorAccountId: '111122223333',
				status: 'ACTIVE',
				productId: 'prod-boto3',
				productType: 'SaaSProduct',
				productCode: 'prod-saas',
				offerId: 'offer-boto3',
				acceptanceTime: '2026-01-01T00:00:00Z',
				startTime: '2026-01-01T00:00:00Z',
				endTime: '2027-01-01T00:00:00Z',
				licenseArns: [LICENSE],
				terms: [
					{ freeTrialPricingTerm: { type: 'FreeTrialPricingTerm', id: 'term-trial', duration: 'P14D', grants: [{ dimensionKey: 'users', maxQuantity: 3 }] } },
					{ usageBasedPricingTerm: { type: 'UsageBasedPricingTerm', id: 'term-usage', currencyCode: 'USD', rateCards: [{ rateCard: [{ dimensionKey: 'requests', price: '0.01' }] }] } },
					{ validityTerm: { type: 'ValidityTerm', id: 'term-validity', agreementStartDate: '2026-01-01T00:00:00Z', agreementEndDate: '2027-01-01T00:00:00Z' } },
				],
			},
			{
				agreementId: 'agmt-boto3pay',
				acceptorAccountId: '777788889999',
				status: 'ACTIVE',
				productId: 'prod-boto3',
				productType: 'SaaSProduct',
				offerId: 'offer-boto3',
				acceptanceTime: '2026-02-01T00:00:00Z',
				startTime: '2026-02-01T00:00:00Z',
			},
		],
		registrationTokens: [
			{ token: 'token-new', customerAWSAccountId: '111122223333', customerIdentifier: '', productCode: 'prod-saas', licenseArn: LICENSE },
			{ token: 'token-legacy', customerAWSAccountId: '777788889999', customerIdentifier: 'legacy-1', productCode: 'prod-saas' },
			{ token: 'token-expired', customerAWSAccountId: '111122223333', productCode: 'prod-saas', expired: true },
		],
	});
	const disabledEmulator = useEmulator({ disabledOperations: ['BatchMeterUsage'] });
	let seen: Record<string, Observation>;

	beforeAll(async () => {
		emulator().expireSessionToken(KEYS.expired.accessKeyId);
		const { stdout } = await promisify(execFile)('python3', [join(__dirname, 'boto3_client.py')], {
			env: {
				PATH: process.env.PATH,
				HOME: process.env.HOME,
				NO_PROXY: '127.0.0.1',
				AWS_CONFIG_FILE: '/dev/null',
				AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
				AWS_EC2_METADATA_DISABLED: 'true',
				EMULATOR_URL: emulator().url,
				EMULATOR_DISABLED_URL: disabledEmulator().url,
				EMULATOR_REGION: emulator().region,
				EMULATOR_KEYS: JSON.stringify(KEYS),
			},
		});
		seen = JSON.parse(stdout);
	});

	const modelled = (code: string, http = 400) => ({ exception: code, code, http, modelled: true, message: expect.any(String) });
	const clientError = (code: string, http = 400) => ({ exception: 'ClientError', code, http, modelled: false, message: expect.any(String) });

	it('parses ResolveCustomer answers and its exceptions', () => {
		expect(seen.resolveNew).toEqual({ result: { CustomerIdentifier: '', CustomerAWSAccountId: '111122223333', ProductCode: 'prod-saas', LicenseArn: LICENSE } });
		expect(seen.resolveLegacy).toEqual({ result: { CustomerIdentifier: 'legacy-1', CustomerAWSAccountId: '777788889999', ProductCode: 'prod-saas' } });
		expect(seen.resolveInvalid).toEqual(modelled('InvalidTokenException'));
		expect(seen.resolveExpired).toEqual(modelled('ExpiredTokenException'));
	});

	it('parses BatchMeterUsage results, statuses and exceptions', () => {
		const hour = new Date(Math.floor(Date.now() / 3600_000) * 3600_000).toISOString().replace('.000Z', '+00:00');
		const usageRecord = { Timestamp: { datetime: hour }, CustomerAWSAccountId: '111122223333', LicenseArn: LICENSE, Dimension: 'requests', Quantity: 7 };
		const results = seen.batch.result!.Results as { MeteringRecordId?: string }[];
		expect(seen.batch.result).toEqual({
			Results: [
				{ UsageRecord: usageRecord, MeteringRecordId: expect.any(String), Status: 'Success' },
				{ UsageRecord: { Timestamp: { datetime: hour }, CustomerAWSAccountId: '999999999999', Dimension: 'requests', Quantity: 7 }, Status: 'CustomerNotSubscribed' },
			],
			UnprocessedRecords: [],
		});
		expect(seen.batchAgain.result).toEqual({ Results: [{ UsageRecord: usageRecord, MeteringRecordId: results[0].MeteringRecordId, Status: 'Success' }], UnprocessedRecords: [] });
		expect(seen.batchDuplicate.result!.Results).toEqual([{ UsageRecord: { ...usageRecord, Quantity: 8 }, Status: 'DuplicateRecord' }]);
		expect(seen.batchLegacy.result!.Results).toEqual([expect.objectContaining({ Status: 'Success' })]);
		expect(seen.batchOld).toEqual(modelled('TimestampOutOfBoundsException'));
		expect(seen.batchDimension).toEqual(modelled('InvalidUsageDimensionException'));
		expect(seen.batchLicense).toEqual(modelled('InvalidLicenseException'));
		expect(seen.batchLicenseAccount).toEqual(modelled('InvalidLicenseException'));
		expect(seen.batchDisabled).toEqual({ ...modelled('DisabledApiException'), message: 'The API is disabled in the Region.' });
		expect(seen.batchBothCustomers).toEqual(modelled('InvalidCustomerIdentifierException'));
		expect(seen.batchAllocations).toEqual(modelled('InvalidUsageAllocationsException'));
		expect(seen.batchTooLongProductCode).toEqual({
			...clientError('ValidationException'),
			message: expect.stringMatching(/^1 validation error detected: Value 'p+' at 'productCode' failed to satisfy constraint: Member must have length less than or equal to 255$/),
		});
	});

	it('parses MeterUsage answers, idempotency and dry runs', () => {
		expect(seen.meterUsage).toEqual({ result: { MeteringRecordId: expect.any(String) } });
		expect(seen.meterUsageSameToken).toEqual(seen.meterUsage);
		expect(seen.meterUsageConflict).toEqual(modelled('IdempotencyConflictException', 409));
		expect(seen.meterUsageDuplicate).toEqual(modelled('DuplicateRequestException'));
		expect(seen.meterUsageDryRun).toEqual({ ...clientError('DryRunOperation'), message: 'Request would have succeeded, but DryRun flag is set.' });
		expect(seen.meterUsageProduct).toEqual(modelled('InvalidProductCodeException'));
	});

	it('parses RegisterUsage answers and exceptions', () => {
		expect(seen.registerUsage).toEqual({ result: { PublicKeyRotationTimestamp: { datetime: expect.any(String) }, Signature: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) } });
		const claims = JSON.parse(Buffer.from(String(seen.registerUsage.result!.Signature).split('.')[1], 'base64url').toString());
		expect(claims).toMatchObject({ ProductCode: 'prod-container', PublicKeyVersion: 1, Nonce: 'boto3-nonce' });
		expect(seen.registerUsageVersion).toEqual(modelled('InvalidPublicKeyVersionException'));
		expect(seen.registerUsageNotEntitled).toEqual(modelled('CustomerNotEntitledException'));
		expect(seen.registerUsagePlatform).toEqual(modelled('PlatformNotSupportedException'));
	});

	it('signs as the emulator expects: static keys, session tokens, errors for the wrong ones', () => {
		expect(seen.wrongSecret).toEqual(clientError('InvalidSignatureException'));
		expect(seen.unknownKey).toEqual({ ...clientError('UnrecognizedClientException'), message: 'The security token included in the request is invalid.' });
		expect(seen.session.result).toMatchObject({ CustomerAWSAccountId: '111122223333' });
		expect(seen.sessionWithoutToken).toEqual(clientError('UnrecognizedClientException'));
		expect(seen.sessionExpired).toEqual({ ...modelled('ExpiredTokenException'), message: 'The security token included in the request is expired' });
		expect(seen.denied).toEqual({
			...clientError('AccessDeniedException'),
			message: 'User: arn:aws:iam::123456789012:user/boto3 is not authorized to perform: aws-marketplace:BatchMeterUsage',
		});
	});

	it('assumes a role through STS and meters with the temporary credentials', () => {
		expect(seen.assumeRole.result).toEqual({
			Credentials: { AccessKeyId: 'str', SecretAccessKey: 'str', SessionToken: 'str', Expiration: 'dict' },
			AssumedRoleUser: { AssumedRoleId: expect.stringMatching(/^AROA\w+:boto3$/), Arn: 'arn:aws:sts::210987654321:assumed-role/Metering/boto3' },
			PackedPolicySize: 0,
		});
		expect(seen.roleCall.result).toMatchObject({ CustomerAWSAccountId: '111122223333' });
		expect(seen.roleIdentity.result).toMatchObject({ Arn: 'arn:aws:sts::210987654321:assumed-role/Metering/boto3', Account: '210987654321' });
	});

	it('parses the Agreement Service’s answers (awsJson 1.0) into its model: DescribeAgreement, GetAgreementTerms, SearchAgreements', () => {
		expect(seen.describeAgreement.result).toEqual({
			agreementId: 'agmt-boto3',
			acceptor: { accountId: '111122223333' },
			proposer: { accountId: '123456789012' },
			startTime: { datetime: '2026-01-01T00:00:00+00:00' },
			endTime: { datetime: '2027-01-01T00:00:00+00:00' },
			acceptanceTime: { datetime: '2026-01-01T00:00:00+00:00' },
			agreementType: 'PurchaseAgreement',
			proposalSummary: { resources: [{ id: 'prod-boto3', type: 'SaaSProduct' }], offerId: 'offer-boto3' },
			status: 'ACTIVE',
			// The emulator's initialAgreementId is newer than this botocore's model, which drops what it does not know.
		});
		expect(seen.describeUnknownAgreement).toEqual(modelled('ResourceNotFoundException'));
		expect(seen.agreementTerms.result).toEqual({
			acceptedTerms: [
				{ freeTrialPricingTerm: { type: 'FreeTrialPricingTerm', id: 'term-trial', duration: 'P14D', grants: [{ dimensionKey: 'users', maxQuantity: 3 }] } },
				{ usageBasedPricingTerm: { type: 'UsageBasedPricingTerm', id: 'term-usage', currencyCode: 'USD', rateCards: [{ rateCard: [{ dimensionKey: 'requests', price: '0.01' }] }] } },
				{
					validityTerm: {
						type: 'ValidityTerm',
						id: 'term-validity',
						agreementStartDate: { datetime: '2026-01-01T00:00:00+00:00' },
						agreementEndDate: { datetime: '2027-01-01T00:00:00+00:00' },
					},
				},
			],
		});
		// boto3's own paginator follows the emulator's nextToken; the agreement without an end comes last.
		expect(seen.searchAgreements.result).toEqual(['agmt-boto3', 'agmt-boto3pay']);
		// What this botocore's model knows of a summary (entitlements, lastUpdateTime and the rest are newer).
		expect(seen.searchAgreementsPage.result).toEqual({
			agreementViewSummaries: [
				{
					agreementId: 'agmt-boto3',
					acceptanceTime: { datetime: '2026-01-01T00:00:00+00:00' },
					startTime: { datetime: '2026-01-01T00:00:00+00:00' },
					endTime: { datetime: '2027-01-01T00:00:00+00:00' },
					agreementType: 'PurchaseAgreement',
					acceptor: { accountId: '111122223333' },
					proposer: { accountId: '123456789012' },
					proposalSummary: { resources: [{ id: 'prod-boto3', type: 'SaaSProduct' }], offerId: 'offer-boto3' },
					status: 'ACTIVE',
				},
			],
			nextToken: expect.any(String),
		});
		expect(seen.searchWithoutPartyType).toEqual(modelled('ValidationException'));
	});

	it('parses injected throttling and server errors', () => {
		expect(seen.throttled).toEqual(modelled('ThrottlingException'));
		expect(seen.serverError).toEqual(modelled('InternalServiceErrorException', 500));
	});
});
