import type { UsageEvent } from '../../../../nodes/AwsMarketplaceMetering/batch';

export const HOUR = 3_600_000;
/** 16:30:00 UTC: the examples' "now". */
export const NOW = Date.parse('2026-11-22T16:30:00.000Z');
export const license = (n: number) => `arn:aws:license-manager::123456789012:license:l-${String(n).padStart(32, '0')}`;
export const at = (hh: number, mm = 0) => new Date(Date.UTC(2026, 10, 22, hh, mm)).toISOString();

let item = 0;

/** A valid license-based usage event at 15:10, changed by `fields`. */
export function usageEvent(fields: Partial<UsageEvent> = {}): UsageEvent {
	return {
		source: { itemIndex: item++ },
		productCode: 'prod-a',
		customerAWSAccountId: '123456789012',
		licenseArn: license(1),
		dimension: 'requests',
		quantity: 1,
		timestamp: at(15, 10),
		...fields,
	};
}

/** A legacy (customer identifier) usage event at 15:10. */
export function legacyEvent(fields: Partial<UsageEvent> = {}): UsageEvent {
	return usageEvent({ customerAWSAccountId: undefined, licenseArn: undefined, customerIdentifier: 'cust-1', ...fields });
}
