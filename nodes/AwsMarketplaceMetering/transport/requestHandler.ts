import * as http from 'node:http';
import * as https from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';

import { proxyFor, proxyOrigin, readProxyEnvironment, type Proxy, type ProxyEnvironment, type ProxyTarget } from './proxy';

// The SDK's own default pool: connections kept open between requests, at most 50 per host.
const POOL: http.AgentOptions = { keepAlive: true, maxSockets: 50 };

/** Where a failed request was going, attached to its error so that the error can say so. */
export interface ConnectionContext {
	endpoint: string;
	/** The proxy in between: its URL without user name or password, and the variable that named it. */
	proxy?: { url: string; variable: string };
}

/**
 * The request handler options of every client the node builds, the metering client and the STS clients of its
 * credential providers alike: timeouts, and the proxy the environment names for each endpoint.
 */
export function requestHandlerOptions(timeoutMs: number) {
	const environment = readProxyEnvironment();
	return {
		httpsAgent: new EnvironmentProxyAgent(true, environment) as unknown as https.Agent,
		httpAgent: new EnvironmentProxyAgent(false, environment),
		requestTimeout: timeoutMs,
		connectionTimeout: timeoutMs,
		// Without it the SDK only logs a warning and a hung endpoint (or proxy) hangs the workflow.
		throwOnRequestTimeout: true,
	};
}

export function connectionOf(error: unknown): ConnectionContext | undefined {
	return (error as { $connection?: ConnectionContext } | undefined)?.$connection;
}

type RequestOptions = http.RequestOptions & { host: string; port: number };
type AddRequest = (req: http.ClientRequest, options: RequestOptions & { secureEndpoint: boolean }) => void;

/** Hands each request to the agent for its endpoint: a direct one, or one through the proxy the environment names. */
class EnvironmentProxyAgent extends http.Agent {
	private readonly direct: http.Agent;

	private readonly proxied?: http.Agent;

	constructor(
		private readonly secure: boolean,
		private readonly environment: ProxyEnvironment,
	) {
		// It only routes: the agents it hands requests to hold the connections. Its own keepAlive is what each
		// request reads to ask for a kept-alive connection; without it every request closes its connection
		// (a TCP connection and a TLS handshake per request to AWS).
		super({ keepAlive: true });
		// What http.request and https.request check an agent against.
		if (secure) Object.assign(this, { protocol: 'https:', defaultPort: 443 });
		this.direct = secure ? new https.Agent(POOL) : new http.Agent(POOL);
		const proxy = secure ? environment.https : environment.http;
		if (proxy) this.proxied = proxyAgent(secure, proxy);
	}

	// Node calls this for each new request, before anything of it is written: the one moment to choose its agent.
	addRequest(req: http.ClientRequest, options: RequestOptions): void {
		const target: ProxyTarget = { secure: this.secure, host: options.host, port: options.port };
		const proxy = proxyFor(this.environment, target);
		const context: ConnectionContext = { endpoint: endpointOf(target), proxy: proxy && { url: proxyOrigin(proxy), variable: proxy.variable } };
		req.prependListener('error', (error: Error & { $connection?: ConnectionContext }) => {
			error.$connection ??= context;
		});
		const agent = (proxy && this.proxied) || this.direct;
		(agent as unknown as { addRequest: AddRequest }).addRequest(req, { ...options, secureEndpoint: this.secure });
	}

	destroy(): void {
		super.destroy();
		this.direct.destroy();
		this.proxied?.destroy();
	}
}

/** CONNECT tunnels for https endpoints. A refusal becomes an error, not the proxy's answer read as AWS's. */
class TunnelAgent extends HttpsProxyAgent<string> {
	async connect(req: http.ClientRequest, options: Parameters<HttpsProxyAgent<string>['connect']>[1]) {
		let answer: { statusCode: number; statusText: string } | undefined;
		req.once('proxyConnect', (connect: typeof answer) => (answer = connect));
		// The agent leaves out the host when it upgrades the tunnel to TLS, and an IP address gets no server name:
		// without this, the certificate of https://10.0.0.5 would be checked against "localhost".
		const host = options.host ?? '';
		const tunnelled = { ...options, checkServerIdentity: (_name: string, certificate: PeerCertificate) => checkServerIdentity(host, certificate) };
		const socket = await super.connect(req, tunnelled as typeof options);
		if (answer?.statusCode === 200) return socket;
		socket.destroy();
		throw Object.assign(new Error(`The proxy answered ${answer?.statusCode} ${answer?.statusText}`), {
			name: 'ProxyRefused',
			statusCode: answer?.statusCode,
			statusText: answer?.statusText,
		});
	}
}

function proxyAgent(secure: boolean, proxy: Proxy): http.Agent {
	// The agents log their proxy URL when DEBUG names them: give them one without the user name and password, and
	// send those as the header they would have made of them.
	const url = new URL(proxy.url.href);
	const headers: Record<string, string> = {};
	if (url.username || url.password) {
		const login = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
		headers['Proxy-Authorization'] = `Basic ${Buffer.from(login).toString('base64')}`;
		url.username = '';
		url.password = '';
	}
	const options = { ...POOL, headers };
	// Plain http endpoints: the proxy forwards the request itself, as curl and n8n do it.
	return secure ? new TunnelAgent(url.href, options) : new HttpProxyAgent(url.href, options);
}

function endpointOf({ secure, host, port }: ProxyTarget): string {
	return new URL(`${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`).origin;
}
