// AWS's billing hour, written once for the engine and the ledger: usage is billed per UTC hour; a
// record is refused 24 hours or more after its timestamp, and last month's records only until 06:00
// UTC on the 1st (the month's invoice closes then).

export const HOUR_MS = 3_600_000;
/** BatchMeterUsage refuses a record this many hours or more after its timestamp. */
export const MAX_RECORD_AGE_HOURS = 24;
/** Last month's usage is accepted until this hour (UTC) of the 1st. */
export const PREVIOUS_MONTH_GRACE_HOURS = 6;

/** The start of the UTC hour: AWS deduplicates per hour. */
export function hourOf(time: Date | number): number {
	return Math.floor(Number(time) / HOUR_MS) * HOUR_MS;
}

// Nearly every time a run asks about falls in one month: its bounds are kept, not worked out per usage event.
let month = { start: 0, end: 0 };

/** The start of the next UTC month: usage is never moved past it, or it would be billed in another month. */
export function monthEndOf(time: number): number {
	if (time >= month.start && time < month.end) return month.end;
	const date = new Date(time);
	month = { start: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1), end: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) };
	return month.end;
}

/**
 * The first instant at which a record with this timestamp is no longer accepted: `maxAgeHours` after
 * it (AWS's 24, or a stricter limit of the seller's), and no later than the month's grace.
 */
export function deadlineOf(time: number, maxAgeHours = MAX_RECORD_AGE_HOURS): number {
	return Math.min(time + maxAgeHours * HOUR_MS, monthEndOf(time) + PREVIOUS_MONTH_GRACE_HOURS * HOUR_MS);
}

/** The oldest hour whose deadline is still ahead at `now`. */
export function firstLiveHour(now: number): number {
	let hour = hourOf(now - MAX_RECORD_AGE_HOURS * HOUR_MS);
	while (deadlineOf(hour) <= now) hour += HOUR_MS;
	return hour;
}
