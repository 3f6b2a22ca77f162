import { BatchMeterUsageCommand, type MarketplaceMeteringClient } from '@aws-sdk/client-marketplace-metering';

import type { BatchResponse, SendBatch, UsageRecord } from '../batch';

/** The batch engine's "send one request" through the SDK, which signs it and retries transport errors. */
export function sendUsageBatch(client: MarketplaceMeteringClient): SendBatch {
	return async (batch) => {
		const response = await client.send(
			new BatchMeterUsageCommand({
				UsageRecords: batch.records,
				...(batch.sendProductCode ? { ProductCode: batch.productCode } : {}),
			}),
		);
		// Results echo the records; map them back to the objects sent so outcomes stay attached.
		const sent = new Map(batch.records.map((record) => [recordKey(record), record]));
		const resolve = (record: Partial<UsageRecord> | undefined) => sent.get(recordKey(record)) ?? (record as UsageRecord);
		const answer: BatchResponse = {
			results: (response.Results ?? []).map((result) => ({
				record: resolve(result.UsageRecord as UsageRecord),
				meteringRecordId: result.MeteringRecordId,
				status: result.Status ?? 'Unknown',
			})),
			unprocessed: (response.UnprocessedRecords ?? []).map((record) => resolve(record as UsageRecord)),
		};
		return answer;
	};
}

function recordKey(record: Partial<UsageRecord> | undefined): string {
	return [
		record?.CustomerAWSAccountId ?? '',
		record?.CustomerIdentifier ?? '',
		record?.LicenseArn ?? '',
		record?.Dimension ?? '',
		record?.Timestamp ? new Date(record.Timestamp).getTime() : '',
		record?.Quantity ?? '',
	].join('|');
}
