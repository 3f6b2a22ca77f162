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

/**
 * A billing adjustment's ClientToken computed from the adjustment (64 hex characters of SHA-256: the model takes
 * a-z A-Z 0-9 -): the same refund sent again, by a retried execution or a webhook delivered twice, answers the first
 * request instead of refunding twice.
 */
export function deriveAdjustmentToken(adjustment: Record<string, string | undefined>): string {
	const canonical: Record<string, string | undefined> = { ...adjustment, adjustmentAmount: canonicalAmount(adjustment.adjustmentAmount ?? '') };
	const fields = ['agreementId', 'originalInvoiceId', 'adjustmentAmount', 'currencyCode', 'adjustmentReasonCode', 'description'].map((name) => canonical[name] ?? null);
	return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/**
 * A cancellation request's ClientToken computed from the request (64 hex characters of SHA-256): the same request
 * sent again, by a retried execution, answers the first instead of failing on the request already pending.
 */
export function deriveCancellationToken(request: { agreementId: string; reasonCode: string; description?: string }): string {
	return createHash('sha256')
		.update(JSON.stringify(['cancellation', request.agreementId, request.reasonCode, request.description ?? null]))
		.digest('hex');
}

/** 100, 100.0 and 0100.00 are one amount. */
function canonicalAmount(amount: string): string {
	const [whole, fraction = ''] = amount.split('.');
	const digits = (whole || '0').replace(/^0+(?=\d)/, '');
	const decimals = fraction.replace(/0+$/, '');
	return decimals ? `${digits}.${decimals}` : digits;
}
