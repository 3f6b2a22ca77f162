import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { getMeteringClient } from '../transport';
import * as batchMeterUsage from './batchMeterUsage.operation';
import * as meterUsage from './meterUsage.operation';
import * as registerUsage from './registerUsage.operation';
import * as resolveCustomer from './resolveCustomer.operation';

const operations = { batchMeterUsage, meterUsage, registerUsage, resolveCustomer };

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
	if (!(operation in operations)) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	}
	// Only Batch Meter Usage offers these options; the other operations use the defaults.
	const options = this.getNodeParameter('options', 0, {}) as { requestTimeoutSeconds?: number; maxAttempts?: number };
	const client = await getMeteringClient.call(this, {
		requestTimeoutMs: options.requestTimeoutSeconds ? options.requestTimeoutSeconds * 1000 : undefined,
		maxAttempts: options.maxAttempts,
	});
	try {
		return [await operations[operation].execute.call(this, client, items)];
	} finally {
		client.destroy();
	}
}
