import { MarketplaceAgreementServiceException } from '@aws-sdk/client-marketplace-agreement';
import { NodeApiError, type INode, type JsonObject } from 'n8n-workflow';

import { describeLocalError } from './networkErrors';

interface Advice {
	message: string;
	description: string;
}

// What the user should do about each error the service (or AWS's auth layer) can answer.
const ADVICE: Record<string, Advice> = {
	InvalidTokenException: {
		message: 'The registration token is not valid',
		description:
			'Pass the x-amzn-marketplace-token form field exactly as AWS posted it, and call Resolve Customer from the seller account that published the product.',
	},
	ExpiredTokenException: {
		message: 'The registration token has expired',
		description:
			'Registration tokens are short-lived: resolve them as soon as the buyer lands on your registration page. Ask the buyer to open the product from AWS Marketplace again for a new token.',
	},
	SessionTokenExpired: {
		message: 'The AWS session token has expired',
		description:
			'Temporary credentials expire. Update the session token in the credential, or use the default credential chain or an assumed role, which renew themselves.',
	},
	UnrecognizedClientException: {
		message: 'AWS does not recognize these credentials',
		description:
			'Check the access key ID, and the session token if the keys are temporary ones. Keys of another partition (China, GovCloud) only work in that partition’s Regions.',
	},
	InvalidClientTokenId: {
		message: 'AWS does not recognize these credentials',
		description: 'Check the access key ID, and the session token if the keys are temporary ones.',
	},
	InvalidSignatureException: {
		message: 'AWS rejected the request signature',
		description: 'Check the secret access key, and that this machine’s clock is correct.',
	},
	SignatureDoesNotMatch: {
		message: 'AWS rejected the request signature',
		description: 'Check the secret access key, and that this machine’s clock is correct.',
	},
	AccessDeniedException: {
		message: 'These credentials are not allowed to call this operation',
		description:
			'Allow the action named below (aws-marketplace:<Operation>) in the IAM policy of the user or role. The package’s docs/credentials.md lists the minimal policy per operation.',
	},
	AccessDenied: {
		message: 'These credentials are not allowed to assume the role',
		description: 'Allow sts:AssumeRole on the role for these credentials, and trust them in the role’s trust policy (with the external ID, if any).',
	},
	DisabledApiException: {
		message: 'The Metering API is disabled in this Region',
		description:
			'Use the Region AWS enabled for your product (AWS Marketplace Seller Operations adds Regions). AWS deduplicates usage per Region: never resend an hour already metered through another Region.',
	},
	InvalidProductCodeException: {
		message: 'The product code is not valid',
		description: 'Use the product code from the AWS Marketplace Management Portal, or the one Resolve Customer returned.',
	},
	// The Entitlement Service's one client error, for a product code or filter it does not accept.
	InvalidParameterException: {
		message: 'The product code or a filter is not valid',
		description:
			'Use the product code of a product your seller account published (AWS Marketplace Management Portal), and filter on Customer AWS Account ID or Customer Identifier, not both.',
	},
	InvalidUsageDimensionException: {
		message: 'The usage dimension is not defined for this product',
		description: 'Use a dimension API identifier exactly as listed in the product’s pricing dimensions.',
	},
	InvalidCustomerIdentifierException: {
		message: 'The customer identifier is not valid',
		description: 'Use the customer identifier or AWS account ID that Resolve Customer returned.',
	},
	InvalidLicenseException: {
		message: 'The license ARN is not valid',
		description: 'Use the license ARN that Resolve Customer returned for this customer.',
	},
	InvalidTagException: {
		message: 'A usage allocation tag is not valid',
		description: 'Tags: 1 to 5 per allocation, keys of 1-100 and values of 1-256 characters from a-z A-Z 0-9 + - = . _ : / @ and space.',
	},
	InvalidUsageAllocationsException: {
		message: 'The usage allocations are not valid',
		description: 'Allocated quantities must add up exactly to the usage quantity, and each allocation needs a distinct tag set.',
	},
	TimestampOutOfBoundsException: {
		message: 'The timestamp is outside the window AWS accepts',
		description: 'Report usage within the hour it happened (BatchMeterUsage accepts it for a few hours at most); timestamps in the future are rejected.',
	},
	// The request's own fault, which the engine isolates to the record that causes it.
	ValidationException: {
		message: 'AWS did not accept the usage record',
		description: 'AWS’s message names the field and the rule the record breaks: fix it in the input.',
	},
	SerializationException: {
		message: 'AWS could not read a field of the usage record',
		description: 'A field has a type AWS cannot read: fix it in the input.',
	},
	RequestEntityTooLargeException: {
		message: 'The request is too large',
		description: 'AWS accepts requests of up to 1 MB: use fewer or shorter usage allocation tags.',
	},
	DuplicateRequestException: {
		message: 'Usage for this hour and dimension was already reported with another quantity',
		description: 'Meter Usage takes one report per dimension, hour and instance, task or pod; the first quantity is the one billed.',
	},
	IdempotencyConflictException: {
		message: 'The client token was already used with other parameters',
		description: 'A client token identifies one request: use a new token for different usage, the same token only to retry the same usage.',
	},
	InvalidEndpointRegionException: {
		message: 'Meter Usage was called in another Region than the compute it runs on',
		description: 'Set the credential’s Region to the Region of the EC2 instance, ECS task or EKS pod.',
	},
	InvalidRegionException: {
		message: 'Register Usage was called in another Region than the task was launched in',
		description: 'Set the credential’s Region to the Region of the ECS task or EKS pod.',
	},
	CustomerNotEntitledException: {
		message: 'The customer is not entitled to this product',
		description: 'The buyer has no active subscription. AWS’s guidance is to stop the container.',
	},
	PlatformNotSupportedException: {
		message: 'Register Usage is not supported on this platform',
		description: 'Register Usage works on Amazon ECS, Amazon EKS and AWS Fargate only. AWS’s guidance is to stop the container.',
	},
	InvalidPublicKeyVersionException: {
		message: 'The public key version is not valid',
		description: 'Use the public key version shown for the product in the AWS Marketplace Management Portal (1 unless the key was rotated).',
	},
	DryRunOperation: {
		message: 'Dry run',
		description: 'The request would have succeeded.',
	},
	ThrottlingException: {
		message: 'AWS throttled the requests',
		description: 'The Metering API allows 10 requests per second per account and Region (Register Usage 5). Lower the node’s request rate or spread the workflows over time.',
	},
	InternalServiceErrorException: {
		message: 'AWS Marketplace Metering had an internal error',
		description: 'Retry later; resending the same usage is safe, the same quantity is not billed twice.',
	},
	CredentialsProviderError: {
		message: 'No AWS credentials were found in the default credential chain',
		description: 'On EC2, ECS or EKS give the instance, task or pod an IAM role; elsewhere set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile, or use access keys in the credential.',
	},
};

