// Plain data shared by the batch engine and the node: nothing here depends on n8n or the AWS SDK.

/** Where an event came from: the input item, and the position in that item's records array (array mode). */
export interface EventSource {
	itemIndex: number;
	recordIndex?: number;
}

/** One usage event as mapped from an input item; values are unvalidated and of any type. */
export interface UsageEvent {
	source: EventSource;
	/** Counted once by the metering ledger: a re-delivered event with the same ID is not summed again. */
	eventId?: unknown;
	productCode?: unknown;
	customerIdentifier?: unknown;
	customerAWSAccountId?: unknown;
	licenseArn?: unknown;
	dimension?: unknown;
	quantity?: unknown;
	timestamp?: unknown;
	usageAllocations?: unknown;
}

export interface Tag {
	Key: string;
	Value: string;
}

export interface UsageAllocation {
	AllocatedUsageQuantity: number;
	Tags?: Tag[];
}

/** A validated record ready to send, shaped like the SDK's UsageRecord. */
export interface UsageRecord {
	Timestamp: Date;
	CustomerIdentifier?: string;
	CustomerAWSAccountId?: string;
	LicenseArn?: string;
	Dimension: string;
	Quantity: number;
	UsageAllocations?: UsageAllocation[];
}

/**
 * One BatchMeterUsage request. productCode is always known (requests are grouped by it);
 * sendProductCode says whether it goes on the wire (never with license-based records).
 */
export interface UsageBatch {
	productCode: string;
	sendProductCode: boolean;
	records: UsageRecord[];
}

export interface BatchResponse {
	results: { record: UsageRecord; meteringRecordId?: string; status: string }[];
	unprocessed: UsageRecord[];
}

/**
 * Sends one request (the SDK retries throttling, 5xx and network errors inside). Throws when the
 * request fails; the error carries the AWS exception `name` and a `message`.
 */
export type SendBatch = (batch: UsageBatch) => Promise<BatchResponse>;

export type UsageStatus =
	| 'Success'
	| 'CustomerNotSubscribed'
	| 'DuplicateRecord'
	| 'Unprocessed'
	| 'Expired'
	| 'Invalid'
	| 'Rejected'
	| 'Failed';

export const USAGE_STATUSES: readonly UsageStatus[] = [
	'Success',
	'CustomerNotSubscribed',
	'DuplicateRecord',
	'Unprocessed',
	'Expired',
	'Invalid',
	'Rejected',
	'Failed',
];

export interface UsageError {
	/** e.g. 'InvalidQuantity', or the AWS exception name. */
	code: string;
	/** Names the field, the value's problem and the rule. */
	message: string;
	/** What to do about it, when the message alone does not say. */
	description?: string;
	field?: string;
	rule?: string;
}

/** A check's answer: the normalized value, or why the input breaks a rule. */
export type Checked<T> = { ok: true; value: T } | { ok: false; error: UsageError };

/** What became of an event: of the record it was summed into (shared by that record's events), or its own. */
export interface EventOutcome {
	status: UsageStatus;
	meteringRecordId?: string;
	productCode?: string;
	/** The (possibly aggregated) record as sent. */
	record?: UsageRecord;
	/** Events summed into that record, 1 if none. */
	aggregatedEvents: number;
	error?: UsageError;
	/** What the status alone does not say. */
	note?: string;
}

export type NonIntegerQuantity = 'error' | 'roundUp' | 'roundNearest';

export interface MeteringOptions {
	aggregate: boolean;
	truncateToHour: boolean;
	/** 1 to 24. */
	maxRecordAgeHours: number;
	maxFutureSkewMinutes?: number;
	nonIntegerQuantity: NonIntegerQuantity;
	/** Request starts in any one-second window, re-sends included. */
	maxRequestsPerSecond: number;
	/** Requests in flight at once. */
	concurrency: number;
	/** Re-sends of records AWS returned as unprocessed. */
	unprocessedRetries: number;
	/** Longest time spent re-sending one request's unprocessed records. */
	unprocessedRetryMaxMs: number;
	/** Base of the exponential backoff (full jitter) between those re-sends. */
	retryBaseDelayMs?: number;
	/** Requests spent finding the records that made AWS reject their whole request. */
	maxIsolationRequests: number;
	/** Told before each wait for a resend (see SendOptions). */
	onResend?: (wait: { records: number; resend: number; delayMs: number }) => void;
	/** Turns an error thrown by `send` into the outcome's error; the node plugs in its advice. */
	describeError?: (error: unknown) => UsageError;
	now?: () => Date;
	sleep?: (ms: number) => Promise<void>;
	random?: () => number;
}

export interface MeteringReport {
	/** Exactly one per input event, in input order; the events of one record share one outcome. */
	outcomes: EventOutcome[];
	requests: number;
	/** Requests that sent records again (unprocessed, or failed after the SDK's attempts). */
	retries: number;
	/** Requests that sent half of a rejected request, to isolate the record AWS rejected it over. */
	isolationRequests: number;
	/** The planned batches, before retries. */
	batches: UsageBatch[];
}
