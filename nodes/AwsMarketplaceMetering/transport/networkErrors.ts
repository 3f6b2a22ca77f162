import { connectionOf } from './requestHandler';

// Errors from this side of the network come with no answer from AWS: they say what failed where (the endpoint and
// proxy the transport recorded on the error) and what to check, never "AWS said".

const FAILURES: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'host name lookup failed',
	ETIMEDOUT: 'no answer in time',
	ECONNRESET: 'the connection was reset',
	EPIPE: 'the connection was closed',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
};

// Node's certificate and TLS codes (CERT_HAS_EXPIRED, DEPTH_ZERO_SELF_SIGNED_CERT, ERR_TLS_CERT_ALTNAME_INVALID, ...),
// and their messages for when only the message is left.
const TLS_CODES = /CERT|SELF_SIGNED|^ERR_TLS_|^ERR_SSL_|^EPROTO$/;
const TLS_MESSAGES = /certificate|self[- ]signed|SSL routines|wrong version number/i;

export interface LocalError {
	code: string;
	message: string;
	description: string;
}

interface ErrorFields {
	name?: string;
	code?: string;
	message?: string;
	statusCode?: number;
	statusText?: string;
	address?: string;
	port?: number;
	hostname?: string;
}

/** Describes an error that came with no answer from AWS, or returns undefined for any other. */
export function describeLocalError(error: unknown): LocalError | undefined {
	const err = (error ?? {}) as ErrorFields;
	const { endpoint = socketAddress(err), proxy } = connectionOf(error) ?? {};
	const where = `${endpoint}${proxy ? ` through the proxy ${proxy.url} (${proxy.variable})` : ''}`;
	const nodeSaid = `Node.js reported: ${err.message ?? String(error)}`;
	const check = `Check the credential’s Region and Custom Endpoint (and STS Endpoint with Assume Role) and this machine’s network access (firewall, DNS, VPC endpoints)${
		proxy ? `, the proxy in ${proxy.variable}, and whether NO_PROXY should list this host` : '; behind a proxy, set HTTPS_PROXY (and NO_PROXY) for n8n'
	}.`;
	const code = [err.code, ...(err.message?.match(/\bE[A-Z_]{3,}\b/g) ?? [])].find((found) => found && FAILURES[found]);

	if (err.name === 'ProxyRefused' && proxy) {
		return {
			code: 'ProxyRefused',
			message: `The proxy ${proxy.url} (${proxy.variable}) refused the connection to ${endpoint}: HTTP ${err.statusCode} ${err.statusText}`,
			description:
				err.statusCode === 407
					? `No request reached AWS. The proxy asks for a user name and password: put them in ${proxy.variable} as http://user:password@host:port (URL-encoded).`
					: `No request reached AWS. Ask the proxy’s administrator to allow this host, or list the host in NO_PROXY to connect directly.`,
		};
	}
	// The SDK names a reset connection TimeoutError too: its socket code tells them apart.
	if (err.name === 'TimeoutError' && code !== 'ECONNRESET' && code !== 'EPIPE') {
		return {
			code: 'TimeoutError',
			message: `The request to ${where} timed out`,
			description: `No answer came in time. ${check} Then retry: resending the same usage is safe. ${nodeSaid}`,
		};
	}
	if (code) {
		return { code, message: `Could not connect to ${where}: ${FAILURES[code]}`, description: `No answer came from AWS. ${check} ${nodeSaid}` };
	}
	if (err.code ? TLS_CODES.test(err.code) : TLS_MESSAGES.test(err.message ?? '')) {
		return {
			code: err.code ?? 'TLSError',
			message: `Could not connect securely to ${where}: ${err.message?.replace(/^.*Error: /, '')}`,
			description: `The TLS connection failed before any request was sent. Check that the Custom Endpoint is an https:// URL of AWS or of your VPC endpoint. If a proxy or firewall inspects HTTPS traffic, give n8n its CA certificate with NODE_EXTRA_CA_CERTS. ${nodeSaid}`,
		};
	}
	return undefined;
}

// Without the transport's record (a request it did not send), the socket's own: "connect ECONNREFUSED 127.0.0.1:9".
function socketAddress(err: ErrorFields): string {
	if (err.hostname) return err.hostname;
	if (err.address) return `${err.address}${err.port ? `:${err.port}` : ''}`;
	return /(?:connect|getaddrinfo) E[A-Z_]+ (\S+)/.exec(err.message ?? '')?.[1] ?? 'the endpoint';
}
