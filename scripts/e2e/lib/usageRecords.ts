import type { RequestLogEntry } from '../../../emulator';

/** A usage record of a BatchMeterUsage request the emulator received, its Timestamp read as a date. */
export interface SentUsageRecord {
	CustomerIdentifier?: string;
	CustomerAWSAccountId?: string;
	LicenseArn?: string;
	Dimension: string;
	Quantity?: number;
	Timestamp: Date;
}

/** The usage records of the BatchMeterUsage requests among `entries` of the emulator's log, in the order received. */
export function usageRecordsSent(entries: RequestLogEntry[]): SentUsageRecord[] {
	return entries
		.filter((entry) => entry.operation === 'BatchMeterUsage')
		.flatMap((entry) =>
			((entry.body as { UsageRecords?: Array<Omit<SentUsageRecord, 'Timestamp'> & { Timestamp: unknown }> } | undefined)?.UsageRecords ?? []).map((record) => ({
				...record,
				// The SDK sends epoch seconds.
				Timestamp: typeof record.Timestamp === 'number' ? new Date(record.Timestamp * 1000) : new Date(String(record.Timestamp)),
			})),
		);
}
