import { DEFAULT_TEST_CREDENTIAL } from '../../emulator';
import { describeServiceError } from '../../nodes/AwsMarketplaceMetering/transport/serviceErrors';
import { emulatorCredential } from '../helpers/credentials';
import { useEmulator } from '../helpers/emulator';
import { runInPlainNode, type PlainResult } from '../helpers/plainNode';
import { closedPort, startProxy, startTlsFront, type TestProxy, type TlsFront } from '../helpers/proxy';
import { usageEvents } from '../helpers/usage';
import { runNode } from '../helpers/workflow';

const RESOLVE = { operation: 'resolveCustomer', registrationToken: 'token-1' };

// An error from this side of the network says what failed where and what to check: never "AWS said", since AWS said
// nothing.
describe('reliability: errors from the local network', () => {
	const emulator = useEmulator({
		credentials: [DEFAULT_TEST_CREDENTIAL],
		registrationTokens: [{ token: 'token-1', customerAWSAccountId: '111122223333', productCode: 'prod-saas' }],
	});

	it('names a closed port, through n8n under jest too', async () => {
		const port = await closedPort();
		const { error } = await runNode({ parameters: RESOLVE, credentials: emulatorCredential(emulator(), { endpoint: `http://127.0.0.1:${port}` }) });
		expect(error?.message).toBe(`Could not connect to 127.0.0.1:${port}: connection refused`);
		expect(error?.description).toMatch(/^No answer came from AWS\. Check the credential’s Region and Custom Endpoint/);
		expect(error?.description).not.toContain('AWS said');
	});

	it('names a request that timed out, and the endpoint', async () => {
		emulator().setFaults({ hang: true });
		try {
			const { outputs } = await runNode({
				parameters: { operation: 'batchMeterUsage', options: { requestTimeoutSeconds: 1, maxAttempts: 1 } },
				credentials: emulatorCredential(emulator()),
				items: usageEvents({ count: 1, customers: 1 }),
				onError: 'continueErrorOutput',
			});
			expect(String(outputs[1][0].json.error)).toContain(`The request to ${emulator().url} timed out`);
			expect(JSON.stringify(outputs[1][0].json)).not.toContain('AWS said');
		} finally {
			emulator().setFaults({});
		}
	});

	describe('as n8n runs the node, in a plain Node.js process', () => {
		let trusted: TlsFront;
		let untrusted: TlsFront;
		let proxy: TestProxy;
		let results: Record<string, PlainResult>;
		beforeAll(async () => {
			[trusted, untrusted, proxy] = await Promise.all([startTlsFront(emulator().url), startTlsFront(emulator().url), startProxy()]);
			const port = await closedPort();
			const credentials = (endpoint: string) => emulatorCredential(emulator(), { endpoint });
			const viaProxy = { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: '' };
			const viaClosedProxy = { HTTPS_PROXY: `http://user:proxy-secret@127.0.0.1:${port}`, NO_PROXY: '' };
			const runs = [
				{ name: 'closed port', credentials: credentials(`http://127.0.0.1:${port}`) },
				{ name: 'untrusted certificate', credentials: credentials(untrusted.url) },
				{ name: 'tunnel', credentials: credentials(trusted.url), env: viaProxy },
				{ name: 'untrusted certificate through the proxy', credentials: credentials(untrusted.url), env: viaProxy },
				{ name: 'proxy not listening', credentials: credentials(trusted.url), env: viaClosedProxy },
			];
			const ran = await runInPlainNode(runs.map((run) => ({ ...run, parameters: RESOLVE })), { NODE_EXTRA_CA_CERTS: trusted.certificateFile });
			results = Object.fromEntries(ran.map((result) => [result.name, result]));
		});
		afterAll(async () => {
			await Promise.all([trusted, untrusted, proxy].map((server) => server?.stop()));
		});

		it('names the endpoint where nothing listens', () => {
			const { error } = results['closed port'];
			expect(error?.message).toMatch(/^Could not connect to http:\/\/127\.0\.0\.1:\d+: connection refused$/);
			expect(error?.description).toMatch(/^No answer came from AWS\. .*behind a proxy, set HTTPS_PROXY \(and NO_PROXY\) for n8n\. Node\.js reported: connect ECONNREFUSED/);
		});

		it('names a certificate Node.js does not trust, and where to add a CA', () => {
			expect(results['untrusted certificate'].error?.message).toBe(`Could not connect securely to ${untrusted.url}: self-signed certificate`);
			expect(results['untrusted certificate'].error?.description).toContain('NODE_EXTRA_CA_CERTS');
			expect(results['untrusted certificate through the proxy'].error?.message).toBe(
				`Could not connect securely to ${untrusted.url} through the proxy ${new URL(proxy.url).origin} (HTTPS_PROXY): self-signed certificate`,
			);
		});

		it('reaches an https endpoint through the proxy’s CONNECT tunnel', () => {
			expect(results.tunnel.error).toBeUndefined();
			expect(results.tunnel.json?.customerAWSAccountId).toBe('111122223333');
			expect(proxy.seen).toEqual([`CONNECT ${new URL(trusted.url).host}`, `CONNECT ${new URL(untrusted.url).host}`]);
		});

		it('names a proxy that does not listen, without its password', () => {
			const { error } = results['proxy not listening'];
			expect(error?.message).toMatch(new RegExp(`^Could not connect to ${trusted.url} through the proxy http://127\\.0\\.0\\.1:\\d+ \\(HTTPS_PROXY\\): connection refused$`));
			expect(error?.description).toContain('the proxy in HTTPS_PROXY, and whether NO_PROXY should list this host');
			expect(JSON.stringify(error)).not.toContain('proxy-secret');
		});
	});

	// Errors no loopback test can cause, as Node.js raises them.
	it.each([
		[{ code: 'ENOTFOUND', hostname: 'metering.marketplace.xx-east-1.amazonaws.com', message: 'getaddrinfo ENOTFOUND metering.marketplace.xx-east-1.amazonaws.com' }, 'Could not connect to metering.marketplace.xx-east-1.amazonaws.com: host not found'],
		[{ code: 'EAI_AGAIN', hostname: 'sts.amazonaws.com', message: 'getaddrinfo EAI_AGAIN sts.amazonaws.com' }, 'Could not connect to sts.amazonaws.com: host name lookup failed'],
		[{ code: 'ETIMEDOUT', address: '52.94.0.1', port: 443, message: 'connect ETIMEDOUT 52.94.0.1:443' }, 'Could not connect to 52.94.0.1:443: no answer in time'],
		[{ code: 'EHOSTUNREACH', address: '52.94.0.1', port: 443, message: 'connect EHOSTUNREACH 52.94.0.1:443' }, 'Could not connect to 52.94.0.1:443: host unreachable'],
		[{ name: 'TimeoutError', code: 'ECONNRESET', message: 'socket hang up', $connection: { endpoint: 'https://metering.marketplace.us-east-1.amazonaws.com' } }, 'Could not connect to https://metering.marketplace.us-east-1.amazonaws.com: the connection was reset'],
		[{ code: 'CERT_HAS_EXPIRED', message: 'certificate has expired', $connection: { endpoint: 'https://vpce.example' } }, 'Could not connect securely to https://vpce.example: certificate has expired'],
		[{ code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: "Hostname/IP does not match certificate's altnames" }, "Could not connect securely to the endpoint: Hostname/IP does not match certificate's altnames"],
	])('words %o without claiming AWS answered', (error, message) => {
		const described = describeServiceError(Object.assign(new Error(), error));
		expect(described.message).toBe(message);
		expect(described.description).not.toContain('AWS said');
	});

	it('still quotes AWS when AWS answered', () => {
		const error = Object.assign(new Error('The security token included in the request is invalid.'), { name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 400 } });
		expect(describeServiceError(error).description).toContain('AWS said: The security token included in the request is invalid.');
	});
});
