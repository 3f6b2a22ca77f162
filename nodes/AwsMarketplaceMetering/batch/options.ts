import { MAX_RECORD_AGE_HOURS } from '../../shared/ledger/hours';
import { sleep } from '../../shared/ledger/timer';
import { describeSendError } from './errors';
import type { MeteringOptions, NonIntegerQuantity } from './types';

export const DEFAULT_METERING_OPTIONS: MeteringOptions = {
	aggregate: true,
	truncateToHour: true,
	maxRecordAgeHours: MAX_RECORD_AGE_HOURS,
	maxFutureSkewMinutes: 5,
	nonIntegerQuantity: 'error',
	maxRequestsPerSecond: 10,
	concurrency: 5,
	unprocessedRetries: 5,
	unprocessedRetryMaxMs: 30 * 60_000,
	retryBaseDelayMs: 1000,
	// Ten seconds of the account's 10 requests per second.
	maxIsolationRequests: 100,
};

export type ResolvedMeteringOptions = Required<MeteringOptions>;

const ROUNDING: NonIntegerQuantity[] = ['error', 'roundUp', 'roundNearest'];

function inRange(name: string, value: number, min: number, max = Infinity, integer = false): void {
	if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
		const bounds = max === Infinity ? `at least ${min}` : `${min} to ${max}`;
		throw new RangeError(`Option ${name} must be ${integer ? 'a whole number ' : ''}${bounds}, not ${String(value)}`);
	}
}

/**
 * Fills in the defaults (options left undefined keep them; unknown keys are ignored) and checks
 * the ranges, so that a misconfiguration fails before anything is sent.
 */
export function resolveMeteringOptions(options: Partial<MeteringOptions> = {}): ResolvedMeteringOptions {
	const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<MeteringOptions>;
	const resolved: ResolvedMeteringOptions = {
		...(DEFAULT_METERING_OPTIONS as ResolvedMeteringOptions),
		describeError: describeSendError,
		onResend: () => undefined,
		now: () => new Date(),
		sleep,
		random: Math.random,
		...given,
	};
	inRange('maxRecordAgeHours', resolved.maxRecordAgeHours, 1, MAX_RECORD_AGE_HOURS);
	inRange('maxFutureSkewMinutes', resolved.maxFutureSkewMinutes, 0);
	inRange('maxRequestsPerSecond', resolved.maxRequestsPerSecond, Number.MIN_VALUE);
	inRange('concurrency', resolved.concurrency, 1, Infinity, true);
	inRange('unprocessedRetries', resolved.unprocessedRetries, 0, Infinity, true);
	inRange('unprocessedRetryMaxMs', resolved.unprocessedRetryMaxMs, 0);
	inRange('retryBaseDelayMs', resolved.retryBaseDelayMs, 0);
	inRange('maxIsolationRequests', resolved.maxIsolationRequests, 0, Infinity, true);
	if (!ROUNDING.includes(resolved.nonIntegerQuantity)) {
		throw new RangeError(`Option nonIntegerQuantity must be one of ${ROUNDING.join(', ')}, not ${String(resolved.nonIntegerQuantity)}`);
	}
	return resolved;
}
