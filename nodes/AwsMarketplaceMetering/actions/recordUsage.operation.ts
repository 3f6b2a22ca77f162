import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { usageRecorder, type RecordingOptions } from '../batch';
import { recordedItems } from '../helpers/ledgerOutcomes';
import { itemsUnlessFailed, tallyRecorded, withLedger, withRecordedNote } from '../helpers/ledgerRun';
import { readUsageEventsInParts } from '../helpers/usageEvents';
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

/** Events recorded per transaction: a run keeps one part's events and answers, not every item's. */
const EVENTS_PER_PART = 5_000;

/**
 * Validates the usage of each input item as Batch Meter Usage does and stores it in the metering
 * ledger, without calling AWS: for flows that receive usage as it happens (webhooks, queues). A
 * later Batch Meter Usage run sends each hour once it has closed.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const { nonIntegerQuantity, deriveEventIds, billLateUsageLater } = this.getNodeParameter('options', 0, {}) as RecordingOptions;
	return await withLedger.call(this, async (ledger) => {
		const record = usageRecorder(ledger, { nonIntegerQuantity, deriveEventIds, billLateUsageLater });
		const tally = tallyRecorded([]);
		const output: INodeExecutionData[] = [];
		try {
			for (const part of readUsageEventsInParts.call(this, items, EVENTS_PER_PART)) {
				const recorded = await record(part.events);
				tallyRecorded(recorded, tally);
				const ctx = { node: this.getNode(), itemCount: items.length, recordsMode: part.recordsMode, unreadable: part.unreadable, unbilledAsErrors: true };
				for (const item of recordedItems(recorded, ctx, part.first, part.end)) output.push(item);
			}
		} catch (error) {
			// Parts recorded before the failure stay recorded: say so, and whether a rerun is safe.
			throw withRecordedNote.call(this, error, tally);
		}
		return itemsUnlessFailed.call(this, output, tally);
	});
}
