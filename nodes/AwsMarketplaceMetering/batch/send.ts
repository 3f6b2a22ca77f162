import { classifyError, errorName } from './errors';
import { RateLimiter, Semaphore } from './limiter';
import { answerKey } from './plan';
import type { BatchResponse, SendBatch, UsageBatch, UsageError, UsageRecord, UsageStatus } from './types';

export interface SendOptions {
	maxRequestsPerSecond: number;
	concurrency: number;
	unprocessedRetries: number;
	unprocessedRetryMaxMs: number;
	retryBaseDelayMs: number;
	maxIsolationRequests: number;
	describeError: (error: unknown) => UsageError;
	/** Told before each wait for a resend, so that a long wait can be seen. */
	onResend?: (wait: ResendWait) => void;
	/** Why a record can no longer be sent (AWS's window has passed), asked before every resend. */
	expired?: (record: UsageRecord, now: number) => UsageError | undefined;
	now: () => number;
	sleep: (ms: number) => Promise<void>;
	random: () => number;
}

export interface ResendWait {
	records: number;
	/** 1 for the first resend. */
	resend: number;
	delayMs: number;
}

/** The final answer for one record sent. */
export interface RecordAnswer {
	status: UsageStatus;
	meteringRecordId?: string;
	error?: UsageError;
	note?: string;
}

export interface SendReport {
	/** Keyed by the record objects of the batches: every record gets exactly one answer. */
	answers: Map<UsageRecord, RecordAnswer>;
	requests: number;
	/** Requests that sent records again: unprocessed, or after every attempt of the SDK failed. */
	retries: number;
	/** Requests that sent half of a rejected request's records, to find the one AWS rejected it over. */
	isolationRequests: number;
}

/** The note of records left unresolved when isolation ran out of requests: each may well be fine. */
export const ISOLATION_STOPPED = 'Not isolated: its request was rejected over another record, and finding it stopped at Max Isolation Requests';

// Longest single backoff between re-sends of unprocessed records.
const MAX_BACKOFF_MS = 300_000;
const FINAL_STATUSES = new Set(['Success', 'CustomerNotSubscribed', 'DuplicateRecord']);
// Errors that name what AWS does not know: once one record is known to cause it, so do its peers.
const REFUSED_PART: Record<string, { key: (record: UsageRecord, productCode: string) => string; what: string }> = {
	InvalidUsageDimensionException: { key: (record, productCode) => `D${productCode}\0${record.Dimension}`, what: 'dimension' },
	InvalidLicenseException: { key: (record) => `L${record.LicenseArn}\0${record.CustomerAWSAccountId}`, what: 'License ARN and account' },
};

/** Why a request goes out: the records' first request, a resend of the same records, or half of a rejected request. */
type Via = 'first' | 'resend' | 'isolation';
type Attempt = { kind: 'skipped' } | { kind: 'answered'; response: BatchResponse } | { kind: 'threw'; error: unknown };

/**
 * Sends the batches within the rate limit and the concurrency bound. Unprocessed records, and
 * requests that still fail after the SDK's retries, are re-sent as the same objects (never a changed
 * quantity or timestamp) with exponential backoff and full jitter, while AWS's window lasts. A
 * request rejected over one record is halved until that record is alone, within a budget of
 * requests; a dimension or license AWS rejected is not sent again in the run; an account-level
 * error stops all sending.
 */
