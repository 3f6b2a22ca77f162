// The usage events of the queue-mode proof: two deliveries that overlap (same usage keys, some of the same
// event IDs, each with events of its own), in hours already closed and in the hour in progress.

import { seededRandom } from '../../emulator/faults';

export const HOUR_MS = 3_600_000;
/**
 * "Hour Closes After (Minutes)" of the two workflows. The metering runs keep an hour open for 120 minutes, so that
 * they send the hours 3 or more before the current one and only record the two before it (whatever the minute);
 * the run that meters the ledger uses the default 10, so that it sends the hour 2 before the current one (and the
 * one just before it from minute 10 on).
 */
export const METER_CLOSE_AFTER_MINUTES = 120;
export const DRAIN_CLOSE_AFTER_MINUTES = 10;

export interface UsageEvent {
	eventId: string;
	productCode: string;
	customerAWSAccountId: string;
	licenseArn: string;
	dimension: string;
	quantity: number;
	timestamp: string;
}

export interface Customer {
	customerAWSAccountId: string;
	licenseArn: string;
	productCode: string;
}

export interface Deliveries {
	/** Every distinct event (by event ID). */
	distinct: UsageEvent[];
	/** What each of the two concurrent executions receives, in its own order, with a repeated event of its own. */
	first: UsageEvent[];
	second: UsageEvent[];
	/** Event IDs both receive. */
	shared: Set<string>;
	/** The closed hours used, and the hour in progress (used only if the plan says so). */
	closedHours: number[];
	openHour: number;
}

/** A usage key as AWS deduplicates it (the emulator's billing key). */
export function billingKey(event: Pick<UsageEvent, 'licenseArn' | 'customerAWSAccountId' | 'dimension'>, hour: number): string {
	return `${event.licenseArn}|${event.customerAWSAccountId}|${event.dimension}|${new Date(hour).toISOString()}`;
}

export function hourOf(timestamp: string | number | Date): number {
	const time = new Date(timestamp).getTime();
	return Math.floor(time / HOUR_MS) * HOUR_MS;
}

/** Whether a run with this "Hour Closes After (Minutes)" sends an hour at `time`. */
export function isClosed(hour: number, time: number, closeAfterMinutes: number): boolean {
	return hour + HOUR_MS + closeAfterMinutes * 60_000 <= time;
}

function shuffle<T>(items: T[], next: () => number): T[] {
	const copy = [...items];
	for (let index = copy.length - 1; index > 0; index--) {
		const other = Math.floor(next() * (index + 1));
		[copy[index], copy[other]] = [copy[other], copy[index]];
	}
	return copy;
}

export interface DeliveryPlan {
	/** Names the event IDs: `evt-<seed>-<label>-<n>`. */
	label: string;
	/** Closed hours, as hours before the current one. At most 6: last month's usage is accepted until 06:00 UTC on the 1st. */
	hoursBack: number[];
	/** Also events of the hour in progress. */
	openHour: boolean;
}

/**
 * Per customer, dimension and hour: one event both deliveries carry, one of each delivery's own, and three
 * more spread at random.
 */
export function makeDeliveries(customers: Customer[], dimensions: string[], now: number, seed: number, plan: DeliveryPlan): Deliveries {
	const next = seededRandom(seed * 31 + plan.label.length * 7 + plan.hoursBack.reduce((sum, back) => sum * 11 + back, 0));
	const openHour = hourOf(now);
	const closedHours = plan.hoursBack.map((back) => openHour - back * HOUR_MS);
	const first: UsageEvent[] = [];
	const second: UsageEvent[] = [];
	const distinct: UsageEvent[] = [];
	const shared = new Set<string>();
	let counter = 0;
	for (const hour of [...closedHours, ...(plan.openHour ? [openHour] : [])]) {
		// Within the hour, and never in the future.
		const span = Math.max(1, Math.min(HOUR_MS, now - hour));
		for (const customer of customers) {
			for (const dimension of dimensions) {
				const owners = ['both', 'first', 'second', ...Array.from({ length: 3 }, () => ['both', 'first', 'second'][Math.floor(next() * 3)])];
				for (const owner of owners) {
					const event: UsageEvent = {
						eventId: `evt-${seed}-${plan.label}-${String(++counter).padStart(4, '0')}`,
						productCode: customer.productCode,
						customerAWSAccountId: customer.customerAWSAccountId,
						licenseArn: customer.licenseArn,
						dimension,
						quantity: 1 + Math.floor(next() * 40),
						timestamp: new Date(hour + Math.floor(next() * span)).toISOString(),
					};
					distinct.push(event);
					if (owner !== 'second') first.push(event);
					if (owner !== 'first') second.push(event);
					if (owner === 'both') shared.add(event.eventId);
				}
			}
		}
	}
	// A delivery may itself carry an event twice (a retried source): counted once.
	first.push(first[Math.floor(next() * first.length)]);
	second.push(second[Math.floor(next() * second.length)]);
	return { distinct, first: shuffle(first, next), second: shuffle(second, next), shared, closedHours, openHour };
}

/** The sum of the distinct events per billing key of their own hour. */
export function sumsByKey(events: UsageEvent[]): Map<string, number> {
	const sums = new Map<string, number>();
	for (const event of events) {
		const key = billingKey(event, hourOf(event.timestamp));
		sums.set(key, (sums.get(key) ?? 0) + event.quantity);
	}
	return sums;
}