// The Agreement Service's modelled exceptions, by name or by name and reason. Two share a name with the Metering
// API's (AccessDeniedException, ThrottlingException) and are told apart by the SDK's base class of its errors.
const AGREEMENT_ADVICE: Record<string, Advice> = {
	AccessDeniedException: {
		message: 'These credentials are not allowed to call this operation',
		description:
			'Allow the action named below (aws-marketplace:<Operation>) in the IAM policy of the user or role. The package’s docs/credentials.md lists the actions of the agreement operations.',
	},
	'AccessDeniedException:INVALID_ACCESS': {
		message: 'This account is not the party of the agreement that may do this',
		description:
			'AWS leaves some operations to one party of an agreement: Accept and Reject Agreement Cancellation Request and List Agreement Charges to the buyer (acceptor); Send and Cancel Agreement Cancellation Request, List Agreement Invoice Line Items and the billing adjustment requests to the seller (proposer). Use a credential of that party’s account.',
	},
	ResourceNotFoundException: {
		message: 'AWS Marketplace has no such agreement or request for this account',
		description:
			'Check the ID (agreements agmt-…, cancellation requests acr-…, billing adjustment requests ba-…), that it belongs to the agreement given, and that the credential is of the agreement’s seller (proposer) or buyer (acceptor) account.',
	},
	ConflictException: {
		message: 'The request is not in a state that allows this',
		description:
			'A cancellation request can be withdrawn, accepted or rejected only while it is PENDING_APPROVAL, and sent only for an ACTIVE agreement with no other request pending: Get or List Agreement Cancellation Requests shows their status. A client token stands for one cancellation request or billing adjustment only: give another one its own token.',
	},
	ValidationException: {
		message: 'AWS Marketplace did not accept the request',
		description: 'AWS names the field and the rule below.',
	},
	ThrottlingException: {
		message: 'AWS throttled the requests',
		description: 'Read fewer pages (Limit, filters), or spread the workflows over time; the AWS SDK already retried.',
	},
	InternalServerException: {
		message: 'The AWS Marketplace Agreement Service had an internal error',
		description: 'Retry later. A billing adjustment request sent again with the same client token is not created twice.',
	},
};

// BatchCreateBillingAdjustmentRequest answers an entry it did not create with one of these codes.
const BILLING_ADJUSTMENT_ADVICE: Record<string, Advice> = {
	CONFLICT_EXCEPTION: {
		message: 'The client token was used for another billing adjustment request',
		description: 'A client token stands for one adjustment: give another adjustment its own token, or leave Client Token empty to derive one from the adjustment.',
	},
	VALIDATION_EXCEPTION: {
		message: 'AWS Marketplace did not accept the billing adjustment',
		description:
			'The amount may refund at most the invoice’s maxAdjustmentAmount less what earlier adjustments refunded (List Agreement Invoice Line Items shows it), in the invoice’s currency, of an invoice (not a credit memo).',
	},
	RESOURCE_NOT_FOUND_EXCEPTION: {
		message: 'AWS Marketplace has no such agreement or invoice for this account',
		description: 'Use an agreement of this seller (proposer) account and an invoice ID that List Agreement Invoice Line Items lists for it.',
	},
	INTERNAL_FAILURE: {
		message: 'AWS Marketplace failed to create the billing adjustment request',
		description: 'Run the item again: with the same client token, AWS does not create it twice.',
	},
};

