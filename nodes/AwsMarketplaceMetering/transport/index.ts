import {
	MarketplaceMeteringClient,
	type MarketplaceMeteringClientConfig,
} from '@aws-sdk/client-marketplace-metering';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { ICredentialDataDecryptedObject, IExecuteFunctions } from 'n8n-workflow';

export const CREDENTIAL_TYPE = 'awsMarketplaceMeteringApi';

export interface MeteringCredentials {
	region: string;
	credentialSource: 'accessKeys' | 'defaultChain';
	accessKeyId?: string;
	secretAccessKey?: string;
	sessionToken?: string;
	assumeRole?: boolean;
	roleArn?: string;
	externalId?: string;
	roleSessionName?: string;
	stsEndpoint?: string;
	endpoint?: string;
}

export interface ClientSettings {
	/** Attempts per request, first included; the SDK backs off between them. */
	maxAttempts?: number;
	/** Socket idle time before a request is abandoned, so a hung endpoint cannot hang the workflow. */
	requestTimeoutMs?: number;
}

export const DEFAULT_CLIENT_SETTINGS: Required<ClientSettings> = {
	maxAttempts: 5,
	requestTimeoutMs: 30_000,
};

/** The only place that reads the credential: one SDK client per execution, shared by all items. */
export async function getMeteringClient(
	this: IExecuteFunctions,
	settings: ClientSettings = {},
): Promise<MarketplaceMeteringClient> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	return createMeteringClient(credentials, settings);
}

export function createMeteringClient(
	data: ICredentialDataDecryptedObject,
	settings: ClientSettings = {},
): MarketplaceMeteringClient {
	const credentials = data as unknown as MeteringCredentials;
	const { maxAttempts, requestTimeoutMs } = { ...DEFAULT_CLIENT_SETTINGS, ...settings };
	return new MarketplaceMeteringClient({
		region: credentials.region,
		endpoint: nonEmpty(credentials.endpoint),
		credentials: credentialProvider(credentials),
		maxAttempts,
		// Without throwOnRequestTimeout the SDK only logs a warning and a hung endpoint hangs the workflow.
		requestHandler: { requestTimeout: requestTimeoutMs, connectionTimeout: requestTimeoutMs, throwOnRequestTimeout: true },
	});
}

function credentialProvider(
	credentials: MeteringCredentials,
): MarketplaceMeteringClientConfig['credentials'] {
	const base =
		credentials.credentialSource === 'defaultChain'
			? fromNodeProviderChain()
			: {
					accessKeyId: (credentials.accessKeyId ?? '').trim(),
					secretAccessKey: (credentials.secretAccessKey ?? '').trim(),
					sessionToken: nonEmpty(credentials.sessionToken?.trim()),
				};
	if (!credentials.assumeRole) return base;
	return fromTemporaryCredentials({
		masterCredentials: base,
		params: {
			RoleArn: (credentials.roleArn ?? '').trim(),
			RoleSessionName: nonEmpty(credentials.roleSessionName?.trim()) ?? 'n8n-marketplace-metering',
			ExternalId: nonEmpty(credentials.externalId?.trim()),
		},
		clientConfig: { region: credentials.region, endpoint: nonEmpty(credentials.stsEndpoint) },
	});
}

function nonEmpty(value: string | undefined): string | undefined {
	return value ? value : undefined;
}
