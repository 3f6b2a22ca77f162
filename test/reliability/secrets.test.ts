import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { LoggerProxy, type ICredentialDataDecryptedObject, type ICredentialTestFunctions, type INodeProperties } from 'n8n-workflow';

import { AwsMarketplaceMeteringApi } from '../../credentials/AwsMarketplaceMeteringApi.credentials';
import { AwsMarketplaceMeteringLedgerApi } from '../../credentials/AwsMarketplaceMeteringLedgerApi.credentials';
import { AwsMarketplaceWebhookApi } from '../../credentials/AwsMarketplaceWebhookApi.credentials';
import { LIFECYCLE_EXAMPLES } from '../../emulator/lifecycleExamples';
import { testCredential } from '../../nodes/AwsMarketplaceMetering/transport/credentialTest';
import { testLedgerCredential } from '../../nodes/shared/openLedger';
import { emulatorCredential } from '../helpers/credentials';
import { useEmulator } from '../helpers/emulator';
import { usePostgres } from '../helpers/postgres';
import { usageEvents } from '../helpers/usage';
import { NODE_NAME, runNode, type NodeRun, type RunNodeOptions } from '../helpers/workflow';
import { postEvent, startTrigger } from '../helpers/trigger';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY01';
const TOKEN = 'FwoGZXIvYXdzSESSIONTOKENdistinctive0123456789';
const KEYS = { accessKeyId: 'ASIASECRETSTEST00001', secretAccessKey: SECRET, sessionToken: TOKEN };
const EXTERNAL_ID = 'external-id-secret-5c1f9a0e';
const REGISTRATION_TOKEN = 'registration-token-secret-8e2d4b71';
const API_KEY = 'webhook-api-key-secret-3a9b7c55d01e';
const ROLE = { assumeRole: true, roleArn: 'arn:aws:iam::123456789012:role/Metering', externalId: EXTERNAL_ID, roleSessionName: 'n8n-secrets' };

