import type { MarketplaceAgreementClient } from '@aws-sdk/client-marketplace-agreement';
import type { MarketplaceEntitlementServiceClient } from '@aws-sdk/client-marketplace-entitlement-service';
import type { MarketplaceMeteringClient } from '@aws-sdk/client-marketplace-metering';
import { NodeApiError, NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { engineRoutesDetails, forErrorOutput } from '../helpers/errorOutput';
import { RESOURCES_SINCE } from '../helpers/versions';
import { getAgreementClient, getEntitlementClient, getMeteringClient } from '../transport';
import { OPERATIONS, RESOURCE_OF, type Operation } from './operations';
import type { Services } from './services';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = operationOf(this);
	// Only the operations that send usage offer these options; the others use the defaults.
	const options = this.getNodeParameter('options', 0, {}) as { requestTimeoutSeconds?: number; maxAttempts?: number };
	const settings = {
		requestTimeoutMs: options.requestTimeoutSeconds ? options.requestTimeoutSeconds * 1000 : undefined,
		maxAttempts: options.maxAttempts,
	};
	let client: Promise<MarketplaceMeteringClient> | undefined;
	let entitlementClient: Promise<MarketplaceEntitlementServiceClient> | undefined;
	let agreementClient: Promise<MarketplaceAgreementClient> | undefined;
	const services: Services = {
		client: async () => await (client ??= getMeteringClient.call(this, settings)),
		entitlementClient: async () => await (entitlementClient ??= getEntitlementClient.call(this, settings)),
		agreementClient: async () => await (agreementClient ??= getAgreementClient.call(this, settings)),
	};
	try {
		return [forErrorOutput(this.getNode(), await operation.module.execute.call(this, items, services), engineRoutesDetails())];
	} catch (error) {
		// The ledger's database errors arrive as plain errors: give them the node's context.
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- already a NodeOperationError or NodeApiError
		if (error instanceof NodeOperationError || error instanceof NodeApiError) throw error;
		throw new NodeOperationError(this.getNode(), error as Error, {
			description:
				'The metering ledger failed. What it had recorded stays; usage it had claimed for sending is sent again, with the same quantity, by a later run.',
		});
	} finally {
		for (const built of [client, entitlementClient, agreementClient]) if (built) (await built.catch(() => undefined))?.destroy();
	}
}

/** The operation to run: one of the node's version, of the resource selected from version 3 on. */
function operationOf(ctx: IExecuteFunctions): Operation {
	const value = ctx.getNodeParameter('operation', 0) as string;
	const version = ctx.getNode().typeVersion;
	const operation = OPERATIONS.find((candidate) => candidate.value === value && version >= (candidate.since ?? 0));
	if (!operation) throw new NodeOperationError(ctx.getNode(), `The operation "${value}" is not supported`);
	if (version >= RESOURCES_SINCE) {
		const resource = ctx.getNodeParameter('resource', 0) as string;
		if (RESOURCE_OF.get(value) !== resource) throw new NodeOperationError(ctx.getNode(), `The operation "${value}" is not one of the resource "${resource}"`);
	}
	return operation;
}
