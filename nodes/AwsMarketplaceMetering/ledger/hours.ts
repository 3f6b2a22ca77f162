// AWS bills per UTC hour and refuses a record 24 hours or more after its hour starts; last month's
// records only until 06:00 UTC on the 1st.

export const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export function hourOf(date: Date): number {
	return Math.floor(date.getTime() / HOUR_MS) * HOUR_MS;
}

/** The first instant at which AWS no longer accepts a record of this hour. */
export function deadlineOf(hour: number): number {
	const start = new Date(hour);
	const nextMonth = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1, 6);
	return Math.min(hour + DAY_MS, nextMonth);
}

/** The oldest hour whose deadline is still ahead at `now`. */
export function firstLiveHour(now: number): number {
	let hour = hourOf(new Date(now - DAY_MS));
	while (deadlineOf(hour) <= now) hour += HOUR_MS;
	return hour;
}
