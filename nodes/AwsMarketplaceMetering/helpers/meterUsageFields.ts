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
import { deriveClientToken } from './clientToken';
import { fieldError, requireProductCode } from './fields';
import { parameterName } from './versions';

// AWS accepts Meter Usage for the past 6 hours only.
const METER_USAGE_WINDOW = { maxRecordAgeHours: 6, maxFutureSkewMinutes: 5 };

/** Where the software runs: AWS deduplicates EC2, ECS and EKS reports by the hour, AgentCore Runtime ones by ClientToken. */
export type Deployment = 'hourly' | 'agentCoreRuntime';

export interface MeterUsageFields {
	productCode: string;
	usageDimension: string;
	usageQuantity: number;
	timestamp: Date;
	usageAllocations?: UsageAllocation[];
	dryRun: boolean;
	clientToken?: string;
	/** The Client Token was derived from the item, not given. */
	clientTokenDerived: boolean;
}

/** Reads and checks one item's Meter Usage fields with the batch engine's rules and messages. */
export function readMeterUsageFields(ctx: IExecuteFunctions, itemIndex: number): MeterUsageFields {
	const param = (name: string) => ctx.getNodeParameter(name, itemIndex, undefined) as unknown;
	const options = ctx.getNodeParameter('options', itemIndex, {}) as { usageAllocations?: unknown; dryRun?: boolean; clientToken?: string };
	const valid = <T>(checked: Checked<T>): T => {
		if (checked.ok) return checked.value;
		throw fieldError(ctx, itemIndex, checked.error.message);
	};

	const deployment = ctx.getNodeParameter('deployment', itemIndex, 'hourly') as Deployment;
	const usageQuantity = valid(checkUsageQuantity(param('usageQuantity')));
	const happened = valid(parseTimestamp(param(parameterName(ctx, 'meterUsageTimestamp'))));
	// Hourly deployments: the hour is what AWS deduplicates on, so a rerun reports the same hour, not a new one.
	// AgentCore Runtime: AWS neither rounds the timestamp nor deduplicates on it.
	const timestamp = deployment === 'agentCoreRuntime' ? happened : truncateToHour(happened);
	valid(checkTimestampWindow(happened, timestamp, { now: new Date(), ...METER_USAGE_WINDOW }));
	const clientToken = (options.clientToken ?? '').trim();
	if (clientToken.length > 64) throw fieldError(ctx, itemIndex, `Client Token is ${clientToken.length} characters long: it must be 1 to 64 characters`);
	const report = {
		productCode: requireProductCode(ctx, itemIndex, 'meterUsageProductCode'),
		usageDimension: valid(checkDimension(trimmed(param('usageDimension')), 'Usage Dimension')),
		usageQuantity,
		timestamp,
		usageAllocations: valid(checkUsageAllocations(options.usageAllocations, usageQuantity)),
	};
	// AgentCore Runtime requires a token and deduplicates by it alone.
	const derive = !clientToken && deployment === 'agentCoreRuntime';
	return {
		...report,
		dryRun: options.dryRun === true,
		clientToken: derive ? deriveClientToken(report, ctx.getInputData()[itemIndex].json) : clientToken || undefined,
		clientTokenDerived: derive,
	};
}

function trimmed(value: unknown): unknown {
	return typeof value === 'string' ? value.trim() : value;
}
