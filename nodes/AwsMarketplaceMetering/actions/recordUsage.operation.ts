import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { recordUsageEvents, type RecordingOptions } from '../batch';
import { recordedItems } from '../helpers/ledgerOutcomes';
import { itemsUnlessFailed, withLedger } from '../helpers/ledgerRun';
import { readUsageEvents } from '../helpers/usageEvents';
import { ledgerFields, nonIntegerQuantityOption, recordingOptions, usageRecordFields } from '../helpers/usageFields';

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
		options: [...recordingOptions(), nonIntegerQuantityOption],
	},
];

/**
 * Validates the usage of each input item as Batch Meter Usage does and stores it in the metering
 * ledger, without calling AWS: for flows that receive usage as it happens (webhooks, queues). A
 * later Batch Meter Usage run sends each hour once it has closed.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const { nonIntegerQuantity, deriveEventIds, billLateUsageLater } = this.getNodeParameter('options', 0, {}) as RecordingOptions;
	const { events, unreadable, recordsMode } = readUsageEvents.call(this, items);
	return await withLedger.call(this, async (ledger) => {
		const recorded = await recordUsageEvents(ledger, events, { nonIntegerQuantity, deriveEventIds, billLateUsageLater });
		return itemsUnlessFailed.call(this, recordedItems(recorded, { node: this.getNode(), itemCount: items.length, recordsMode, unreadable, unbilledAsErrors: true }), recorded);
	});
}
