import { proxyFor, readProxyEnvironment } from '../../../../nodes/AwsMarketplaceMetering/transport/proxy';

const AWS = { secure: true, host: 'metering.marketplace.us-east-1.amazonaws.com', port: 443 };

// Which proxy a request takes, from the variables n8n honours.
describe('transport: proxy variables', () => {
	const via = (env: NodeJS.ProcessEnv, target = AWS) => proxyFor(readProxyEnvironment(env), target)?.url.href;

	it('takes HTTPS_PROXY for https endpoints and HTTP_PROXY for http ones, lowercase first', () => {
		const env = { HTTPS_PROXY: 'http://secure:3128', HTTP_PROXY: 'http://plain:3128' };
		expect(via(env)).toBe('http://secure:3128/');
		expect(via(env, { secure: false, host: '127.0.0.1', port: 8080 })).toBe('http://plain:3128/');
		expect(via({ https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' })).toBe('http://lower:1/');
		expect(via({ HTTP_PROXY: 'http://plain:3128' })).toBeUndefined();
		expect(via({})).toBeUndefined();
	});

	it('reads a proxy without a scheme as an HTTP proxy, and keeps its user name and password for the proxy only', () => {
		expect(via({ HTTPS_PROXY: 'proxy.internal:3128' })).toBe('http://proxy.internal:3128/');
		const proxy = proxyFor(readProxyEnvironment({ HTTPS_PROXY: 'https://user:p%40ss@proxy.internal' }), AWS);
		expect(proxy).toMatchObject({ variable: 'HTTPS_PROXY', url: expect.objectContaining({ protocol: 'https:', username: 'user', password: 'p%40ss' }) });
	});

	it('refuses a proxy URL it cannot use without repeating it (it may hold a password)', () => {
		for (const value of ['socks5://user:secret@proxy:1080', 'http://']) {
			expect(() => readProxyEnvironment({ HTTPS_PROXY: value })).toThrow('HTTPS_PROXY is not a proxy URL the node can use');
			try {
				readProxyEnvironment({ HTTPS_PROXY: value });
			} catch (error) {
				expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).not.toContain('secret');
			}
		}
	});

	it.each([
		['*', 'any.host', 443, true],
		['amazonaws.com', 'metering.marketplace.us-east-1.amazonaws.com', 443, true],
		['.amazonaws.com', 'metering.marketplace.us-east-1.amazonaws.com', 443, true],
		['*.amazonaws.com', 'metering.marketplace.us-east-1.amazonaws.com', 443, true],
		['.amazonaws.com', 'amazonaws.com', 443, true],
		['amazonaws.com', 'notamazonaws.com', 443, false],
		['us-east-1.amazonaws.com', 'sts.us-west-2.amazonaws.com', 443, false],
		['AmazonAWS.com', 'METERING.MARKETPLACE.US-EAST-1.AMAZONAWS.COM.', 443, true],
		['127.0.0.1', '127.0.0.1', 8080, true],
		['127.0.0.1:8080', '127.0.0.1', 8080, true],
		['127.0.0.1:8080', '127.0.0.1', 9090, false],
		['amazonaws.com:443', 'sts.amazonaws.com', 443, true],
		['amazonaws.com:8443', 'sts.amazonaws.com', 443, false],
		['::1', '::1', 443, true],
		['[::1]:443', '[::1]', 443, true],
		['[::1]:443', '::1', 8443, false],
		['localhost, 169.254.169.254 ,.internal', 'sts.internal', 443, true],
		['localhost 169.254.169.254', 'metering.marketplace.us-east-1.amazonaws.com', 443, false],
	])('NO_PROXY=%p bypasses the proxy for %s:%d: %p', (noProxy, host, port, bypassed) => {
		const env = { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: noProxy };
		expect(via(env, { secure: true, host, port }) === undefined).toBe(bypassed);
	});

	it('reads no_proxy before NO_PROXY, as n8n does', () => {
		expect(via({ HTTPS_PROXY: 'http://proxy:3128', no_proxy: 'amazonaws.com', NO_PROXY: 'example.com' })).toBeUndefined();
		expect(via({ HTTPS_PROXY: 'http://proxy:3128', no_proxy: '', NO_PROXY: '' })).toBe('http://proxy:3128/');
	});
});
