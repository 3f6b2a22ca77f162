import type { ICredentialDataDecryptedObject, ICredentialTestFunctions } from 'n8n-workflow';

import { DEFAULT_TEST_CREDENTIAL } from '../../../../emulator';
import { testCredential } from '../../../../nodes/AwsMarketplaceMetering/transport/credentialTest';
import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';
import { startProxy, startTlsFront, type TestProxy, type TestProxyOptions, type TlsFront } from '../../../helpers/proxy';
import { usageEvents } from '../../../helpers/usage';
import { runNode } from '../../../helpers/workflow';

// The proxy agents' debug logger, as they load it.
const debug = jest.requireActual<{ enable(namespaces: string): void; disable(): string }>('debug');
const LOGIN = { user: 'proxy-user', password: 'proxy-pass/word@1' };
const ROLE = { assumeRole: true, roleArn: 'arn:aws:iam::123456789012:role/Metering', roleSessionName: 'n8n-test' };
const OPERATIONS = [
	{ operation: 'resolveCustomer', registrationToken: 'token-1' },
	{ operation: 'batchMeterUsage', options: { maxAttempts: 1, unprocessedRetries: 0 } },
	{ operation: 'meterUsage', productCode: 'prod-ami', usageDimension: 'hours', usageQuantity: 1 },
	{ operation: 'registerUsage', productCode: 'prod-container', publicKeyVersion: 1 },
	{ operation: 'getEntitlements', entitlementsProductCode: 'prod-saas' },
];