// Every secret the package holds must stay in its credential or input: not in output items, error messages or
// descriptions, n8n's logs (every level) or anything written to the console, whether the run succeeds or fails.
describe('reliability: secrets', () => {
	const emulator = useEmulator({
		credentials: [{ ...KEYS, principalArn: 'arn:aws:sts::123456789012:assumed-role/metering/n8n' }],
		registrationTokens: [{ token: REGISTRATION_TOKEN, customerAWSAccountId: '111122223333', productCode: 'prod-saas' }],
	});
	const written: string[] = [];
	const restore: (() => void)[] = [];

	beforeAll(() => {
		// Kept, not printed.
		for (const stream of [process.stdout, process.stderr]) {
			const original = stream.write;
			stream.write = ((chunk: unknown, ...rest: unknown[]) => {
				written.push(String(chunk));
				const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
				done?.();
				return true;
			}) as typeof stream.write;
			restore.push(() => (stream.write = original));
		}
		for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
			const spy = jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void written.push(args.map(String).join(' ')));
			restore.push(() => spy.mockRestore());
		}
		// n8n's logs, every level, with their metadata: n8n-core's (LoggerProxy) and the nodes' (this.logger).
		const log = (message: string, meta?: object) => void written.push(`${message} ${serialize(meta)}`);
		const logger = { error: log, warn: log, info: log, debug: log, scoped: () => logger };
		LoggerProxy.init(logger);
		Container.set(Logger, logger as unknown as Logger);
	});
	afterAll(() => restore.forEach((undo) => undo()));

	const serialize = (value: unknown) =>
		JSON.stringify(value ?? null, (_key, inner: unknown) => (inner instanceof Error ? { ...inner, message: inner.message, stack: inner.stack } : inner));
	const expectNone = (secrets: string[], ...values: unknown[]) => {
		for (const value of values) {
			const text = serialize(value);
			for (const secret of secrets) expect(text).not.toContain(secret);
		}
	};
	/**
	 * Runs the node with each On Error setting; none of `secrets` may come out of it: its output items, its run data and
	 * the workflow's error. Two things there are not the node's: on the error output n8n repeats each failed item's
	 * input (the node adds `error` and `details`), and the error's `node` is the node as saved (a secret typed into a
	 * parameter would be there, which is why Registration Token is an expression reading the input).
	 */
	const runHiding = async (secrets: string[], options: RunNodeOptions): Promise<NodeRun[]> => {
		const results: NodeRun[] = [];
		for (const onError of ['continueErrorOutput', 'stopWorkflow'] as const) {
			const result = await runNode({ ...options, onError });
			const [success, failed = []] = result.outputs;
			const { data: _sameAsOutputs, ...taskData } = result.run.data.resultData.runData[NODE_NAME][0];
			expectNone(secrets, success, failed.map(({ json: { error, details } }) => ({ error, details })), taskData, result.error);
			expect(failed.every((item) => typeof item.json.error === 'string')).toBe(true);
			results.push(result);
		}
		return results;
	};
	/** Resolve Customer's input: the token in a Webhook node's form body, where its default expression reads it. */
	const registration = (token: string) => [{ body: { 'x-amzn-marketplace-token': token } }];

	it('has n8n’s logs in view', async () => {
		await runNode({ parameters: { operation: 'resolveCustomer' }, credentials: emulatorCredential(emulator(), KEYS), items: registration(REGISTRATION_TOKEN) });
		expect(written.join('\n')).toContain(`Running node "${NODE_NAME}" finished successfully`);
	});

	describe('the External ID of an assumed role', () => {
		const resolve = (overrides: Record<string, unknown>) =>
			runHiding([EXTERNAL_ID, SECRET], {
				parameters: { operation: 'resolveCustomer' },
				items: registration(REGISTRATION_TOKEN),
				credentials: emulatorCredential(emulator(), { ...KEYS, ...ROLE, stsEndpoint: emulator().url, ...overrides } as never),
			});
		beforeEach(() => emulator().reset());

		it('when the role is assumed', async () => {
			await resolve({});
			expect(emulator().log.map((entry) => [entry.operation, entry.httpStatus])).toEqual([
				['AssumeRole', 200],
				['ResolveCustomer', 200],
				['AssumeRole', 200],
				['ResolveCustomer', 200],
			]);
			expectNone([EXTERNAL_ID], written);
		});

		it('when STS refuses the keys', async () => {
			await resolve({ secretAccessKey: `${SECRET}x` });
			expect(emulator().log.map((entry) => [entry.operation, entry.httpStatus])).toContainEqual(['AssumeRole', 403]);
			expectNone([EXTERNAL_ID], written);
		});

		it('when STS refuses the External ID itself', async () => {
			const malformed = `${EXTERNAL_ID} #1`;
			const [, stopped] = await runHiding([malformed, EXTERNAL_ID], {
				parameters: { operation: 'resolveCustomer' },
				items: registration(REGISTRATION_TOKEN),
				credentials: emulatorCredential(emulator(), { ...KEYS, ...ROLE, externalId: malformed, stsEndpoint: emulator().url } as never),
			});
			// STS quotes an External ID it refuses: the node checks it first, and sends nothing.
			expect(stopped.error?.message).toBe('The External ID is not one AWS accepts');
			expect(emulator().log).toEqual([]);
			expectNone([EXTERNAL_ID], written);
		});

		it('in the credential’s Test', async () => {
			for (const secretAccessKey of [SECRET, `${SECRET}x`]) {
				const data = emulatorCredential(emulator(), { ...KEYS, ...ROLE, secretAccessKey, stsEndpoint: emulator().url } as never);
				const test = await testCredential.call({} as ICredentialTestFunctions, { id: '1', name: 'c', type: 'awsMarketplaceMeteringApi', data });
				expect(test.status).toBe(secretAccessKey === SECRET ? 'OK' : 'Error');
				expectNone([EXTERNAL_ID, SECRET], test, written);
			}
		});
	});

	describe('the PostgreSQL ledger’s password', () => {
		const connectionString = usePostgres();
		const ledgerCredential = (password?: string): ICredentialDataDecryptedObject => {
			const url = new URL(connectionString());
			return { host: url.hostname, port: Number(url.port), database: 'ledger', user: url.username, password: password ?? url.password, ssl: 'disable' };
		};
		const password = () => new URL(connectionString()).password;

		it.each([
			['right', undefined],
			['wrong', 'wrong-ledger-password-4f2a'],
		])('with the %s password: Record Usage and the credential’s Test', async (_name, wrong) => {
			const credential = ledgerCredential(wrong);
			const secrets = [password(), ...(wrong ? [wrong] : [])];
			const [continued, stopped] = await runHiding(secrets, {
				parameters: { operation: 'recordUsage', ledger: 'postgres' },
				credentials: emulatorCredential(emulator(), KEYS),
				otherCredentials: { awsMarketplaceMeteringLedgerApi: credential },
				items: usageEvents({ count: 2, customers: 1 }),
			});
			if (wrong) expect([continued.error?.message, stopped.error?.message]).toEqual([expect.stringContaining('password authentication failed'), expect.stringContaining('password authentication failed')]);
			else expect([continued, stopped].map((run) => [run.error, run.outputs[0].length])).toEqual([[undefined, 2], [undefined, 2]]);
			const test = await testLedgerCredential.call({} as ICredentialTestFunctions, { id: '1', name: 'l', type: 'awsMarketplaceMeteringLedgerApi', data: credential });
			expect(test.status).toBe(wrong ? 'Error' : 'OK');
			expectNone(secrets, test, written);
		});
	});

	describe('the webhook API key (AWS Marketplace Trigger)', () => {
		it.each([
			['right', API_KEY, 200],
			['wrong', `${API_KEY}x`, 401],
		])('with the %s key', async (_name, sent, status) => {
			const trigger = await startTrigger({ credentials: { awsMarketplaceWebhookApi: { headerName: 'x-api-key', apiKey: API_KEY } } });
			try {
				const delivery = await postEvent(emulator(), { url: trigger.url, example: Object.keys(LIFECYCLE_EXAMPLES)[0], apiKey: { header: 'x-api-key', value: sent } });
				expect(delivery.status).toBe(status);
				expect(trigger.runs).toHaveLength(status === 200 ? 1 : 0);
				expectNone([API_KEY], delivery.body, trigger.runs, trigger.storedStaticData(), written);
			} finally {
				await trigger.stop();
			}
		});
	});

	it('asks for no private key: the CA Certificate holds certificates, which are public', () => {
		const properties: INodeProperties[] = [AwsMarketplaceMeteringApi, AwsMarketplaceMeteringLedgerApi, AwsMarketplaceWebhookApi].flatMap((type) => new type().properties);
		expect(properties.filter((property) => /private|client.?cert|(ssl|tls|client).?key/i.test(`${property.name} ${property.displayName}`))).toEqual([]);
		expect(properties.find((property) => property.name === 'ca')?.typeOptions?.password).toBeUndefined();
	});

	// Last: its final scenario leaves the emulator's session token expired.
	describe('AWS keys and the registration token (Resolve Customer)', () => {
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
		const secrets = [SECRET, TOKEN, REGISTRATION_TOKEN];

		for (const [name, overrides, arrange] of scenarios) {
			it(`keeps them out of every operation's output and errors: ${name}`, async () => {
				arrange();
				const credentials = emulatorCredential(emulator(), { ...KEYS, ...overrides } as never);
				const usage = usageEvents({ count: 2, customers: 1 });
				const runs = [
					{ parameters: { operation: 'resolveCustomer' }, items: registration(REGISTRATION_TOKEN) },
					{ parameters: { operation: 'batchMeterUsage', options: { maxAttempts: 1, unprocessedRetries: 0, requestTimeoutSeconds: 2 } }, items: usage },
					{ parameters: { operation: 'meterUsage', productCode: 'prod-ami', usageDimension: 'hours', usageQuantity: 1 }, items: usage },
					{ parameters: { operation: 'registerUsage', productCode: 'prod-container', publicKeyVersion: 1 }, items: usage },
				];
				for (const run of runs) await runHiding(secrets, { ...run, credentials });
				const test = await testCredential.call({} as ICredentialTestFunctions, { id: '1', name: 'c', type: 'awsMarketplaceMeteringApi', data: credentials });
				expectNone(secrets, test, written);
			});
		}

		it('keeps an unknown registration token out too', async () => {
			emulator().setFaults({});
			const unknown = `${REGISTRATION_TOKEN}-unknown`;
			await runHiding([unknown], { parameters: { operation: 'resolveCustomer' }, credentials: emulatorCredential(emulator(), KEYS), items: registration(unknown) });
			expectNone([unknown], written);
		});
	});
});
