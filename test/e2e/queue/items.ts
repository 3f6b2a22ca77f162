// What the metering node answered, read as the queue-mode proof reads it: per input event, and per usage key.
import type { Json } from '../../../scripts/queue/stack';
import { billingKey, type UsageEvent } from '../../../scripts/queue/usage';

export interface Outcome {
	event: UsageEvent;
	item: Json;
}

/** The input items' outcomes: the node answers one item per input item, in order, then one per other key it settled. */
export function eventOutcomes(items: Json[], inputs: UsageEvent[]): Outcome[] {
	return inputs.map((event, index) => ({ event, item: items[index] ?? {} }));
}

/** The usage key of an item the node put out for a key. */
export function keyOfItem(item: Json): string | undefined {
	const customer = item.customerAWSAccountId;
	if (typeof item.hour !== 'string' || typeof item.licenseArn !== 'string' || typeof customer !== 'string') return undefined;
	return billingKey({ licenseArn: item.licenseArn, customerAWSAccountId: customer, dimension: String(item.dimension) }, new Date(item.hour).getTime());
}

/** The keys an execution's output reports billed. */
export function sentKeys(items: Json[]): Set<string> {
	const success = items.filter((item) => item.status === 'Success');
	const keys = success.map(keyOfItem).filter((key): key is string => key !== undefined);
	if (keys.length !== success.length) throw new Error(`an item reported Success names no usage key: ${JSON.stringify(success.find((item) => !keyOfItem(item)))}`);
	return new Set(keys);
}

/**
 * What a check found wrong, for `expect(...).toEqual(NONE)`: how many, and the first few (the whole list can hold
 * hundreds of items). Empty exactly when the list is.
 */
export const found = <T>(wrong: T[]) => ({ count: wrong.length, first: wrong.slice(0, 5) });
export const NONE = found([]);
