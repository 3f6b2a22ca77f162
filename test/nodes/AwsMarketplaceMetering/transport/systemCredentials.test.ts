import type { ICredentialTestFunctions } from 'n8n-workflow';

import { DEFAULT_TEST_CREDENTIAL } from '../../../../emulator';
import { testCredential } from '../../../../nodes/AwsMarketplaceMetering/transport/credentialTest';
import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';
import { runNode } from '../../../helpers/workflow';

const VARIABLE = 'N8N_AWS_SYSTEM_CREDENTIALS_ACCESS_ENABLED';
const REFUSED = `Default AWS Credential Chain needs ${VARIABLE}=true on the n8n host`;
const HOST = { accessKeyId: 'AKIAHOSTIDENTITY0001', secretAccessKey: 'host-secret-access-key' };

// As with n8n's own AWS credentials, the host's identity is the administrator's to lend, not the credential author's.
describe('transport: the host’s AWS credentials need N8N_AWS_SYSTEM_CREDENTIALS_ACCESS_ENABLED', () => {
	const emulator = useEmulator({
		credentials: [DEFAULT_TEST_CREDENTIAL, HOST],
		registrationTokens: [{ token: 'token-1', customerAWSAccountId: '111122223333', productCode: 'prod-saas' }],
	});
	const saved = { ...process.env };
	beforeEach(() => {
		emulator().reset();
		// What fromNodeProviderChain finds first: the host's environment.
		process.env.AWS_ACCESS_KEY_ID = HOST.accessKeyId;
		process.env.AWS_SECRET_ACCESS_KEY = HOST.secretAccessKey;
		delete process.env[VARIABLE];
	});
	afterEach(() => {
		process.env = { ...saved };
	});

	const hostChain = (overrides: Record<string, unknown> = {}) =>
		emulatorCredential(emulator(), { credentialSource: 'defaultChain', accessKeyId: '', secretAccessKey: '', ...overrides } as never);
	const resolve = (credentials: ReturnType<typeof hostChain>) =>
		runNode({ parameters: { operation: 'resolveCustomer', registrationToken: 'token-1' }, credentials });
	const credentialTest = async (data: ReturnType<typeof hostChain>) =>
		await testCredential.call({} as ICredentialTestFunctions, { id: '1', name: 'c', type: 'awsMarketplaceMeteringApi', data });
	const roleOnTop = { assumeRole: true, roleArn: 'arn:aws:iam::123456789012:role/Metering', roleSessionName: 'n8n-test' };

	it.each([['unset', undefined], ['false', 'false'], ['anything else', 'yes']])(
		'refuses the Default AWS Credential Chain when the variable is %s, naming it and what it is for, and sends nothing',
		async (_case, value) => {
			if (value !== undefined) process.env[VARIABLE] = value;
			const { error } = await resolve(hostChain());
			expect(error?.message).toBe(REFUSED);
			expect(error?.description).toContain('the n8n host’s own AWS identity');
			expect(error?.description).toContain('Access Keys, optionally with Assume Role');
			expect(error?.name).toBe('NodeOperationError');
			expect(emulator().log).toEqual([]);
		},
	);

	it('refuses an assumed role whose source is the host’s credentials, before calling STS', async () => {
		const { error } = await resolve(hostChain({ ...roleOnTop, stsEndpoint: emulator().url }));
		expect(error?.message).toBe(REFUSED);
		expect(emulator().log).toEqual([]);
	});

	it('fails the credential test with the same message', async () => {
		const result = await credentialTest(hostChain());
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(new RegExp(`^${REFUSED}\\. This credential source uses the n8n host’s own AWS identity`));
		expect(emulator().log).toEqual([]);
	});

	it.each(['true', '1', 'TRUE'])('signs with the host’s credentials when the variable is %s', async (value) => {
		process.env[VARIABLE] = value;
		const { error, outputs } = await resolve(hostChain());
		expect(error).toBeUndefined();
		expect(outputs[0][0].json.customerAWSAccountId).toBe('111122223333');
		expect(emulator().log).toMatchObject([{ operation: 'ResolveCustomer', httpStatus: 200, accessKeyId: HOST.accessKeyId }]);
		expect((await credentialTest(hostChain())).status).toBe('OK');
	});

	it('keeps Access Keys and Assume Role on top of them available without the variable', async () => {
		expect((await resolve(emulatorCredential(emulator()))).error).toBeUndefined();
		const { error } = await resolve(emulatorCredential(emulator(), { ...roleOnTop, stsEndpoint: emulator().url }));
		expect(error).toBeUndefined();
		expect(emulator().log.map(({ operation, accessKeyId }) => [operation, accessKeyId])).toEqual([
			['ResolveCustomer', DEFAULT_TEST_CREDENTIAL.accessKeyId],
			['AssumeRole', DEFAULT_TEST_CREDENTIAL.accessKeyId],
			['ResolveCustomer', expect.not.stringMatching(DEFAULT_TEST_CREDENTIAL.accessKeyId)],
		]);
	});
});
