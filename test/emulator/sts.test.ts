import { MarketplaceMeteringClient, ResolveCustomerCommand } from '@aws-sdk/client-marketplace-metering';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';

import { DEFAULT_TEST_CREDENTIAL, type EmulatorCredential } from '../../emulator';
import { sendSigned, useEmulator } from '../helpers/emulator';

const ROLE_ARN = 'arn:aws:iam::210987654321:role/metering/MeteringRole';
const NO_ASSUME = { accessKeyId: 'AKIAEMULATORNOASSUME', secretAccessKey: 'no-assume-secret', principalArn: 'arn:aws:iam::123456789012:user/ci', deniedActions: ['sts:AssumeRole'] };

describe('STS', () => {
	const emulator = useEmulator({
		credentials: [DEFAULT_TEST_CREDENTIAL, NO_ASSUME],
		registrationTokens: [{ token: 'token-1', customerAWSAccountId: '111122223333', productCode: 'prod' }],
	});
	beforeEach(() => emulator().reset());

	const roleClient = (masterCredentials: EmulatorCredential, params: Record<string, unknown> = {}) =>
		new MarketplaceMeteringClient({
			endpoint: emulator().url,
			region: emulator().region,
			maxAttempts: 1,
			credentials: fromTemporaryCredentials({
				masterCredentials: { accessKeyId: masterCredentials.accessKeyId, secretAccessKey: masterCredentials.secretAccessKey },
				params: { RoleArn: ROLE_ARN, RoleSessionName: 'n8n-session', ExternalId: 'external-1', ...params },
				clientConfig: { endpoint: emulator().url, region: emulator().region, maxAttempts: 1 },
			}),
		});
	const callerIdentity = async (credentials: Pick<EmulatorCredential, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>) =>
		(await sendSigned(emulator(), { body: 'Action=GetCallerIdentity&Version=2011-06-15', credentials })).text;

	it('assumes a role: the temporary credentials sign metering calls with their session token', async () => {
		const client = roleClient(DEFAULT_TEST_CREDENTIAL);
		expect((await client.send(new ResolveCustomerCommand({ RegistrationToken: 'token-1' }))).CustomerAWSAccountId).toBe('111122223333');
		const [assume, call] = emulator().log;
		expect(assume).toMatchObject({
			operation: 'AssumeRole',
			httpStatus: 200,
			accessKeyId: DEFAULT_TEST_CREDENTIAL.accessKeyId,
			body: { Action: 'AssumeRole', Version: '2011-06-15', RoleArn: ROLE_ARN, RoleSessionName: 'n8n-session', ExternalId: 'external-1' },
		});
		expect(call).toMatchObject({ operation: 'ResolveCustomer', httpStatus: 200, sessionToken: true, accessKeyId: expect.stringMatching(/^ASIA[A-Z2-7]{16}$/) });

		const issued = await client.config.credentials();
		expect(issued.expiration!.getTime() - Date.now()).toBeGreaterThan(59 * 60_000);
		expect(issued.expiration!.getTime() - Date.now()).toBeLessThanOrEqual(3600_000);
		const identity = await callerIdentity(issued);
		expect(identity).toContain('<Arn>arn:aws:sts::210987654321:assumed-role/MeteringRole/n8n-session</Arn>');
		expect(identity).toContain('<Account>210987654321</Account>');
	});

	it('names the caller of GetCallerIdentity', async () => {
		const identity = await callerIdentity(DEFAULT_TEST_CREDENTIAL);
		expect(identity).toMatch(/^<GetCallerIdentityResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/"><GetCallerIdentityResult>/);
		expect(identity).toContain('<Arn>arn:aws:iam::123456789012:user/emulator</Arn><UserId>AKIAEMULATOREXAMPLE1</UserId><Account>123456789012</Account>');
	});

	it('refuses the temporary credentials once they expire', async () => {
		const client = roleClient(DEFAULT_TEST_CREDENTIAL);
		await client.send(new ResolveCustomerCommand({ RegistrationToken: 'token-1' }));
		emulator().expireSessionToken(emulator().log[1].accessKeyId!);
		await expect(client.send(new ResolveCustomerCommand({ RegistrationToken: 'token-1' }))).rejects.toMatchObject({ name: 'ExpiredTokenException' });
	});

	it('answers STS errors as awsQuery XML that the SDK maps', async () => {
		const denied = roleClient(NO_ASSUME).send(new ResolveCustomerCommand({ RegistrationToken: 'token-1' }));
		await expect(denied).rejects.toThrow(`User: arn:aws:iam::123456789012:user/ci is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}`);
		expect(emulator().log[0]).toMatchObject({ operation: 'AssumeRole', httpStatus: 403, errorType: 'AccessDenied' });

		const wrongSecret = roleClient({ ...DEFAULT_TEST_CREDENTIAL, secretAccessKey: 'wrong' }).send(new ResolveCustomerCommand({ RegistrationToken: 'token-1' }));
		await expect(wrongSecret).rejects.toThrow(/The request signature we calculated does not match/);
		expect(emulator().log[1]).toMatchObject({ httpStatus: 403, errorType: 'SignatureDoesNotMatch' });

		const badSession = roleClient(DEFAULT_TEST_CREDENTIAL, { RoleSessionName: 'has spaces' }).send(new ResolveCustomerCommand({ RegistrationToken: 'token-1' }));
		await expect(badSession).rejects.toThrow(/Value 'has spaces' at 'roleSessionName' failed to satisfy constraint/);
		expect(emulator().log[2]).toMatchObject({ httpStatus: 400, errorType: 'ValidationError', validationErrors: [expect.stringContaining('roleSessionName')] });

		const unknownKey = await sendSigned(emulator(), {
			body: 'Action=GetCallerIdentity&Version=2011-06-15',
			credentials: { accessKeyId: 'AKIANOSUCHKEY0000001', secretAccessKey: 'x' },
		});
		expect(unknownKey.status).toBe(403);
		expect(unknownKey.text).toMatch(/<Error><Type>Sender<\/Type><Code>InvalidClientTokenId<\/Code><Message>The security token included in the request is invalid.<\/Message><\/Error>/);
	});
});
