import { DEFAULT_TEST_CREDENTIAL } from '../../../../emulator';
import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';
import { runNode } from '../../../helpers/workflow';

const SESSION = { accessKeyId: 'ASIAEMULATORSESSION1', secretAccessKey: 'session-secret-key-for-tests', sessionToken: 'session-token-for-tests' };

// Every credential path, seen from the service side: who signed, with or without a session token.
describe('transport: credential sources', () => {
	const emulator = useEmulator({
			credentials: [DEFAULT_TEST_CREDENTIAL, SESSION],
			registrationTokens: [{ token: 'token-1', customerAWSAccountId: '111122223333', productCode: 'prod-saas' }],
		});
	beforeEach(() => emulator().reset());

	const resolve = (credentials: Record<string, unknown>) =>
		runNode({ parameters: { operation: 'resolveCustomer', registrationToken: 'token-1' }, credentials: emulatorCredential(emulator(), credentials as never) });

	it('signs with static access keys', async () => {
		const { error, outputs } = await resolve({});
		expect(error).toBeUndefined();
		expect(outputs[0][0].json.customerAWSAccountId).toBe('111122223333');
		expect(emulator().log).toMatchObject([{ operation: 'ResolveCustomer', httpStatus: 200, accessKeyId: DEFAULT_TEST_CREDENTIAL.accessKeyId, sessionToken: false }]);
	});

	it('sends the session token of temporary keys', async () => {
		const { error } = await resolve(SESSION);
		expect(error).toBeUndefined();
		expect(emulator().log).toMatchObject([{ httpStatus: 200, accessKeyId: SESSION.accessKeyId, sessionToken: true }]);
	});

	it('reports a wrong session token without revealing it', async () => {
		const { error } = await resolve({ ...SESSION, sessionToken: 'not-the-token' });
		expect(error?.message).toBe('AWS does not recognize these credentials');
		expect(JSON.stringify(error)).not.toContain(SESSION.secretAccessKey);
		expect(JSON.stringify(error)).not.toContain('not-the-token');
	});

	it('assumes a role through STS, then signs with the role’s temporary credentials', async () => {
		const { error } = await resolve({
			assumeRole: true,
			roleArn: 'arn:aws:iam::123456789012:role/Metering',
			externalId: 'external-1',
			roleSessionName: 'n8n-test',
			stsEndpoint: emulator().url,
		});
		expect(error).toBeUndefined();
		const [assume, call] = emulator().log;
		expect(assume).toMatchObject({ operation: 'AssumeRole', httpStatus: 200, accessKeyId: DEFAULT_TEST_CREDENTIAL.accessKeyId });
		expect(call).toMatchObject({ operation: 'ResolveCustomer', httpStatus: 200, sessionToken: true });
		expect(call.accessKeyId).not.toBe(DEFAULT_TEST_CREDENTIAL.accessKeyId);
	});

	describe('default credential chain', () => {
		const saved = { ...process.env };
		afterEach(() => {
			process.env = { ...saved };
		});

		it('takes the keys from the environment, as on ECS, EKS or EC2 it takes the role, where the administrator allows it', async () => {
			process.env.N8N_AWS_SYSTEM_CREDENTIALS_ACCESS_ENABLED = 'true';
			process.env.AWS_ACCESS_KEY_ID = SESSION.accessKeyId;
			process.env.AWS_SECRET_ACCESS_KEY = SESSION.secretAccessKey;
			process.env.AWS_SESSION_TOKEN = SESSION.sessionToken;
			const { error } = await resolve({ credentialSource: 'defaultChain', accessKeyId: '', secretAccessKey: '' });
			expect(error).toBeUndefined();
			expect(emulator().log).toMatchObject([{ httpStatus: 200, accessKeyId: SESSION.accessKeyId, sessionToken: true }]);
		});
	});
});
