import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { recordUsageEvents, type NonIntegerQuantity } from '../batch';
import { firstLedgerFailure, recordedItems } from '../helpers/ledgerOutcomes';
import { readUsageEvents } from '../helpers/usageEvents';
import { ledgerFields, usageRecordFields } from '../helpers/usageFields';
import { getLedger, type LedgerChoice } from '../transport/ledger';

export const description: INodeProperties[] = [
	...ledgerFields(['recordUsage'], { closing: false }),
	...usageRecordFields(['recordUsage']),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: ['recordUsage'] } },
		options: [
			{
				displayName: 'Non-Integer Quantity',
				name: 'nonIntegerQuantity',
				type: 'options',
				options: [
					{ name: 'Report as Invalid', value: 'error' },
					{ name: 'Round Up', value: 'roundUp' },
					{ name: 'Round to Nearest', value: 'roundNearest' },
				],
				default: 'error',
				description: 'AWS accepts whole quantities only. Fractions are kept exactly in the ledger; rounding applies to the hour’s sum when it is sent.',
			},
		],
	},
];

/**
 * Validates the usage of each input item as Batch Meter Usage does and stores it in the metering
 * ledger, without calling AWS: for flows that receive usage as it happens (webhooks, queues). A
 * later Batch Meter Usage run sends each hour once it has closed.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const { nonIntegerQuantity } = this.getNodeParameter('options', 0, {}) as { nonIntegerQuantity?: NonIntegerQuantity };
	const { events, unreadable, recordsMode } = readUsageEvents.call(this, items);
	const ledger = (await getLedger.call(this, this.getNodeParameter('ledger', 0, 'embedded') as LedgerChoice))!;
	try {
		const recorded = await recordUsageEvents(ledger, events, { nonIntegerQuantity });
		const result = recordedItems(recorded, { node: this.getNode(), itemCount: items.length, recordsMode, unreadable, unbilledAsErrors: true });
		const failure = this.continueOnFail() ? undefined : firstLedgerFailure(result);
		if (failure) throw new NodeOperationError(this.getNode(), failure.message, { itemIndex: failure.itemIndex });
		return result;
	} finally {
		await ledger.close();
	}
}
