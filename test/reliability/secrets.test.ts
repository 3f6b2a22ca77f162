import type { ICredentialTestFunctions } from 'n8n-workflow';

import { testCredential } from '../../nodes/AwsMarketplaceMetering/transport/credentialTest';
import { emulatorCredential } from '../helpers/credentials';
import { useEmulator } from '../helpers/emulator';
import { usageEvents } from '../helpers/usage';
import { runNode } from '../helpers/workflow';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY01';
const TOKEN = 'FwoGZXIvYXdzSESSIONTOKENdistinctive0123456789';
const KEYS = { accessKeyId: 'ASIASECRETSTEST00001', secretAccessKey: SECRET, sessionToken: TOKEN };

// The secret access key and the session token must never leave the credential: not in output items,
// error messages or descriptions, nor in anything written to the console, on success or failure.
describe('reliability: secrets', () => {
	const emulator = useEmulator({
		credentials: [{ ...KEYS, principalArn: 'arn:aws:sts::123456789012:assumed-role/metering/n8n' }],
		registrationTokens: [{ token: 'token-1', customerAWSAccountId: '111122223333', productCode: 'prod-saas' }],
	});
	const written: string[] = [];
	const restore: (() => void)[] = [];

	beforeAll(() => {
		for (const stream of [process.stdout, process.stderr]) {
			const original = stream.write.bind(stream);
			stream.write = ((chunk: unknown, ...rest: unknown[]) => {
				written.push(String(chunk));
				return original(chunk as string, ...(rest as []));
			}) as typeof stream.write;
			restore.push(() => (stream.write = original));
		}
		for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
			const spy = jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void written.push(args.map(String).join(' ')));
			restore.push(() => spy.mockRestore());
		}
	});
	afterAll(() => restore.forEach((undo) => undo()));

	const expectNoSecret = (value: unknown) => {
		const text = JSON.stringify(value ?? null, (_key, inner: unknown) => (inner instanceof Error ? { ...inner, message: inner.message, stack: inner.stack } : inner));
		expect(text).not.toContain(SECRET);
		expect(text).not.toContain(TOKEN);
	};

	const scenarios: [string, Record<string, unknown>, () => void][] = [
		['success', {}, () => emulator().setFaults({})],
		['wrong secret', { secretAccessKey: `${SECRET}x` }, () => emulator().setFaults({})],
		['wrong session token', { sessionToken: `${TOKEN}x` }, () => emulator().setFaults({})],
		['throttled', {}, () => emulator().setFaults({ throttleRate: 1 })],
		['server errors', {}, () => emulator().setFaults({ serverErrorRate: 1 })],
		['unreachable', { endpoint: 'http://127.0.0.1:9' }, () => emulator().setFaults({})],
		// Last: the emulator keeps the session expired from here on.
		['expired session token', {}, () => emulator().expireSessionToken(KEYS.accessKeyId)],
	];

	for (const [name, overrides, arrange] of scenarios) {
		it(`keeps them out of every operation's output and errors: ${name}`, async () => {
			arrange();
			const credentials = emulatorCredential(emulator(), { ...KEYS, ...overrides } as never);
			const runs = [
				{ operation: 'resolveCustomer', registrationToken: 'token-1' },
				{ operation: 'batchMeterUsage', options: { maxAttempts: 1, unprocessedRetries: 0, requestTimeoutSeconds: 2 } },
				{ operation: 'meterUsage', productCode: 'prod-ami', usageDimension: 'hours', usageQuantity: 1 },
				{ operation: 'registerUsage', productCode: 'prod-container', publicKeyVersion: 1 },
			];
			for (const parameters of runs) {
				for (const onError of ['continueErrorOutput', 'stopWorkflow'] as const) {
					const result = await runNode({ parameters, credentials, items: usageEvents({ count: 2, customers: 1 }), onError });
					expectNoSecret(result.outputs);
					expectNoSecret(result.error);
					expectNoSecret(result.run.data);
				}
			}
			const test = await testCredential.call({} as ICredentialTestFunctions, { id: '1', name: 'c', type: 'awsMarketplaceMeteringApi', data: credentials });
			expectNoSecret(test);
			expectNoSecret(written);
		});
	}
});
