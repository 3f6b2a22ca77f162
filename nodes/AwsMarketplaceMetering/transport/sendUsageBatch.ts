import { BatchMeterUsageCommand, type MarketplaceMeteringClient } from '@aws-sdk/client-marketplace-metering';

import type { SendBatch, UsageError, UsageRecord } from '../batch';
import { describeServiceError } from './serviceErrors';

/** The batch engine's "send one request", through the SDK, which signs it and retries transport errors. */
export function sendUsageBatch(client: MarketplaceMeteringClient): SendBatch {
	return async (batch) => {
		const response = await client.send(
			new BatchMeterUsageCommand({
				UsageRecords: batch.records,
				// Never with license-based records: the planner decides, sending both bills twice.
				...(batch.sendProductCode ? { ProductCode: batch.productCode } : {}),
			}),
		);
		return {
			results: (response.Results ?? []).map((result) => ({
				record: result.UsageRecord as UsageRecord,
				meteringRecordId: result.MeteringRecordId,
				status: result.Status ?? 'Unknown',
			})),
			unprocessed: (response.UnprocessedRecords ?? []) as UsageRecord[],
		};
	};
}

/** The node's advice for an error a request ended with, as the engine's outcome error. */
export function describeUsageError(error: unknown): UsageError {
	const info = describeServiceError(error);
	return { code: info.code, message: info.message, description: info.description };
}
