import {
	CancelAgreementCancellationRequestCommand,
	DescribeAgreementCommand,
	GetAgreementCancellationRequestCommand,
	GetAgreementTermsCommand,
	GetBillingAdjustmentRequestCommand,
	ListAgreementCancellationRequestsCommand,
	ListAgreementChargesCommand,
	ListAgreementInvoiceLineItemsCommand,
	SearchAgreementsCommand,
	SendAgreementCancellationRequestCommand,
	type MarketplaceAgreementClient,
} from '@aws-sdk/client-marketplace-agreement';
import { GetEntitlementsCommand, type MarketplaceEntitlementServiceClient } from '@aws-sdk/client-marketplace-entitlement-service';
import { MeterUsageCommand, ResolveCustomerCommand, type MarketplaceMeteringClient } from '@aws-sdk/client-marketplace-metering';
import type { ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';

import { describeServiceError } from './serviceErrors';
import { createAgreementClient, createEntitlementClient, createMeteringClient, TransportSetupError } from '.';

// A well-formed registration token that no buyer holds: AWS answers InvalidTokenException only after
// the request is authenticated and authorized, so that answer proves the credential works, and it
// changes nothing. The fallback, a Meter Usage dry run, covers credentials meant for AMI and container
// products, which may lack ResolveCustomer.
const UNISSUED_REGISTRATION = 'n8n-credential-test-token';
const AUTHORIZED_ANSWERS = new Set(['InvalidTokenException', 'ExpiredTokenException']);
const DRY_RUN_AUTHORIZED = new Set([
	'DryRunOperation',
	'InvalidProductCodeException',
	'InvalidUsageDimensionException',
	'InvalidEndpointRegionException',
	'PlatformNotSupportedException',
	'CustomerNotEntitledException',
]);
// Get Entitlements of a product code no seller has: an empty list or InvalidParameterException come only after
// authorization, and it reads nothing of anyone's.
const UNPUBLISHED_PRODUCT = 'n8n-credential-test';
const ENTITLEMENTS_AUTHORIZED = new Set(['InvalidParameterException']);
// The Agreement Service's reading operations, on IDs no agreement has (a search for an account no buyer has): "not
// found" and an empty list come only after authorization and read nothing. The seller's cancellation requests are
// tried the same way: AWS's agreement IDs are agmt- and 25 characters, so none is this one, and sending or withdrawing
// a request of it changes nothing. Accepting, rejecting and refunding are not tried.
const NO_AGREEMENT = 'agmt-n8ncredentialtest';
const NO_CANCELLATION_REQUEST = 'acr-n8ncredentialtest';
// Only makes a resend idempotent: the same probe sent twice is one request.
const PROBE_IDEMPOTENCY = 'n8n-credential-test';
const AGREEMENTS_AUTHORIZED = new Set(['ResourceNotFoundException', 'ValidationException']);
const AGREEMENT_PROBES: Array<[string, (client: MarketplaceAgreementClient) => Promise<unknown>]> = [
	['DescribeAgreement', (client) => client.send(new DescribeAgreementCommand({ agreementId: NO_AGREEMENT }))],
	['GetAgreementTerms', (client) => client.send(new GetAgreementTermsCommand({ agreementId: NO_AGREEMENT, maxResults: 1 }))],
	[
		'SearchAgreements',
		(client) =>
			client.send(
				new SearchAgreementsCommand({
					filters: [
						{ name: 'PartyType', values: ['Proposer'] },
						{ name: 'AgreementType', values: ['PurchaseAgreement'] },
						{ name: 'AcceptorAccountId', values: ['000000000000'] },
					],
					maxResults: 1,
				}),
			),
	],
	['ListAgreementInvoiceLineItems', (client) => client.send(new ListAgreementInvoiceLineItemsCommand({ agreementId: NO_AGREEMENT, groupBy: 'INVOICE_ID', maxResults: 1 }))],
	['ListAgreementCharges', (client) => client.send(new ListAgreementChargesCommand({ agreementId: NO_AGREEMENT, maxResults: 1 }))],
	[
		'GetAgreementCancellationRequest',
		(client) => client.send(new GetAgreementCancellationRequestCommand({ agreementId: NO_AGREEMENT, agreementCancellationRequestId: NO_CANCELLATION_REQUEST })),
	],
	['ListAgreementCancellationRequests', (client) => client.send(new ListAgreementCancellationRequestsCommand({ partyType: 'Proposer', agreementId: NO_AGREEMENT, maxResults: 1 }))],
	[
		'SendAgreementCancellationRequest',
		(client) => client.send(new SendAgreementCancellationRequestCommand({ agreementId: NO_AGREEMENT, reasonCode: 'TEST_AGREEMENT', clientToken: PROBE_IDEMPOTENCY })),
	],
	[
		'CancelAgreementCancellationRequest',
		(client) =>
			client.send(
				new CancelAgreementCancellationRequestCommand({ agreementId: NO_AGREEMENT, agreementCancellationRequestId: NO_CANCELLATION_REQUEST, cancellationReason: 'n8n credential test' }),
			),
	],
	['GetBillingAdjustmentRequest', (client) => client.send(new GetBillingAdjustmentRequestCommand({ agreementId: NO_AGREEMENT, billingAdjustmentRequestId: 'ba-n8ncredentialtest' }))],
];
const PROBE_SETTINGS = { maxAttempts: 1, requestTimeoutMs: 10_000 };

export async function testCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	let client: MarketplaceMeteringClient;
	let entitlementClient: MarketplaceEntitlementServiceClient;
	let agreementClient: MarketplaceAgreementClient;
	try {
		client = createMeteringClient(credential.data ?? {}, PROBE_SETTINGS);
		entitlementClient = createEntitlementClient(credential.data ?? {}, PROBE_SETTINGS);
		agreementClient = createAgreementClient(credential.data ?? {}, PROBE_SETTINGS);
	} catch (error) {
		// The editor shows a failed test's message; a credential test has no node to throw a NodeOperationError for.
		const message = error instanceof TransportSetupError ? `${error.message}. ${error.description}` : (error as Error).message;
		return { status: 'Error', message };
	}
	try {
		const metering = await testMetering(client);
		// Keys AWS did not accept, or an endpoint that did not answer: the Entitlement Service would say no more.
		if (!metering.authenticated) return metering.result;
		const entitlements = await attempt(() => entitlementClient.send(new GetEntitlementsCommand({ ProductCode: UNPUBLISHED_PRODUCT, MaxResults: 1 })));
		const allowed = entitlements.ok || ENTITLEMENTS_AUTHORIZED.has(entitlements.code);
		const line = allowed
			? 'Allowed to call aws-marketplace:GetEntitlements'
			: entitlements.code === 'AccessDeniedException'
				? 'Not allowed to call aws-marketplace:GetEntitlements (needed for Get Entitlements of contract products)'
				: `Could not check aws-marketplace:GetEntitlements: ${entitlements.message}`;
		const agreements = await testAgreements(agreementClient);
		// Keys that may only read entitlements or agreements still serve those operations.
		return { status: allowed || agreements.allowed ? 'OK' : metering.result.status, message: `${metering.result.message}\n${line}\n${agreements.line}` };
	} finally {
		client.destroy();
		entitlementClient.destroy();
		agreementClient.destroy();
	}
}

