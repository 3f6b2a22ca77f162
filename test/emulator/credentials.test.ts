import { MarketplaceMeteringClient, ResolveCustomerCommand } from '@aws-sdk/client-marketplace-metering';

import { DEFAULT_TEST_CREDENTIAL } from '../../emulator';
import { meteringClient, sendSigned, useEmulator } from '../helpers/emulator';

const SESSION = { accessKeyId: 'ASIAEMULATORSESSION9', secretAccessKey: 'session-secret', sessionToken: 'session-token-1' };
const EXPIRING = { accessKeyId: 'ASIAEMULATOREXPIRED9', secretAccessKey: 'expiring-secret', sessionToken: 'expiring-token' };
const DENIED = {
	accessKeyId: 'AKIAEMULATORDENIED01',
	secretAccessKey: 'denied-secret',
	principalArn: 'arn:aws:iam::123456789012:user/reporter',
	deniedActions: ['aws-marketplace:ResolveCustomer'],
};
const DENIED_ALL = { accessKeyId: 'AKIAEMULATORDENIED02', secretAccessKey: 'denied-secret', deniedActions: ['aws-marketplace:*'] };

describe('SigV4 authentication and authorization', () => {
	const emulator = useEmulator({
		credentials: [DEFAULT_TEST_CREDENTIAL, SESSION, EXPIRING, DENIED, DENIED_ALL],
		registrationTokens: [{ token: 'token-1', customerAWSAccountId: '111122223333', productCode: 'prod' }],
	});
	beforeEach(() => emulator().reset());

	const resolve = (credentials: Parameters<typeof meteringClient>[1]) =>
		meteringClient(emulator(), credentials).send(new ResolveCustomerCommand({ RegistrationToken: 'token-1' }));
	const rejection = async (promise: Promise<unknown>) => {
		const error = (await promise.then(
			() => undefined,
			(failure: unknown) => failure,
		)) as { name: string; message: string; $metadata: { httpStatusCode: number } } | undefined;
		return error && { name: error.name, message: error.message, status: error.$metadata.httpStatusCode };
	};

	it('accepts the configured static keys and logs who signed', async () => {
		expect((await resolve(DEFAULT_TEST_CREDENTIAL)).CustomerAWSAccountId).toBe('111122223333');
		expect(emulator().log).toMatchObject([{ operation: 'ResolveCustomer', httpStatus: 200, accessKeyId: DEFAULT_TEST_CREDENTIAL.accessKeyId, sessionToken: false }]);
	});

	it('rejects an unknown key and a wrong secret as AWS does', async () => {
		expect(await rejection(resolve({ ...DEFAULT_TEST_CREDENTIAL, accessKeyId: 'AKIANOSUCHKEY0000001' }))).toEqual({
			name: 'UnrecognizedClientException',
			message: 'The security token included in the request is invalid.',
			status: 400,
		});
		expect(await rejection(resolve({ ...DEFAULT_TEST_CREDENTIAL, secretAccessKey: 'wrong' }))).toMatchObject({
			name: 'InvalidSignatureException',
			message: expect.stringMatching(/^The request signature we calculated does not match the signature you provided/),
			status: 400,
		});
		expect(emulator().log.map((entry) => entry.errorType)).toEqual(['UnrecognizedClientException', 'InvalidSignatureException']);
	});

	it('requires the session token of temporary keys, and only theirs', async () => {
		await resolve(SESSION);
		expect(emulator().log[0]).toMatchObject({ httpStatus: 200, accessKeyId: SESSION.accessKeyId, sessionToken: true });
		const invalid = { name: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.', status: 400 };
		expect(await rejection(resolve({ ...SESSION, sessionToken: undefined }))).toEqual(invalid);
		expect(await rejection(resolve({ ...SESSION, sessionToken: 'other-token' }))).toEqual(invalid);
		expect(await rejection(resolve({ ...DEFAULT_TEST_CREDENTIAL, sessionToken: 'unexpected' }))).toEqual(invalid);
	});

	it('answers ExpiredTokenException once a session token is expired', async () => {
		await resolve(EXPIRING);
		emulator().expireSessionToken(EXPIRING.accessKeyId);
		expect(await rejection(resolve(EXPIRING))).toEqual({
			name: 'ExpiredTokenException',
			message: 'The security token included in the request is expired',
			status: 400,
		});
	});

	it('answers AccessDeniedException naming the principal and the action', async () => {
		expect(await rejection(resolve(DENIED))).toEqual({
			name: 'AccessDeniedException',
			message: 'User: arn:aws:iam::123456789012:user/reporter is not authorized to perform: aws-marketplace:ResolveCustomer',
			status: 400,
		});
		expect(await rejection(resolve(DENIED_ALL))).toMatchObject({
			message: 'User: arn:aws:iam::123456789012:user/AKIAEMULATORDENIED02 is not authorized to perform: aws-marketplace:ResolveCustomer',
		});
	});

	it('checks the credential scope, the date and the presence of a signature', async () => {
		const body = JSON.stringify({ RegistrationToken: 'token-1' });
		const send = (overrides: Partial<Parameters<typeof sendSigned>[1]>) => sendSigned(emulator(), { operation: 'ResolveCustomer', body, ...overrides });
		expect((await send({ region: 'eu-west-1' })).json()).toEqual({
			__type: 'InvalidSignatureException',
			message: 'Credential should be scoped to a valid region. ',
		});
		expect((await send({ service: 'metering' })).json()).toEqual({
			__type: 'InvalidSignatureException',
			message: "Credential should be scoped to correct service: 'aws-marketplace'. ",
		});
		expect((await send({ signingDate: new Date(Date.now() - 20 * 60_000) })).json()).toMatchObject({
			__type: 'InvalidSignatureException',
			message: expect.stringMatching(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/),
		});
		expect((await send({ signingDate: new Date(Date.now() + 20 * 60_000) })).json()).toMatchObject({
			message: expect.stringMatching(/^Signature not yet current: /),
		});
		expect((await send({ signingDate: new Date(Date.now() - 10 * 60_000) })).status).toBe(200);

		const unsigned = await fetch(`${emulator().url}/`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSMPMeteringService.ResolveCustomer' },
			body,
		});
		expect(await unsigned.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
	});

	it('verifies the signature over the signed headers and the body', async () => {
		const body = JSON.stringify({ RegistrationToken: 'token-1' });
		const otherTarget = await sendSigned(emulator(), { operation: 'ResolveCustomer', body, extraHeaders: { 'x-amz-target': 'AWSMPMeteringService.MeterUsage' } });
		expect(otherTarget.json()).toMatchObject({ __type: 'InvalidSignatureException' });
		const otherBody = await sendSigned(emulator(), { operation: 'ResolveCustomer', body, sentBody: JSON.stringify({ RegistrationToken: 'token-2' }) });
		expect(otherBody.json()).toMatchObject({ __type: 'InvalidSignatureException' });
	});

	it('lets the SDK correct its clock against the service’s Date header', async () => {
		// Signed 30 minutes late: the first answer's Date header corrects the SDK's clock and its retry succeeds.
		const client = new MarketplaceMeteringClient({
			endpoint: emulator().url,
			region: emulator().region,
			credentials: DEFAULT_TEST_CREDENTIAL,
			maxAttempts: 2,
			systemClockOffset: -30 * 60_000,
		});
		const answer = await client.send(new ResolveCustomerCommand({ RegistrationToken: 'token-1' }));
		expect(answer.$metadata.attempts).toBe(2);
		expect(emulator().log.map((entry) => entry.errorType ?? entry.httpStatus)).toEqual(['InvalidSignatureException', 200]);
	});
});