// The SDK's HTTP handler ignores HTTP_PROXY, HTTPS_PROXY and NO_PROXY; n8n honours them, and so must every request
// the node sends: each operation's, STS's for an assumed role, the credential test's.
describe('transport: proxies from the environment', () => {
	const emulator = useEmulator({
		credentials: [DEFAULT_TEST_CREDENTIAL],
		registrationTokens: [{ token: 'token-1', customerAWSAccountId: '111122223333', productCode: 'prod-saas' }],
	});
	const saved = { ...process.env };
	const servers: { stop(): Promise<void> }[] = [];
	let tls: TlsFront;
	beforeAll(async () => {
		tls = await startTlsFront(emulator().url);
		servers.push(tls);
	});
	beforeEach(() => emulator().reset());
	afterEach(() => {
		process.env = { ...saved };
	});
	afterAll(async () => {
		await Promise.all(servers.map((server) => server.stop()));
	});

	const proxy = async (options: TestProxyOptions = {}) => {
		const started = await startProxy(options);
		servers.push(started);
		return started;
	};
	/** The loopback emulator is no exception: NO_PROXY set explicitly empty. */
	const useProxy = (variable: 'HTTP_PROXY' | 'HTTPS_PROXY', url: string, noProxy = '') => {
		process.env[variable] = url;
		process.env.NO_PROXY = noProxy;
	};
	const resolve = (overrides: ICredentialDataDecryptedObject = {}) =>
		runNode({ parameters: OPERATIONS[0], credentials: emulatorCredential(emulator(), overrides) });
	const credentialTest = async (overrides: ICredentialDataDecryptedObject = {}) =>
		await testCredential.call({} as ICredentialTestFunctions, { id: '1', name: 'c', type: 'awsMarketplaceMeteringApi', data: emulatorCredential(emulator(), overrides) });
	const expectNoPassword = (...values: unknown[]) => {
		for (const value of values) expect(JSON.stringify(value ?? null)).not.toContain(encodeURIComponent(LOGIN.password));
		for (const value of values) expect(JSON.stringify(value ?? null)).not.toContain(LOGIN.password);
	};

	it('sends every operation’s requests through HTTP_PROXY', async () => {
		const forwarding = await proxy();
		useProxy('HTTP_PROXY', forwarding.url);
		for (const parameters of OPERATIONS) {
			await runNode({ parameters, credentials: emulatorCredential(emulator()), items: usageEvents({ count: 2, customers: 1 }), onError: 'continueRegularOutput' });
		}
		const operations = emulator().log.map((entry) => entry.operation);
		expect(new Set(operations)).toEqual(new Set(['ResolveCustomer', 'BatchMeterUsage', 'MeterUsage', 'RegisterUsage', 'GetEntitlements']));
		expect(forwarding.seen).toEqual(operations.map(() => `POST ${emulator().url}/`));
	});

	it('sends STS’s AssumeRole and the credential test through it too', async () => {
		const forwarding = await proxy();
		useProxy('HTTP_PROXY', forwarding.url);
		expect((await resolve({ ...ROLE, stsEndpoint: emulator().url })).error).toBeUndefined();
		expect((await credentialTest()).status).toBe('OK');
		const operations = emulator().log.map((entry) => entry.operation);
		// The credential test reads the Agreement Service's actions in parallel: in any order after GetEntitlements.
		expect(operations.slice(0, 4)).toEqual(['AssumeRole', 'ResolveCustomer', 'ResolveCustomer', 'GetEntitlements']);
		expect(operations.slice(4).sort()).toEqual([
			'CancelAgreementCancellationRequest',
			'DescribeAgreement',
			'GetAgreementCancellationRequest',
			'GetAgreementTerms',
			'GetBillingAdjustmentRequest',
			'ListAgreementCancellationRequests',
			'ListAgreementCharges',
			'ListAgreementInvoiceLineItems',
			'SearchAgreements',
			'SendAgreementCancellationRequest',
		]);
		expect(forwarding.seen).toHaveLength(operations.length);
	});

	it('sends the Agreement Service’s requests through it too', async () => {
		const forwarding = await proxy();
		useProxy('HTTP_PROXY', forwarding.url);
		const { error } = await runNode({
			parameters: { resource: 'agreement', operation: 'searchAgreements' },
			credentials: emulatorCredential(emulator()),
			typeVersion: 3,
		});
		expect(error).toBeUndefined();
		expect([emulator().log.map((entry) => entry.operation), forwarding.seen]).toEqual([['SearchAgreements'], [`POST ${emulator().url}/`]]);
	});

	it('connects directly to the hosts NO_PROXY lists', async () => {
		const forwarding = await proxy();
		for (const noProxy of ['127.0.0.1', `127.0.0.1:${new URL(emulator().url).port}`, '*', 'localhost,127.0.0.1']) {
			useProxy('HTTP_PROXY', forwarding.url, noProxy);
			expect((await resolve({ ...ROLE, stsEndpoint: emulator().url })).error).toBeUndefined();
		}
		expect(emulator().log).toHaveLength(8);
		expect(forwarding.seen).toEqual([]);
	});

	// The whole round trip through a tunnel, which needs the TLS front's certificate trusted, is in
	// test/reliability/networkErrors.test.ts: NODE_EXTRA_CA_CERTS works only in a process of its own.
	it('tunnels https endpoints through HTTPS_PROXY with CONNECT, and only them', async () => {
		const tunnel = await proxy();
		useProxy('HTTPS_PROXY', tunnel.url);
		const { error } = await resolve({ endpoint: tls.url });
		expect(error?.message).toMatch(/^Could not connect securely to .*: self-signed certificate$/);
		expect(tunnel.seen).toEqual([`CONNECT ${new URL(tls.url).host}`]);
		expect((await resolve()).error).toBeUndefined();
		expect(tunnel.seen).toHaveLength(1);
	});

	it('authenticates to the proxy with the URL’s user name and password, and never shows them, even in debug logs', async () => {
		const guarded = await proxy({ login: LOGIN });
		const written: string[] = [];
		const write = process.stderr.write.bind(process.stderr);
		process.stderr.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof process.stderr.write;
		debug.enable('http-proxy-agent,https-proxy-agent');
		try {
			useProxy('HTTP_PROXY', guarded.url);
			const allowed = await resolve();
			expect(allowed.error).toBeUndefined();
			expectNoPassword(allowed.run.data);

			useProxy('HTTPS_PROXY', guarded.url.replace(encodeURIComponent(LOGIN.password), 'wrong'));
			const tunnelRefused = await resolve({ endpoint: tls.url });
			expect(tunnelRefused.error?.message).toBe(`The proxy ${proxyOrigin(guarded)} (HTTPS_PROXY) refused the connection to ${tls.url}: HTTP 407 Refused`);
			expect(tunnelRefused.error?.description).toContain('The proxy asks for a user name and password: put them in HTTPS_PROXY');

			useProxy('HTTP_PROXY', guarded.url.replace(encodeURIComponent(LOGIN.password), 'wrong'));
			const forwardRefused = await resolve();
			expect(forwardRefused.error?.message).toBe('A proxy asks for a user name and password (HTTP 407)');
			expectNoPassword(tunnelRefused.run.data, forwardRefused.run.data, await credentialTest());
		} finally {
			debug.disable();
			process.stderr.write = write;
		}
		expect(written.join('')).toContain('http-proxy-agent');
		expectNoPassword(written);
		expect(guarded.authorizations[0]).toBe(`Basic ${Buffer.from(`${LOGIN.user}:${LOGIN.password}`).toString('base64')}`);
		expect(emulator().log).toHaveLength(1);
	});

	it('says when the proxy refuses the tunnel, and sends nothing to AWS', async () => {
		const refusing = await proxy({ refuse: 403 });
		useProxy('HTTPS_PROXY', refusing.url);
		const { error } = await resolve({ endpoint: tls.url });
		expect(error?.message).toBe(`The proxy ${proxyOrigin(refusing)} (HTTPS_PROXY) refused the connection to ${tls.url}: HTTP 403 Refused`);
		expect(error?.description).toContain('list the host in NO_PROXY');
		expect(emulator().log).toEqual([]);
	});

	it('refuses a proxy variable that is no proxy URL, without repeating it', async () => {
		useProxy('HTTP_PROXY', `socks5://${LOGIN.user}:${encodeURIComponent(LOGIN.password)}@127.0.0.1:1080`);
		const { error } = await resolve();
		expect(error?.message).toBe('HTTP_PROXY is not a proxy URL the node can use');
		expect(error?.name).toBe('NodeOperationError');
		expectNoPassword(error, await credentialTest());
	});
});

