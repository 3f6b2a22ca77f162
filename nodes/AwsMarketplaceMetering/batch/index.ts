// The batch engine behind Batch Meter Usage, and the field rules Meter Usage shares with it.
// Plain TypeScript: nothing here imports n8n or the AWS SDK.
export * from './types';
export { DEFAULT_METERING_OPTIONS, resolveMeteringOptions, type ResolvedMeteringOptions } from './options';
export { UsageMeter, meterUsageEvents } from './meter';
export {
	CLAIM_LIMIT,
	LEASE_MS,
	RENEW_EVERY_MS,
	meterFromLedger,
	type Every,
	type KeyOutcome,
	type LedgerMeteringOptions,
	type LedgerMeteringReport,
} from './ledgerMeter';
export { recordUsageEvents, usageRecorder, type RecordOutcome, type RecordStatus, type RecordingOptions } from './ledgerRecord';
export { validateUsageEvent, type UsageIdentity, type ValidUsageEvent, type ValidationOptions } from './validate';
export { UsageSums, type AggregatedRecord, type AggregationOptions } from './aggregate';
export {
	planBatches,
	fitsInOneRequest,
	recordBytes,
	envelopeBytes,
	DEFAULT_BATCH_LIMITS,
	type BatchLimits,
	type PlannedRecord,
} from './plan';
export { sendBatches, type RecordAnswer, type SendOptions, type SendReport } from './send';
export { classifyError, describeSendError, errorName, type ErrorKind } from './errors';
export { summarizeOutcomes, summarizeReport, type MeteredQuantity, type MeteringSummary, type OutcomeSummary } from './summary';
export { RateLimiter, Semaphore } from './limiter';
// Field rules, with the same messages for every operation.
export {
	CONSTRAINTS,
	MAX_QUANTITY,
	checkCustomer,
	checkDimension,
	checkLicenseArn,
	checkLicenseArnToSend,
	checkProductCode,
	checkText,
	describeValue,
	type Customer,
	type StringRule,
} from './rules';
export { parseQuantity, type Decimal, type QuantityRule } from './quantity';
export {
	checkAllocationSum,
	checkUsageAllocations,
	checkUsageQuantity,
	parseUsageAllocations,
	tagSetKey,
	toUsageAllocations,
	type AllocationRule,
	type ParsedAllocation,
} from './allocations';
export { checkTimestampWindow, expiredMessage, parseTimestamp, truncateToHour, type TimestampWindow } from './timestamp';
export { HOUR_MS, MAX_RECORD_AGE_HOURS, deadlineOf, hourOf } from '../../shared/ledger/hours';
