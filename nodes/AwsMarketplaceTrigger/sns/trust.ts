// Where the trigger lets an SNS message send it: the signing certificate and the subscription
// confirmation must come from Amazon SNS itself, or a forged message could point the trigger at a
// key of its author's choosing, or at an internal address.

/**
 * For tests only: one origin (scheme, host and port, e.g. the local emulator's
 * `http://127.0.0.1:4010`) trusted as if it were Amazon SNS. Never set it in production: a message
 * signed with that origin's key would then pass as one from SNS.
 */
export const TEST_SNS_ORIGIN_VARIABLE = 'AWS_MARKETPLACE_TRIGGER_TEST_SNS_ORIGIN';

const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com$/;

function parse(value: unknown): URL | undefined {
	if (typeof value !== 'string') return undefined;
	try {
		return new URL(value);
	} catch {
		return undefined;
	}
}

/** An https URL on sns.<region>.amazonaws.com (default port, no user info), or on the test origin. */
export function isSnsUrl(value: unknown, env: NodeJS.ProcessEnv = process.env): value is string {
	const url = parse(value);
	if (!url) return false;
	const testOrigin = parse(env[TEST_SNS_ORIGIN_VARIABLE]);
	if (testOrigin && url.origin === testOrigin.origin) return true;
	return url.protocol === 'https:' && SNS_HOST.test(url.hostname) && url.port === '' && !url.username && !url.password;
}

/** A certificate as SNS names it: a .pem file on an SNS host. */
export function isSigningCertificateUrl(value: unknown, env: NodeJS.ProcessEnv = process.env): value is string {
	return isSnsUrl(value, env) && new URL(value).pathname.endsWith('.pem');
}
