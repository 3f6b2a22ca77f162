// AWS writes its times in ISO 8601, UTC: EventBridge's `time` to the second (2024-08-30T21:36:03Z),
// SNS's `Timestamp` to the millisecond (2012-04-25T21:49:25.719Z).
const ISO_8601_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The time AWS wrote, in epoch milliseconds, or undefined when `value` is no such time. */
export function parseAwsTime(value: unknown): number | undefined {
	if (typeof value !== 'string' || !ISO_8601_UTC.test(value)) return undefined;
	const time = Date.parse(value);
	return Number.isNaN(time) ? undefined : time;
}
