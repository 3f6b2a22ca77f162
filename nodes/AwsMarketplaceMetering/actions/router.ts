import type { MarketplaceEntitlementServiceClient } from '@aws-sdk/client-marketplace-entitlement-service';
import type { MarketplaceMeteringClient } from '@aws-sdk/client-marketplace-metering';
import { NodeApiError, NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { engineRoutesDetails, forErrorOutput } from '../helpers/errorOutput';
import { getEntitlementClient, getMeteringClient } from '../transport';
import * as batchMeterUsage from './batchMeterUsage.operation';
import * as getEntitlements from './getEntitlements.operation';
import * as getMeteringReport from './getMeteringReport.operation';
import * as meterOpenHours from './meterOpenHours.operation';
import * as meterUsage from './meterUsage.operation';
import * as recordUsage from './recordUsage.operation';
import * as registerUsage from './registerUsage.operation';
import * as resolveCustomer from './resolveCustomer.operation';
import type { Services } from './services';

const operations = { batchMeterUsage, getEntitlements, getMeteringReport, meterOpenHours, meterUsage, recordUsage, registerUsage, resolveCustomer };

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
	if (!(operation in operations)) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	}
	// Only the operations that send usage offer these options; the others use the defaults.
	const options = this.getNodeParameter('options', 0, {}) as { requestTimeoutSeconds?: number; maxAttempts?: number };
	const settings = {
		requestTimeoutMs: options.requestTimeoutSeconds ? options.requestTimeoutSeconds * 1000 : undefined,
		maxAttempts: options.maxAttempts,
	};
	let client: Promise<MarketplaceMeteringClient> | undefined;
	let entitlementClient: Promise<MarketplaceEntitlementServiceClient> | undefined;
	const services: Services = {
		client: async () => await (client ??= getMeteringClient.call(this, settings)),
		entitlementClient: async () => await (entitlementClient ??= getEntitlementClient.call(this, settings)),
	};
	try {
		return [forErrorOutput(this.getNode(), await operations[operation].execute.call(this, items, services), engineRoutesDetails())];
	} catch (error) {
		// The ledger's database errors arrive as plain errors: give them the node's context.
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- already a NodeOperationError or NodeApiError
		if (error instanceof NodeOperationError || error instanceof NodeApiError) throw error;
		throw new NodeOperationError(this.getNode(), error as Error, {
			description:
				'The metering ledger failed. What it had recorded stays; usage it had claimed for sending is sent again, with the same quantity, by a later run.',
		});
	} finally {
		for (const built of [client, entitlementClient]) if (built) (await built.catch(() => undefined))?.destroy();
	}
}
