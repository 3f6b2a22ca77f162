import type { UsageError } from './types';

/** What the engine does about an error `send` throws. */
export type ErrorKind =
	/** One record sinks the whole request: bisect until it is alone. */
	| 'isolate'
	/** Concerns the request's product: every record of it is rejected. */
	| 'rejectRequest'
	/** Concerns the account or credentials: stop sending. */
	| 'fatal'
	/** The node's own request timeout: a hung endpoint must end the run, so no resending. */
	| 'timeout'
	/** Left over after the SDK's retries (throttling, 5xx, a reset connection): resent like unprocessed records. */
	| 'transient';

const ISOLATE = new Set([
	'TimestampOutOfBoundsException',
	'InvalidUsageDimensionException',
	'InvalidLicenseException',
	'InvalidTagException',
	'InvalidUsageAllocationsException',
	'InvalidCustomerIdentifierException',
	// The request's own fault, which resending cannot cure: find the record that causes it.
	'ValidationException',
	'SerializationException',
	'RequestEntityTooLargeException',
]);

const FATAL = new Set([
	'AccessDeniedException',
	'AccessDenied',
	'UnrecognizedClientException',
	'InvalidClientTokenId',
	'InvalidSignatureException',
	'SignatureDoesNotMatch',
	'IncompleteSignature',
	'MissingAuthenticationToken',
	'MissingAuthenticationTokenException',
	'ExpiredTokenException',
	'ExpiredToken',
	'DisabledApiException',
	'InvalidEndpointRegionException',
	'CredentialsProviderError',
]);

const NETWORK_CODES = /^E[A-Z]+$/;

/** The AWS exception name, or the network error code when there is no better name. */
export function errorName(error: unknown): string {
	const err = (error ?? {}) as { name?: unknown; code?: unknown };
	const name = typeof err.name === 'string' ? err.name : undefined;
	const code = typeof err.code === 'string' && NETWORK_CODES.test(err.code) ? err.code : undefined;
	if (code && (!name || name === 'Error')) return code;
	return name ?? 'Error';
}

function errorMessage(error: unknown): string {
	const message = (error as { message?: unknown } | undefined)?.message;
	return typeof message === 'string' && message ? message : String(error);
}

// The SDK names its own timeouts and a reset connection alike (TimeoutError); its own timeouts say
// "configured" or "of inactivity" in their message, a reset carries ECONNRESET or EPIPE.
const OWN_TIMEOUT = /configured|of inactivity|no activity/;

function httpStatus(error: unknown): number | undefined {
	const status = (error as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata?.httpStatusCode;
	return typeof status === 'number' ? status : undefined;
}

// An answer of AWS's auth layer under a name not listed above: no record can cure it.
const UNAUTHORIZED = new Set([401, 403]);

// AWS models throttling as a client fault without the retryable marker (the SDK's retries know it by name).
const THROTTLED = /Throttl|TooManyRequests|LimitExceeded|SlowDown/;

/** The SDK's markers on the errors it throws: whose fault, and whether it would retry. */
function sdkMarkers(error: unknown): { fault?: unknown; retryable: boolean } {
	const err = (error ?? {}) as { $fault?: unknown; $retryable?: unknown };
	return { fault: err.$fault, retryable: Boolean(err.$retryable) };
}

/**
 * Known names first (AWS's advice per exception); an error AWS adds later is classified by the SDK's markers:
 * a client fault the SDK would not retry is the request's own (find its record), anything else is resent.
 */
export function classifyError(error: unknown): ErrorKind {
	const name = errorName(error);
	if (ISOLATE.has(name) || httpStatus(error) === 413) return 'isolate';
	if (name === 'TimeoutError' && OWN_TIMEOUT.test(errorMessage(error))) return 'timeout';
	if (name === 'InvalidProductCodeException') return 'rejectRequest';
	if (FATAL.has(name) || UNAUTHORIZED.has(httpStatus(error) ?? 0)) return 'fatal';
	const { fault, retryable } = sdkMarkers(error);
	if (fault === 'client' && !retryable && !THROTTLED.test(name) && httpStatus(error) !== 429) return 'isolate';
	return 'transient';
}

/**
 * The engine's plain wording of an error `send` threw: what AWS said and what the engine did. The node replaces it
 * with the seller's advice (transport/serviceErrors.ts holds AWS's advice per exception, once).
 */
export function describeSendError(error: unknown): UsageError {
	const code = errorName(error);
	const said = `${code}: ${errorMessage(error).replace(/\.?\s*$/, '.')}`;
	switch (classifyError(error)) {
		case 'isolate':
			return { code, message: `AWS rejected this usage record (${said})` };
		case 'rejectRequest':
			return { code, message: `AWS rejected the product code (${said})` };
		case 'fatal':
			return { code, message: `AWS refused the request (${said}) Sending stopped: no further requests were made with these credentials.` };
		case 'timeout':
			return { code, message: `The request got no answer in time (${said}) It may have been metered: resending the same record later is safe.` };
		default:
			return {
				code,
				message: `The request failed after the AWS SDK's retries (${said}) Resending is safe: AWS does not bill the same quantity for the same hour twice.`,
			};
	}
}
