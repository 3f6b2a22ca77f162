import { classifyError, errorName } from './errors';
import { RateLimiter, Semaphore } from './limiter';
import type { BatchResponse, SendBatch, UsageBatch, UsageError, UsageRecord, UsageStatus } from './types';

export interface SendOptions {
	maxRequestsPerSecond: number;
	concurrency: number;
	unprocessedRetries: number;
	unprocessedRetryMaxMs: number;
	retryBaseDelayMs: number;
	describeError: (error: unknown) => UsageError;
	now: () => number;
	sleep: (ms: number) => Promise<void>;
	random: () => number;
}

/** The final answer for one record sent. */
export interface RecordAnswer {
	status: UsageStatus;
	meteringRecordId?: string;
	error?: UsageError;
}

export interface SendReport {
	/** Keyed by the record objects of the batches: every record gets exactly one answer. */
	answers: Map<UsageRecord, RecordAnswer>;
	requests: number;
	retries: number;
}

// Longest single backoff between re-sends of unprocessed records.
const MAX_BACKOFF_MS = 300_000;
const FINAL_STATUSES = new Set(['Success', 'CustomerNotSubscribed', 'DuplicateRecord']);

type Attempt = { kind: 'skipped' } | { kind: 'answered'; response: BatchResponse } | { kind: 'threw'; error: unknown };

/**
 * Sends the batches within the rate limit and the concurrency bound. Unprocessed records are re-sent
 * as the same objects (never a changed quantity or timestamp) with exponential backoff and full
 * jitter; a request rejected over one record is halved until that record is alone; an account-level
 * error stops all sending.
 */
export async function sendBatches(batches: UsageBatch[], send: SendBatch, options: SendOptions): Promise<SendReport> {
	const answers = new Map<UsageRecord, RecordAnswer>();
	const slots = new Semaphore(options.concurrency);
	const limiter = new RateLimiter(options.maxRequestsPerSecond, options.now, options.sleep);
	let fatal: UsageError | undefined;
	let requests = 0;
	let retries = 0;

	const answer = (records: UsageRecord[], result: RecordAnswer) => {
		for (const record of records) answers.set(record, result);
	};

	const attempt = async (batch: UsageBatch, isRetry: boolean): Promise<Attempt> => {
		await slots.acquire();
		try {
			const start = await limiter.start(
				() => {
					requests++;
					if (isRetry) retries++;
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

	const meter = async (batch: UsageBatch, isRetry: boolean): Promise<void> => {
		let pending = batch;
		let retry = isRetry;
		let firstUnprocessedAt: number | undefined;
		for (let resend = 0; ; resend++) {
			const result = await attempt(pending, retry);
			if (result.kind === 'skipped') return answer(pending.records, { status: 'Failed', error: fatal });
			// A request that still fails after the SDK's own retries (throttling, 5xx, lost connections)
			// is resent like unprocessed records: the same records, so never billed twice. Not after a
			// timeout: every SDK attempt already waited the full timeout, and a hung endpoint must end the run.
			const transient =
				result.kind === 'threw' && classifyError(result.error) === 'transient' && errorName(result.error) !== 'TimeoutError'
					? result.error
					: undefined;
			if (result.kind === 'threw' && transient === undefined) return await rejected(pending, result.error);
			const unprocessed = result.kind === 'answered' ? applyResponse(pending.records, result.response, answers) : pending.records;
			if (unprocessed.length === 0) return;
			firstUnprocessedAt ??= options.now();
			const delay = options.random() * Math.min(MAX_BACKOFF_MS, options.retryBaseDelayMs * 2 ** resend);
			const spent = options.now() - firstUnprocessedAt;
			if (resend >= options.unprocessedRetries || spent + delay > options.unprocessedRetryMaxMs) {
				if (transient !== undefined) return answer(unprocessed, { status: 'Failed', error: options.describeError(transient) });
				return answer(unprocessed, {
					status: 'Unprocessed',
					error: {
						code: 'Unprocessed',
						message: `AWS returned this usage record as unprocessed ${resend + 1} times (${resend} re-sends over ${Math.round(spent / 1000)} s): it is not metered yet. Resending it later is safe: AWS does not bill the same quantity for the same hour twice.`,
					},
				});
			}
			await options.sleep(delay);
			if (fatal) return answer(unprocessed, { status: 'Failed', error: fatal });
			pending = { ...pending, records: unprocessed };
			retry = true;
		}
	};

	const rejected = async (batch: UsageBatch, error: unknown): Promise<void> => {
		const kind = classifyError(error);
		if (kind === 'isolate' && batch.records.length > 1) {
			const half = Math.ceil(batch.records.length / 2);
			await Promise.all([
				meter({ ...batch, records: batch.records.slice(0, half) }, true),
				meter({ ...batch, records: batch.records.slice(half) }, true),
			]);
			return;
		}
		const described = options.describeError(error);
		if (kind === 'fatal') fatal ??= described;
		answer(batch.records, { status: kind === 'isolate' || kind === 'rejectRequest' ? 'Rejected' : 'Failed', error: described });
	};

	await Promise.all(batches.map((batch) => meter(batch, false)));
	return { answers, requests, retries };
}

/**
 * Records the final results of one response; returns the records to send again: those AWS returned
 * as unprocessed and those it did not mention at all (resending the same record is idempotent).
 */
function applyResponse(records: UsageRecord[], response: BatchResponse, answers: Map<UsageRecord, RecordAnswer>): UsageRecord[] {
	const open = new Set(records);
	const find = (record: UsageRecord) => {
		if (open.has(record)) return record;
		for (const key of [strictKey, looseKey]) {
			const wanted = key(record);
			for (const candidate of open) if (key(candidate) === wanted) return candidate;
		}
		return undefined;
	};
	for (const result of response.results) {
		const record = find(result.record);
		if (!record) continue;
		open.delete(record);
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

// Records AWS echoes back are copies: find the one sent. An empty field counts as absent.
const text = (value: string | undefined) => value || undefined;

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

/** In case AWS leaves out the license or rounds the timestamp to the second. */
function looseKey(record: UsageRecord): string {
	return JSON.stringify([
		text(record.CustomerAWSAccountId) ?? text(record.CustomerIdentifier),
		record.Dimension,
		Math.floor(new Date(record.Timestamp).getTime() / 1000),
		record.Quantity,
	]);
}
