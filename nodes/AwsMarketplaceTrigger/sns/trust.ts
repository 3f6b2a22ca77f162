// Where the trigger lets an SNS message send it: the signing certificate and the subscription
// confirmation must come from Amazon SNS itself, or a forged message could point the trigger at a
// key of its author's choosing, or at an internal address.
import { AWS_REGIONS, endpointHost } from '../regions';

/**
 * For tests only: one https origin on a loopback address (e.g. the local emulator's
 * `https://127.0.0.1:4010`) trusted as if it were Amazon SNS. Never set it in production: a message
 * signed with that origin's key would then pass as one from SNS.
 */
export const TEST_SNS_ORIGIN_VARIABLE = 'AWS_MARKETPLACE_TRIGGER_TEST_SNS_ORIGIN';

// sns.<region>.amazonaws.com, or .amazonaws.com.cn in China, for a Region that exists: no S3
// bucket's host, no Region made up for the occasion.
const SNS_HOSTS = new Set(AWS_REGIONS.map((region) => endpointHost('sns', region)));

// Only a process on the n8n host can answer there. The WHATWG URL parser has already turned every
// spelling of an IPv4 address (0x7f.1, 2130706433) into dotted decimal, and refused 127.0.0.300.
const isLoopback = (hostname: string) => hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);

function parse(value: unknown): URL | undefined {
	if (typeof value !== 'string') return undefined;
	try {
		return new URL(value);
	} catch {
		return undefined;
	}
}

/**
 * The test origin the variable names, if any. Anything but an https origin on a loopback address,
 * written with its scheme, throws: `localhost:4010` parses as the scheme `localhost:`, whose origin
 * "null" every data: URL shares.
 */
export function testSnsOrigin(env: NodeJS.ProcessEnv = process.env): string | undefined {
	const value = env[TEST_SNS_ORIGIN_VARIABLE];
	if (value === undefined || value === '') return undefined;
	const url = parse(value);
	if (url?.protocol !== 'https:' || !isLoopback(url.hostname) || url.href !== `${url.origin}/`) {
		throw new Error(`${TEST_SNS_ORIGIN_VARIABLE} must be an https origin on a loopback address, such as https://127.0.0.1:4010, not "${value}" (and set only for tests)`);
	}
	return url.origin;
}

/** An https URL on an SNS host (default port, no user info), or on the test origin. */
export function isSnsUrl(value: unknown, env: NodeJS.ProcessEnv = process.env): value is string {
	const url = parse(value);
	if (url?.protocol !== 'https:' || url.username || url.password) return false;
	if (url.origin === testSnsOrigin(env)) return true;
	return SNS_HOSTS.has(url.hostname) && url.port === '';
}

/** A certificate as SNS names it: a .pem file on an SNS host. */
export function isSigningCertificateUrl(value: unknown, env: NodeJS.ProcessEnv = process.env): value is string {
	return isSnsUrl(value, env) && new URL(value).pathname.endsWith('.pem');
}
