import { parseAwsTime } from '../awsTime';

/**
 * SNS retries an HTTP/S delivery for an hour at most ("The total policy retry time for an HTTP/S
 * endpoint cannot be greater than 3,600 seconds", a hard limit): an older message is a replay.
 */
export const MAX_MESSAGE_AGE_MS = 3_600_000;

/** How far ahead of the n8n host's clock SNS's may be. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** Why the message's signed Timestamp rules it out, or undefined when SNS can be sending it now. */
export function timestampProblem(timestamp: string, now = Date.now()): string | undefined {
	const time = parseAwsTime(timestamp);
	if (time === undefined) return 'The message Timestamp is not a time';
	if (now - time > MAX_MESSAGE_AGE_MS) return 'The message is older than an hour, longer than SNS retries a delivery';
	if (time - now > MAX_CLOCK_SKEW_MS) return 'The message Timestamp is in the future';
	return undefined;
}
