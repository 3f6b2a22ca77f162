import { TransportSetupError } from './setupError';

// n8n sends its own requests through the proxy that HTTP_PROXY/HTTPS_PROXY name, except for NO_PROXY's hosts; the AWS
// SDK's HTTP handler reads none of them, so the node applies them the same way (lowercase first, as n8n does).

export interface Proxy {
	/** The proxy's URL, user name and password included. */
	url: URL;
	/** The variable that named it, for messages. */
	variable: string;
}

export interface ProxyEnvironment {
	http?: Proxy;
	https?: Proxy;
	noProxy: string[];
}

export interface ProxyTarget {
	secure: boolean;
	host: string;
	port: number;
}

export function readProxyEnvironment(env: NodeJS.ProcessEnv = process.env): ProxyEnvironment {
	return {
		http: proxyVariable(env, 'http_proxy'),
		https: proxyVariable(env, 'https_proxy'),
		noProxy: (env.no_proxy || env.NO_PROXY || '')
			.split(/[\s,]+/)
			.map((entry) => entry.trim().toLowerCase())
			.filter(Boolean),
	};
}

/** The proxy a request to `target` goes through, or undefined to connect directly. */
export function proxyFor(environment: ProxyEnvironment, target: ProxyTarget): Proxy | undefined {
	const proxy = target.secure ? environment.https : environment.http;
	if (!proxy) return undefined;
	const host = bareHost(target.host);
	return environment.noProxy.some((entry) => bypasses(entry, host, target.port)) ? undefined : proxy;
}

/** The proxy's URL for messages and logs: never its user name or password. */
export function proxyOrigin(proxy: Proxy): string {
	return `${proxy.url.protocol}//${proxy.url.host}`;
}

function proxyVariable(env: NodeJS.ProcessEnv, lower: string): Proxy | undefined {
	const upper = lower.toUpperCase();
	const variable = env[lower] ? lower : env[upper] ? upper : undefined;
	if (!variable) return undefined;
	const value = String(env[variable]).trim();
	// Like curl, a proxy given without a scheme is an HTTP proxy.
	const candidate = value.includes('://') ? value : `http://${value}`;
	const url = URL.canParse(candidate) ? new URL(candidate) : undefined;
	if (!url || !['http:', 'https:'].includes(url.protocol) || !url.hostname) {
		// The value may hold a password: name the variable only.
		throw new TransportSetupError(
			`${variable} is not a proxy URL the node can use`,
			`Set ${variable} on the n8n host to an http:// or https:// proxy URL such as http://proxy.example.com:3128 (with user:password@ before the host if the proxy asks for them), or unset it.`,
		);
	}
	return { url, variable };
}

// NO_PROXY entries: "*" (every host), a host or IP address, a domain with or without a leading "." or "*." (the domain
// and its subdomains), each optionally with ":port"; IPv6 addresses bare or in brackets.
function bypasses(entry: string, host: string, port: number): boolean {
	if (entry === '*') return true;
	const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
	if (withPort && Number(withPort[2]) !== port) return false;
	const name = bareHost(withPort ? withPort[1] : entry).replace(/^\*?\./, '');
	return name !== '' && (host === name || host.endsWith(`.${name}`));
}

function bareHost(host: string): string {
	return host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}
