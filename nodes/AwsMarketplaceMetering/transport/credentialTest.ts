import { MeterUsageCommand, ResolveCustomerCommand, type MarketplaceMeteringClient } from '@aws-sdk/client-marketplace-metering';
import type { ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';

import { describeServiceError } from '../helpers/serviceErrors';
import { createMeteringClient, TransportSetupError } from '.';

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

export async function testCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	let client: MarketplaceMeteringClient;
	try {
		client = createMeteringClient(credential.data ?? {}, { maxAttempts: 1, requestTimeoutMs: 10_000 });
	} catch (error) {
		// The editor shows a failed test's message; a credential test has no node to throw a NodeOperationError for.
		const message = error instanceof TransportSetupError ? `${error.message}. ${error.description}` : (error as Error).message;
		return { status: 'Error', message };
	}
	try {
		const resolve = await attempt(() => client.send(new ResolveCustomerCommand({ RegistrationToken: UNISSUED_REGISTRATION })));
		if (resolve.ok || AUTHORIZED_ANSWERS.has(resolve.code)) {
			return { status: 'OK', message: 'Authenticated and allowed to call aws-marketplace:ResolveCustomer' };
		}
		if (resolve.code !== 'AccessDeniedException') return { status: 'Error', message: resolve.message };

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
				status: 'OK',
				message:
					'Authenticated and allowed to call aws-marketplace:MeterUsage, but not aws-marketplace:ResolveCustomer (needed for SaaS products)',
			};
		}
		return {
			status: 'Error',
			message:
				'The credentials are valid but not allowed to call aws-marketplace:ResolveCustomer (SaaS) or aws-marketplace:MeterUsage (AMI and container products): add the action to the IAM policy',
		};
	} finally {
		client.destroy();
	}
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