/** One line: which of the Agreement Service's actions tried the keys may call. */
async function testAgreements(client: MarketplaceAgreementClient): Promise<{ allowed: boolean; line: string }> {
	const answers = await Promise.all(AGREEMENT_PROBES.map(async ([action, call]) => ({ action: `aws-marketplace:${action}`, answer: await attempt(() => call(client)) })));
	const allowed = answers.filter(({ answer }) => answer.ok || AGREEMENTS_AUTHORIZED.has(answer.code)).map(({ action }) => action);
	const denied = answers.filter(({ answer }) => answer.code === 'AccessDeniedException').map(({ action }) => action);
	const unknown = answers.find(({ action }) => !allowed.includes(action) && !denied.includes(action));
	const parts = [
		allowed.length ? `allowed to call ${allowed.join(', ')}` : '',
		denied.length ? `not allowed to call ${denied.join(', ')}` : '',
		unknown ? `could not check ${unknown.action}: ${unknown.answer.message}` : '',
	].filter(Boolean);
	return { allowed: allowed.length > 0, line: `Agreement operations: ${parts.join('; ')}` };
}

/** Resolve Customer, else a Meter Usage dry run; `authenticated` when AWS accepted the keys, whatever it allowed. */
async function testMetering(client: MarketplaceMeteringClient): Promise<{ result: INodeCredentialTestResult; authenticated: boolean }> {
	const resolve = await attempt(() => client.send(new ResolveCustomerCommand({ RegistrationToken: UNISSUED_REGISTRATION })));
	if (resolve.ok || AUTHORIZED_ANSWERS.has(resolve.code)) {
		return { authenticated: true, result: { status: 'OK', message: 'Authenticated and allowed to call aws-marketplace:ResolveCustomer' } };
	}
	if (resolve.code !== 'AccessDeniedException') return { authenticated: false, result: { status: 'Error', message: resolve.message } };

	const dryRun = await attempt(() =>
		client.send(
			new MeterUsageCommand({
				ProductCode: 'n8n-credential-test',
				UsageDimension: 'n8n-credential-test',
				UsageQuantity: 0,
				Timestamp: new Date(),
				DryRun: true,
			}),
		),
	);
	if (dryRun.ok || DRY_RUN_AUTHORIZED.has(dryRun.code)) {
		return {
			authenticated: true,
			result: {
				status: 'OK',
				message: 'Authenticated and allowed to call aws-marketplace:MeterUsage, but not aws-marketplace:ResolveCustomer (needed for SaaS products)',
			},
		};
	}
	return {
		authenticated: true,
		result: {
			status: 'Error',
			message:
				'The credentials are valid but not allowed to call aws-marketplace:ResolveCustomer (SaaS) or aws-marketplace:MeterUsage (AMI and container products): add the action to the IAM policy',
		},
	};
}

async function attempt(call: () => Promise<unknown>): Promise<{ ok: boolean; code: string; message: string }> {
	try {
		await call();
		return { ok: true, code: '', message: '' };
	} catch (error) {
		const info = describeServiceError(error);
		return { ok: false, code: info.code, message: `${info.message}. ${info.description}` };
	}
}
