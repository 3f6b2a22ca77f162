import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { serviceError } from '../transport/serviceErrors';
import { itemMessage } from './usageOutcomes';

/**
 * Runs one AWS call per input item with n8n's conventions: every item comes out once, paired to
 * its input; with "continue on fail" a failed item becomes an error item, otherwise the node stops.
 */
export async function mapItems(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	run: (itemIndex: number) => Promise<IDataObject>,
): Promise<INodeExecutionData[]> {
	return await flatMapItems.call(this, items, async (itemIndex) => [await run(itemIndex)]);
}

/** As mapItems, for calls that answer a list: an item per entry, each paired to its input item, none for an empty list. */
export async function flatMapItems(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	run: (itemIndex: number) => Promise<IDataObject[]>,
): Promise<INodeExecutionData[]> {
	const returnData: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			for (const json of await run(itemIndex)) returnData.push({ json, pairedItem: { item: itemIndex } });
		} catch (caught) {
			const error =
				caught instanceof NodeOperationError || caught instanceof NodeApiError
					? caught
					: serviceError(this.getNode(), caught, itemIndex);
			error.message = itemMessage(error.message, { itemIndex }, items.length);
			if (!this.continueOnFail()) throw error;
			// Only `error` and `details`: that is what sends an item to n8n's error output.
			returnData.push({ json: { error: error.message, details: error.description ?? '' }, pairedItem: { item: itemIndex } });
		}
	}
	return returnData;
}