export async function sendBatches(batches: UsageBatch[], send: SendBatch, options: SendOptions): Promise<SendReport> {
	const answers = new Map<UsageRecord, RecordAnswer>();
	const slots = new Semaphore(options.concurrency);
	const limiter = new RateLimiter(options.maxRequestsPerSecond, options.now, options.sleep);
	// Records sent whose answer was lost or unprocessed: AWS may hold them all the same.
	const maybeMetered = new Set<UsageRecord>();
	const refused = new Map<string, UsageError>();
	let fatal: UsageError | undefined;
	let requests = 0;
	let retries = 0;
	// The budget counts the halves planned; isolations, those sent.
	let isolationRequests = 0;
	let isolations = 0;

	const answer = (records: UsageRecord[], result: RecordAnswer) => {
		for (const record of records) answers.set(record, result);
	};

	/** Answers the records that must not go out (again); the rest of the batch, if any, may be sent. */
	const screen = (batch: UsageBatch, isRetry: boolean): UsageBatch | undefined => {
		// A first request while AWS has refused nothing goes out whole.
		if (!isRetry && refused.size === 0) return batch;
		const now = options.now();
		const records = batch.records.filter((record) => {
			for (const [name, part] of Object.entries(REFUSED_PART)) {
				const error = refused.get(part.key(record, batch.productCode));
				if (!error) continue;
				answer([record], { status: 'Rejected', error, note: `Not sent: AWS rejected this ${part.what} for another usage record of this run (${name})` });
				return false;
			}
			const expired = isRetry ? options.expired?.(record, now) : undefined;
			if (expired) answer([record], { status: 'Expired', error: expired });
			return !expired;
		});
		return records.length ? { ...batch, records } : undefined;
	};

	const attempt = async (batch: UsageBatch, via: Via): Promise<Attempt> => {
		await slots.acquire();
		try {
			const start = await limiter.start(
				() => {
					requests++;
					if (via === 'resend') retries++;
					if (via === 'isolation') isolations++;
					try {
						return send(batch);
					} catch (error) {
						return Promise.reject(error);
					}
				},
				() => fatal !== undefined,
			);
			if (!start.started) return { kind: 'skipped' };
			return { kind: 'answered', response: await start.result };
		} catch (error) {
			return { kind: 'threw', error };
		} finally {
			slots.release();
		}
	};

	const meter = async (batch: UsageBatch, first: Via): Promise<void> => {
		let pending = screen(batch, first !== 'first');
		let via = first;
		let firstUnprocessedAt: number | undefined;
		for (let resend = 0; pending; resend++) {
			const result = await attempt(pending, via);
			if (result.kind === 'skipped') return answer(pending.records, { status: 'Failed', error: fatal });
			// A request that still fails after the SDK's own retries (throttling, 5xx, reset connections)
			// is resent like unprocessed records: the same records, so never billed twice.
			const transient = result.kind === 'threw' && classifyError(result.error) === 'transient' ? result.error : undefined;
			if (result.kind === 'threw' && transient === undefined) return await rejected(pending, result.error);
			const unprocessed = result.kind === 'answered' ? applyResponse(pending.records, result.response, answers, maybeMetered) : pending.records;
			if (unprocessed.length === 0) return;
			for (const record of unprocessed) maybeMetered.add(record);
			firstUnprocessedAt ??= options.now();
			const delay = options.random() * Math.min(MAX_BACKOFF_MS, options.retryBaseDelayMs * 2 ** resend);
			const spent = options.now() - firstUnprocessedAt;
			if (resend >= options.unprocessedRetries || spent + delay > options.unprocessedRetryMaxMs) {
				if (transient !== undefined) return answer(unprocessed, { status: 'Failed', error: options.describeError(transient) });
				return answer(unprocessed, {
					status: 'Unprocessed',
					error: {
						code: 'Unprocessed',
						message: `AWS returned this usage record as unprocessed ${resend + 1} times (${resend} re-sends over ${Math.round(spent / 1000)} s): it is not metered yet.`,
						description: 'Resend it later, before AWS’s window closes (24 hours after its hour): AWS does not bill the same quantity for the same hour twice.',
					},
				});
			}
			options.onResend?.({ records: unprocessed.length, resend: resend + 1, delayMs: delay });
			await options.sleep(delay);
			if (fatal) return answer(unprocessed, { status: 'Failed', error: fatal });
			pending = screen({ ...pending, records: unprocessed }, true);
			via = 'resend';
		}
	};

	const rejected = async (batch: UsageBatch, error: unknown): Promise<void> => {
		const kind = classifyError(error);
		const described = options.describeError(error);
		if (kind === 'isolate') {
			const part = REFUSED_PART[errorName(error)];
			const keys = part && new Set(batch.records.map((record) => part.key(record, batch.productCode)));
			// One dimension (or license) in the whole request: that is the one AWS does not know.
			if (keys?.size === 1) refused.set([...keys][0], described);
			else if (batch.records.length > 1) {
				if (isolationRequests + 2 > options.maxIsolationRequests) {
					return answer(batch.records, {
						status: 'Rejected',
						note: ISOLATION_STOPPED,
						error: {
							...described,
							message: `${described.message} AWS rejected the request these ${batch.records.length} usage records were in; finding the offending record stopped after ${isolationRequests} requests (Max Isolation Requests).`,
						},
					});
				}
				isolationRequests += 2;
				const half = Math.ceil(batch.records.length / 2);
				await Promise.all([
					meter({ ...batch, records: batch.records.slice(0, half) }, 'isolation'),
					meter({ ...batch, records: batch.records.slice(half) }, 'isolation'),
				]);
				return;
			}
		}
		if (kind === 'fatal') fatal ??= described;
		answer(batch.records, { status: kind === 'isolate' || kind === 'rejectRequest' ? 'Rejected' : 'Failed', error: described });
	};

	await Promise.all(batches.map((batch) => meter(batch, 'first')));
	return { answers, requests, retries, isolationRequests: isolations };
}