/** An entry BatchCreateBillingAdjustmentRequest did not create, as the item's error. */
export function billingAdjustmentError(node: INode, failure: { code?: string; message?: string }, itemIndex: number): NodeApiError {
	const code = failure.code ?? 'Unknown';
	const advice = BILLING_ADJUSTMENT_ADVICE[code] ?? { message: `AWS Marketplace did not create the billing adjustment request (${code})`, description: '' };
	return new NodeApiError(node, { name: code, message: failure.message ?? '' } as JsonObject, {
		message: advice.message,
		description: [advice.description, `AWS said: ${failure.message ?? code}`].filter(Boolean).join(' '),
		itemIndex,
	});
}

export interface ServiceErrorInfo {
	/** The AWS error name, or a network error code. */
	code: string;
	message: string;
	description: string;
	awsMessage: string;
	httpCode?: number;
}

// HTTP answers that name no AWS error (the SDK could not parse them): an HTML page from a proxy or another server in
// between, or an AWS front end's bare status.
const UNNAMED_ANSWER = /^(SyntaxError|UnknownError|Unknown|\d{3})$/;

/** Names an SDK or network error in the user's terms, without anything from the request (no secrets). */
export function describeServiceError(error: unknown): ServiceErrorInfo {
	const err = (error ?? {}) as {
		name?: string;
		message?: string;
		$metadata?: { httpStatusCode?: number };
		reason?: string;
		fields?: Array<{ name?: string; message?: string }>;
	};
	const awsMessage = String(err.message ?? error);
	const httpCode = err.$metadata?.httpStatusCode;
	const local = httpCode === undefined ? describeLocalError(error) : undefined;
	if (local) return { ...local, awsMessage };

	let code = err.name ?? 'Error';
	if (code === 'ExpiredTokenException' && /security token/i.test(awsMessage)) code = 'SessionTokenExpired';
	if (code === 'ProviderError') code = 'CredentialsProviderError';
	if (httpCode !== undefined && UNNAMED_ANSWER.test(code)) return { ...unnamedAnswer(httpCode), awsMessage, httpCode };
	const agreement = error instanceof MarketplaceAgreementServiceException;
	const service = agreement ? 'the AWS Marketplace Agreement Service' : 'AWS Marketplace Metering';
	const advice = (agreement ? (AGREEMENT_ADVICE[`${code}:${err.reason}`] ?? AGREEMENT_ADVICE[code]) : undefined) ??
		ADVICE[code] ?? {
			message: httpCode === undefined ? `The request to ${service} failed (${code})` : `${service.charAt(0).toUpperCase()}${service.slice(1)} answered ${code}`,
			description: '',
		};
	// Only an HTTP answer is something AWS said; the rest happened on this machine.
	const details = httpCode === undefined ? `Details: ${awsMessage}` : `AWS said: ${awsMessage}${modelledDetails(err)}`;
	return {
		code,
		message: advice.message,
		description: [advice.description, details].filter(Boolean).join(' '),
		awsMessage,
		httpCode,
	};
}

/** The Agreement Service's reason and fields, which its message may not repeat. */
function modelledDetails(error: { reason?: string; fields?: Array<{ name?: string; message?: string }> }): string {
	const fields = (error.fields ?? []).map((field) => `${field.name}: ${field.message}`).join('; ');
	return [error.reason ? ` (${error.reason})` : '', fields ? ` Fields: ${fields}.` : ''].join('');
}

function unnamedAnswer(httpCode: number): { code: string; message: string; description: string } {
	if (httpCode === 407) {
		return {
			code: 'ProxyAuthenticationRequired',
			message: 'A proxy asks for a user name and password (HTTP 407)',
			description: 'No request reached AWS. Put them in the proxy URL of HTTP_PROXY or HTTPS_PROXY on the n8n host: http://user:password@host:port (URL-encoded).',
		};
	}
	if (httpCode === 413) {
		return { code: 'RequestEntityTooLarge', message: 'The request is too large (HTTP 413)', description: 'AWS accepts requests of up to 1 MB: send fewer records or shorter usage allocation tags.' };
	}
	return {
		code: `HTTP${httpCode}`,
		message: `The endpoint answered HTTP ${httpCode} without an AWS error`,
		description: 'AWS names each error it answers, and this answer names none: a proxy or another server in between may have answered. Check the credential’s Custom Endpoint, and the proxy (HTTP_PROXY, HTTPS_PROXY) if n8n uses one.',
	};
}

export function serviceError(node: INode, error: unknown, itemIndex?: number): NodeApiError {
	const info = describeServiceError(error);
	// Only the named fields go into the error: the SDK error also holds the raw response.
	const cause: JsonObject = { name: info.code, message: info.awsMessage };
	return new NodeApiError(node, cause, {
		message: info.message,
		description: info.description,
		httpCode: info.httpCode ? String(info.httpCode) : undefined,
		itemIndex,
	});
}
