import { createHash } from 'node:crypto';

import type { UsageAllocation } from '../batch';

export interface MeterUsageReport {
	productCode: string;
	usageDimension: string;
	usageQuantity: number;
	timestamp: Date;
	usageAllocations?: UsageAllocation[];
}

/**
 * A ClientToken computed from the report itself (43 characters of base64url SHA-256): the same item sends the
 * same token whenever n8n runs it again, so AWS answers a retry with the first record instead of billing it twice.
 * Nothing of the execution goes in: a retried execution gets a new execution ID.
 */
export function deriveClientToken(report: MeterUsageReport): string {
	const fields = [
		report.productCode,
		report.usageDimension,
		report.usageQuantity,
		report.timestamp.toISOString(),
		report.usageAllocations ?? null,
	];
	return createHash('sha256').update(JSON.stringify(fields)).digest('base64url');
}
