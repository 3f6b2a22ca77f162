import { GetEntitlementsCommand, type MarketplaceEntitlementServiceClient } from '@aws-sdk/client-marketplace-entitlement-service';
import { MeterUsageCommand, ResolveCustomerCommand, type MarketplaceMeteringClient } from '@aws-sdk/client-marketplace-metering';
import type { ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';

import { describeServiceError } from '../helpers/serviceErrors';
import { createEntitlementClient, createMeteringClient, TransportSetupError } from '.';

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
const PROBE_SETTINGS = { maxAttempts: 1, requestTimeoutMs: 10_000 };

export async function testCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	let client: MarketplaceMeteringClient;
	let entitlementClient: MarketplaceEntitlementServiceClient;
	try {
		client = createMeteringClient(credential.data ?? {}, PROBE_SETTINGS);
		entitlementClient = createEntitlementClient(credential.data ?? {}, PROBE_SETTINGS);
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
		// Keys that may only read entitlements still serve Get Entitlements.
		return { status: allowed ? 'OK' : metering.result.status, message: `${metering.result.message}\n${line}` };
	} finally {
		client.destroy();
		entitlementClient.destroy();
	}
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
