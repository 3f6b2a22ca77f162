import { MarketplaceAgreementClient } from '@aws-sdk/client-marketplace-agreement';
import { MarketplaceEntitlementServiceClient } from '@aws-sdk/client-marketplace-entitlement-service';
import {
	MarketplaceMeteringClient,
	type MarketplaceMeteringClientConfig,
} from '@aws-sdk/client-marketplace-metering';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { NodeOperationError, type ICredentialDataDecryptedObject, type IExecuteFunctions } from 'n8n-workflow';

import { requestHandlerOptions } from './requestHandler';
import { TransportSetupError } from './setupError';
import { assertSystemCredentialsAllowed } from './systemCredentials';

export { TransportSetupError } from './setupError';

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

/** The Entitlement Service answers in this Region only. */
export const ENTITLEMENT_REGION = 'us-east-1';
/** The Agreement Service answers in this Region only. */
export const AGREEMENT_REGION = 'us-east-1';

/** One SDK client per execution, shared by all items. */
export async function getMeteringClient(
	this: IExecuteFunctions,
	settings: ClientSettings = {},
): Promise<MarketplaceMeteringClient> {
	return await withCredential(this, (credentials) => createMeteringClient(credentials, settings));
}

export async function getEntitlementClient(
	this: IExecuteFunctions,
	settings: ClientSettings = {},
): Promise<MarketplaceEntitlementServiceClient> {
	return await withCredential(this, (credentials) => createEntitlementClient(credentials, settings));
}

export async function getAgreementClient(this: IExecuteFunctions, settings: ClientSettings = {}): Promise<MarketplaceAgreementClient> {
	return await withCredential(this, (credentials) => createAgreementClient(credentials, settings));
}

/** The only place that reads the credential. */
async function withCredential<T>(ctx: IExecuteFunctions, create: (credentials: ICredentialDataDecryptedObject) => T): Promise<T> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	try {
		return create(credentials);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), error as Error, { description: error instanceof TransportSetupError ? error.description : undefined });
	}
}

/** Throws TransportSetupError for settings that allow no request at all. */
export function createMeteringClient(
	data: ICredentialDataDecryptedObject,
	settings: ClientSettings = {},
): MarketplaceMeteringClient {
	const credentials = data as unknown as MeteringCredentials;
	return new MarketplaceMeteringClient({ region: credentials.region, ...sharedConfig(credentials, settings) });
}

/**
 * The Entitlement Service lives in us-east-1 whatever the credential's Region; its Custom Endpoint (an emulator)
 * replaces the endpoint only when set. Throws TransportSetupError as createMeteringClient does.
 */
export function createEntitlementClient(
	data: ICredentialDataDecryptedObject,
	settings: ClientSettings = {},
): MarketplaceEntitlementServiceClient {
	return new MarketplaceEntitlementServiceClient({ region: ENTITLEMENT_REGION, ...sharedConfig(data as unknown as MeteringCredentials, settings) });
}

/** As createEntitlementClient: us-east-1 whatever the credential's Region, its Custom Endpoint when set. */
export function createAgreementClient(data: ICredentialDataDecryptedObject, settings: ClientSettings = {}): MarketplaceAgreementClient {
	return new MarketplaceAgreementClient({ region: AGREEMENT_REGION, ...sharedConfig(data as unknown as MeteringCredentials, settings) });
}

function sharedConfig(credentials: MeteringCredentials, settings: ClientSettings) {
	const { maxAttempts, requestTimeoutMs } = { ...DEFAULT_CLIENT_SETTINGS, ...settings };
	// One pair of agents for the client and its STS clients: destroying the client closes all connections.
	const requestHandler = requestHandlerOptions(requestTimeoutMs);
	return {
		endpoint: nonEmpty(credentials.endpoint),
		credentials: credentialProvider(credentials, requestHandler),
		maxAttempts,
		requestHandler,
	};
}

function credentialProvider(
	credentials: MeteringCredentials,
	requestHandler: ReturnType<typeof requestHandlerOptions>,
): MarketplaceMeteringClientConfig['credentials'] {
	const base =
		credentials.credentialSource === 'defaultChain'
			? hostCredentials(requestHandler)
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
			ExternalId: externalId(credentials),
		},
		clientConfig: { region: credentials.region, endpoint: nonEmpty(credentials.stsEndpoint), requestHandler },
	});
}

// STS's constraint on an External ID. Checked here because STS's answer to one that breaks it quotes the ID.
const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;

function externalId(credentials: MeteringCredentials): string | undefined {
	const id = nonEmpty(credentials.externalId?.trim());
	if (id !== undefined && !EXTERNAL_ID_PATTERN.test(id)) {
		throw new TransportSetupError(
			'The External ID is not one AWS accepts',
			'An External ID has 2 to 1224 characters: letters, digits and + = , . @ : / - _ (no spaces). Copy it exactly from the role’s trust policy.',
		);
	}
	return id;
}

function hostCredentials(requestHandler: ReturnType<typeof requestHandlerOptions>) {
	assertSystemCredentialsAllowed();
	// Its STS calls (web identity on EKS) go through the proxy too.
	return fromNodeProviderChain({ clientConfig: { requestHandler } });
}

function nonEmpty(value: string | undefined): string | undefined {
	return value ? value : undefined;
}