function proxyOrigin(proxy: TestProxy): string {
	return new URL(proxy.url).origin;
}

// A connection per request costs a TCP connection, and against AWS a TLS handshake, for each of a run's requests.
describe('transport: connections', () => {
	const emulator = useEmulator();
	beforeEach(() => emulator().reset());

	it.each([1, 3])('keeps its connections open between requests: a run of 8 requests, %d at a time, opens at most that many', async (concurrency) => {
		// 200 distinct customers in one hour and dimension: 200 records, 8 requests of 25.
		const items = usageEvents({ count: 200, customers: 200, products: 1, dimensions: 1, hours: 1, seed: 3 }).map((event, n) => ({
			...event,
			customerAWSAccountId: String(100000000000 + n),
			licenseArn: `arn:aws:license-manager::123456789012:license:l-${String(n).padStart(32, '0')}`,
		}));
		const { error } = await runNode({
			parameters: { operation: 'batchMeterUsage', options: { concurrency, maxRequestsPerSecond: 100 } },
			credentials: emulatorCredential(emulator()),
			items,
		});
		expect(error).toBeUndefined();
		const requests = emulator().log.filter((entry) => entry.operation === 'BatchMeterUsage');
		expect(requests).toHaveLength(8);
		expect(new Set(requests.map((entry) => entry.connection)).size).toBeLessThanOrEqual(concurrency);
	});
});