/**
 * Records the final results of one response; returns the records to send again: those AWS returned
 * as unprocessed and those it did not mention at all (resending the same record is idempotent).
 */
function applyResponse(
	records: UsageRecord[],
	response: BatchResponse,
	answers: Map<UsageRecord, RecordAnswer>,
	maybeMetered: Set<UsageRecord>,
): UsageRecord[] {
	const open = new Set(records);
	// Only an answer that fits one record is taken: planBatches never puts two records that differ only
	// by license in one request, so an answer without its license still names one. Indexed only when an
	// answer is not a record sent (AWS's answers are copies; the engine's tests answer with the records).
	const indexes = new Map<AnswerKey, Map<string, UsageRecord[]>>();
	const indexOf = (key: AnswerKey) => {
		let index = indexes.get(key);
		if (index) return index;
		indexes.set(key, (index = new Map()));
		for (const record of records) {
			const named = key(record);
			const matches = index.get(named);
			if (matches) matches.push(record);
			else index.set(named, [record]);
		}
		return index;
	};
	const find = (record: UsageRecord) => {
		if (open.has(record)) return record;
		for (const key of ANSWER_KEYS) {
			const matches = indexOf(key).get(key(record)) ?? [];
			if (matches.length === 1) return open.has(matches[0]) ? matches[0] : undefined;
		}
		return undefined;
	};
	for (const result of response.results) {
		const record = find(result.record);
		if (!record) continue;
		open.delete(record);
		if (result.status === 'DuplicateRecord' && maybeMetered.has(record)) {
			answers.set(record, { status: 'Success', note: LOST_ANSWER_DUPLICATE });
			continue;
		}
		answers.set(
			record,
			FINAL_STATUSES.has(result.status)
				? { status: result.status as UsageStatus, ...(result.meteringRecordId !== undefined ? { meteringRecordId: result.meteringRecordId } : {}) }
				: {
						status: 'Failed',
						error: { code: 'UnexpectedStatus', message: `AWS answered status ${JSON.stringify(result.status)} for this usage record, which is none of Success, CustomerNotSubscribed or DuplicateRecord: check the record in AWS before resending` },
					},
		);
	}
	return records.filter((record) => open.has(record));
}

// AWS's model answers an identical resend with Success and the first metering record ID; some of its
// guidance says DuplicateRecord. After a lost or unprocessed answer, DuplicateRecord then means an earlier
// attempt billed it.
const LOST_ANSWER_DUPLICATE =
	'Metered by an earlier attempt of this run whose answer was lost or came back unprocessed: AWS answered the identical resend with DuplicateRecord, so no metering record ID is known';

// Records AWS echoes back are copies: find the one sent. An empty field counts as absent.
const text = (value: string | undefined) => value || undefined;

type AnswerKey = (record: UsageRecord) => string;

function strictKey(record: UsageRecord): string {
	return JSON.stringify([
		text(record.CustomerIdentifier),
		text(record.CustomerAWSAccountId),
		text(record.LicenseArn),
		record.Dimension,
		new Date(record.Timestamp).getTime(),
		record.Quantity,
	]);
}

// The exact record first, then one that AWS's answer may have left its license out of or rounded.
const ANSWER_KEYS: AnswerKey[] = [strictKey, answerKey];

