import { MarketplaceAgreementClient } from '@aws-sdk/client-marketplace-agreement';
import { MarketplaceEntitlementServiceClient } from '@aws-sdk/client-marketplace-entitlement-service';
import { MarketplaceMeteringClient } from '@aws-sdk/client-marketplace-metering';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';

import { DEFAULT_TEST_CREDENTIAL, startEmulator, type Emulator, type EmulatorCredential, type EmulatorOptions } from '../../emulator';

/**
 * Starts an emulator before the surrounding describe block's tests and stops it after them.
 * Returns an accessor: the emulator exists only once beforeAll has run.
 */
export function useEmulator(options: EmulatorOptions = {}): () => Emulator {
	let emulator: Emulator | undefined;
	beforeAll(async () => {
		emulator = await startEmulator(options);
	});
	afterAll(async () => {
		await emulator?.stop();
	});
	return () => {
		if (!emulator) throw new Error('The emulator starts in beforeAll: use it inside a test or a hook');
		return emulator;
	};
}

/** Runs `use` against a fresh emulator and stops it afterwards, whatever happens. */
export async function withEmulator<T>(options: EmulatorOptions, use: (emulator: Emulator) => Promise<T>): Promise<T> {
	const emulator = await startEmulator(options);
	try {
		return await use(emulator);
	} finally {
		await emulator.stop();
	}
}

/** A real SDK client pointed at the emulator, signing with the given keys, without SDK retries. */
export function meteringClient(
	emulator: Emulator,
	credentials: Pick<EmulatorCredential, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'> = DEFAULT_TEST_CREDENTIAL,
): MarketplaceMeteringClient {
	const { accessKeyId, secretAccessKey, sessionToken } = credentials;
	return new MarketplaceMeteringClient({
		endpoint: emulator.url,
		region: emulator.region,
		credentials: { accessKeyId, secretAccessKey, sessionToken },
		maxAttempts: 1,
	});
}

/** A real Entitlement Service client pointed at the emulator: us-east-1, the service's only Region, without SDK retries. */
export function entitlementClient(
	emulator: Emulator,
	credentials: Pick<EmulatorCredential, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'> = DEFAULT_TEST_CREDENTIAL,
	region = 'us-east-1',
): MarketplaceEntitlementServiceClient {
	const { accessKeyId, secretAccessKey, sessionToken } = credentials;
	return new MarketplaceEntitlementServiceClient({ endpoint: emulator.url, region, credentials: { accessKeyId, secretAccessKey, sessionToken }, maxAttempts: 1 });
}

/** A real Agreement Service client pointed at the emulator: us-east-1, the service's Region, without SDK retries. */
export function agreementClient(
	emulator: Emulator,
	credentials: Pick<EmulatorCredential, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'> = DEFAULT_TEST_CREDENTIAL,
	region = 'us-east-1',
): MarketplaceAgreementClient {
	const { accessKeyId, secretAccessKey, sessionToken } = credentials;
	return new MarketplaceAgreementClient({ endpoint: emulator.url, region, credentials: { accessKeyId, secretAccessKey, sessionToken }, maxAttempts: 1 });
}

export interface RawRequest {
	/** A metering operation (sent as X-Amz-Target), or undefined for an STS form body. */
	operation?: string;
	body: string;
	contentType?: string;
	credentials?: Pick<EmulatorCredential, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>;
	service?: string;
	region?: string;
	signingDate?: Date;
	/** Headers added after signing. */
	extraHeaders?: Record<string, string>;
	/** A body sent instead of the signed one. */
	sentBody?: string;
}

/** Sends a hand-made request, SigV4-signed like the SDK does, to reach what no well-behaved client sends. */
export async function sendSigned(emulator: Emulator, request: RawRequest): Promise<{ status: number; text: string; json: () => unknown }> {
	const url = new URL(emulator.url);
	const headers: Record<string, string> = {
		host: url.host,
		'content-type': request.contentType ?? (request.operation ? 'application/x-amz-json-1.1' : 'application/x-www-form-urlencoded; charset=utf-8'),
		...(request.operation ? { 'x-amz-target': `AWSMPMeteringService.${request.operation}` } : {}),
	};
	const signer = new SignatureV4({
		credentials: request.credentials ?? DEFAULT_TEST_CREDENTIAL,
		region: request.region ?? emulator.region,
		service: request.service ?? (request.operation ? 'aws-marketplace' : 'sts'),
		sha256: Hash.bind(null, 'sha256'),
		applyChecksum: false,
	});
	const signed = await signer.sign(
		{ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {}, headers, body: request.body },
		{ signingDate: request.signingDate },
	);
	const { host: _host, ...sent } = signed.headers;
	const response = await fetch(`${emulator.url}/`, { method: 'POST', headers: { ...sent, ...request.extraHeaders }, body: request.sentBody ?? request.body });
	const text = await response.text();
	return { status: response.status, text, json: () => JSON.parse(text) };
}
