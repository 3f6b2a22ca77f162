import { createHash } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import type { UsageAllocation } from '../batch';

export interface MeterUsageReport {
	productCode: string;
	usageDimension: string;
	usageQuantity: number;
	timestamp: Date;
	usageAllocations?: UsageAllocation[];
}

/**
 * A ClientToken computed from the input item and what it reports (43 characters of base64url
 * SHA-256): the same item sends the same token whenever n8n runs it again, so AWS never bills it
 * twice. Nothing of the run goes in: neither the execution (a retry gets a new ID) nor the time
 * (the timestamp often defaults to now).
 */
export function deriveClientToken(report: MeterUsageReport, item: IDataObject): string {
	const fields = [report.productCode, report.usageDimension, report.usageQuantity, report.usageAllocations ?? null, item];
	return createHash('sha256').update(JSON.stringify(fields)).digest('base64url');
}
