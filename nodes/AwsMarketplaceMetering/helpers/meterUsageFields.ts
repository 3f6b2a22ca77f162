import type { IExecuteFunctions } from 'n8n-workflow';

import {
	checkDimension,
	checkTimestampWindow,
	checkUsageAllocations,
	checkUsageQuantity,
	parseTimestamp,
	truncateToHour,
	type Checked,
	type UsageAllocation,
} from '../batch';
import { fieldError, requireProductCode } from './fields';

// AWS accepts Meter Usage for the past 6 hours only.
const METER_USAGE_WINDOW = { maxRecordAgeHours: 6, maxFutureSkewMinutes: 5 };

export interface MeterUsageFields {
	productCode: string;
	usageDimension: string;
	usageQuantity: number;
	timestamp: Date;
	usageAllocations?: UsageAllocation[];
	dryRun: boolean;
	clientToken?: string;
}

/** Reads and checks one item's Meter Usage fields with the batch engine's rules and messages. */
export function readMeterUsageFields(ctx: IExecuteFunctions, itemIndex: number): MeterUsageFields {
	const param = (name: string) => ctx.getNodeParameter(name, itemIndex, undefined) as unknown;
	const options = ctx.getNodeParameter('options', itemIndex, {}) as { usageAllocations?: unknown; dryRun?: boolean; clientToken?: string };
	const valid = <T>(checked: Checked<T>): T => {
		if (checked.ok) return checked.value;
		throw fieldError(ctx, itemIndex, checked.error.message);
	};

	const usageQuantity = valid(checkUsageQuantity(param('usageQuantity')));
	const happened = valid(parseTimestamp(param('timestamp')));
	// The hour is what AWS deduplicates on: a rerun then reports the same hour, not a new one.
	const timestamp = truncateToHour(happened);
	valid(checkTimestampWindow(happened, timestamp, { now: new Date(), ...METER_USAGE_WINDOW }));
	const clientToken = (options.clientToken ?? '').trim();
	if (clientToken.length > 64) throw fieldError(ctx, itemIndex, `Client Token is ${clientToken.length} characters long: it must be 1 to 64 characters`);
	return {
		productCode: requireProductCode(ctx, itemIndex),
		usageDimension: valid(checkDimension(trimmed(param('usageDimension')), 'Usage Dimension')),
		usageQuantity,
		timestamp,
		usageAllocations: valid(checkUsageAllocations(options.usageAllocations, usageQuantity)),
		dryRun: options.dryRun === true,
		clientToken: clientToken || undefined,
	};
}

function trimmed(value: unknown): unknown {
	return typeof value === 'string' ? value.trim() : value;
}
