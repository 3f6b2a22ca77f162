// The usage of the connected example's story, as both demos post it to the usage webhook: events 2 to 4 hours old
// (their hours have closed when the hourly example meters them), a repeated one, a late one for an hour already sent,
// and Globex's usage around its final report.
import { EXAMPLE_CUSTOMERS, usageEvent } from '../e2e/lib/examples';

const HOUR = 3_600_000;
const { acme, globex } = EXAMPLE_CUSTOMERS;

/** Times in the hours before the one in progress: `at(3, 41)` is minute 41 of the hour three hours back. */
export function hoursBack(now = Date.now()): (hoursAgo: number, minute: number) => Date {
	const hour = Math.floor(now / HOUR) * HOUR;
	return (hoursAgo, minute) => new Date(hour - hoursAgo * HOUR + minute * 60_000);
}

export function demoUsage(at: ReturnType<typeof hoursBack>) {
	const inProgress = () => new Date(Date.now() - 1000);
	return {
		/** Closed hours; one event twice in the same batch. */
		first: [
			usageEvent('demo-1', acme, 'api_calls', 1200, at(3, 4)),
			usageEvent('demo-2', acme, 'api_calls', 800, at(3, 41)),
			usageEvent('demo-3', acme, 'storage_gb', 40, at(3, 59)),
			usageEvent('demo-4', globex, 'api_calls', 300, at(2, 12)),
			usageEvent('demo-2', acme, 'api_calls', 800, at(3, 41)),
		],
		/** One event late, for an hour already sent, and one sent again. */
		late: [usageEvent('demo-5', acme, 'api_calls', 150, at(3, 50)), usageEvent('demo-4', globex, 'api_calls', 300, at(2, 12))],
		/** Globex's usage in the hour in progress, before its license ends. */
		inProgress: () => [usageEvent('demo-6', globex, 'users', 12, inProgress())],
		/** Globex's usage after its final report: never sent. */
		afterFinalReport: () => [usageEvent('demo-7', globex, 'users', 3, inProgress())],
	};
}
