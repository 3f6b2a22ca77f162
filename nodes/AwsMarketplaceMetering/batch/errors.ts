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
	'ExpiredTokenException',
	'ExpiredToken',
	'DisabledApiException',
	'InvalidEndpointRegionException',
	'CredentialsProviderError',
]);

const ADVICE: Record<string, string> = {
	TimestampOutOfBoundsException: 'Report usage within the hours after it happened; future timestamps are rejected.',
	InvalidUsageDimensionException: 'Use a dimension API identifier exactly as listed in the product’s pricing dimensions.',
	InvalidLicenseException: 'Use the license ARN that Resolve Customer returned for this customer and product.',
	InvalidTagException: 'Tags: 1 to 5 per allocation, keys of 1-100 and values of 1-256 characters from a-z A-Z 0-9 + - = . _ : / @ and space.',
	InvalidUsageAllocationsException: 'Allocated quantities must add up exactly to the quantity, each allocation with a distinct tag set.',
	InvalidCustomerIdentifierException: 'Use the customer identifier or AWS account ID that Resolve Customer returned.',
	InvalidProductCodeException: 'Use the product code from the AWS Marketplace Management Portal or the one Resolve Customer returned.',
	AccessDeniedException: 'Allow aws-marketplace:BatchMeterUsage in the IAM policy of these credentials.',
	UnrecognizedClientException: 'Check the access key ID (and the session token of temporary keys).',
	InvalidSignatureException: 'Check the secret access key and this machine’s clock.',
	ExpiredTokenException: 'The session token has expired: renew the temporary credentials.',
	DisabledApiException:
		'The Metering API is disabled in this Region: use the Region AWS enabled for your product, and never resend an hour already metered through another Region (AWS deduplicates per Region).',
	InvalidEndpointRegionException: 'Call the API in the Region AWS expects for this product.',
	ValidationException: 'AWS’s message names the field and the rule the record breaks: fix it in the input.',
	SerializationException: 'A field has a type AWS cannot read: fix it in the input.',
	RequestEntityTooLargeException: 'The request was over 1 MB: use fewer or shorter usage allocation tags.',
};

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

export function classifyError(error: unknown): ErrorKind {
	const name = errorName(error);
	if (ISOLATE.has(name) || httpStatus(error) === 413) return 'isolate';
	if (name === 'TimeoutError' && OWN_TIMEOUT.test(errorMessage(error))) return 'timeout';
	if (name === 'InvalidProductCodeException') return 'rejectRequest';
	if (FATAL.has(name)) return 'fatal';
	return 'transient';
}

/** The engine's own wording of an error `send` threw; the node may supply richer advice instead. */
export function describeSendError(error: unknown): UsageError {
	const code = errorName(error);
	const said = `${code}: ${errorMessage(error).replace(/\.?\s*$/, '.')}`;
	switch (classifyError(error)) {
		case 'isolate':
			return { code, message: `AWS rejected this usage record (${said}) ${ADVICE[code] ?? ADVICE.RequestEntityTooLargeException}` };
		case 'rejectRequest':
			return { code, message: `AWS rejected the product code (${said}) ${ADVICE[code]}` };
		case 'fatal':
			return {
				code,
				message: `AWS refused the request (${said}) ${ADVICE[code] ?? 'Check the credentials and the Region.'} Sending stopped: no further requests were made with these credentials.`,
			};
		case 'timeout':
			return { code, message: `The request got no answer in time (${said}) It may have been metered: resending the same record later is safe.` };
		default:
			return {
				code,
				message: `The request failed after the AWS SDK's retries (${said}) Resending is safe: AWS does not bill the same quantity for the same hour twice.`,
			};
	}
}
