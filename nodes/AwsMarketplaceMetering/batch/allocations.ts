import { type Decimal, compareDecimal, decimalToString, parseQuantity, roundDecimal, sumDecimals } from './quantity';
import { CONSTRAINTS, checkText, describeValue, fail, isAbsent, ok } from './rules';
import type { Checked, NonIntegerQuantity, Tag, UsageAllocation } from './types';

/** One allocation as read from the input; tagSet identifies its tags regardless of their order. */
export interface ParsedAllocation {
	quantity: Decimal;
	tags?: Tag[];
	tagSet: string;
}

const SHAPE = 'an array of { allocatedUsageQuantity, tags } objects, tags being [{ key, value }] or { key: value }';
const FIELD = 'usageAllocations';

function allocationError<T>(rule: string, message: string): Checked<T> {
	return fail(rule === 'tags' || rule === 'tagKey' || rule === 'tagValue' ? 'InvalidTag' : 'InvalidUsageAllocations', FIELD, rule, message);
}

/** The identity of a tag set: the same tags in another order are the same set. */
export function tagSetKey(tags: Tag[] | undefined): string {
	if (!tags) return '';
	return JSON.stringify(tags.map((tag) => [tag.Key, tag.Value]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// Most events have none: one answer for all of them.
const NO_ALLOCATIONS: Checked<undefined> = ok(undefined);

export interface AllocationRule {
	nonIntegerQuantity: NonIntegerQuantity;
	/** Whether messages point at the "Non-Integer Quantity" option. */
	roundingHint?: boolean;
}

/**
 * Reads usage allocations: an array (or its JSON text) of `{ allocatedUsageQuantity, tags }` or the
 * AWS casing `{ AllocatedUsageQuantity, Tags: [{ Key, Value }] }`. Absent or empty means none.
 */
export function parseUsageAllocations(value: unknown, rule: AllocationRule): Checked<ParsedAllocation[] | undefined> {
	let input = value;
	if (typeof input === 'string') {
		if (input.trim() === '') return NO_ALLOCATIONS;
		try {
			input = JSON.parse(input);
		} catch {
			return allocationError('json', `Usage Allocations ${describeValue(value)} is not valid JSON: give ${SHAPE}`);
		}
	}
	if (isAbsent(input)) return NO_ALLOCATIONS;
	if (!Array.isArray(input)) return allocationError('type', `Usage Allocations is ${describeValue(input)}, not an array: give ${SHAPE}`);
	if (input.length === 0) return NO_ALLOCATIONS;
	const { max } = CONSTRAINTS.usageAllocations;
	if (input.length > max) {
		return allocationError('count', `Usage Allocations has ${input.length} allocations: AWS accepts 1 to ${max} per usage record`);
	}
	const allocations: ParsedAllocation[] = [];
	const seen = new Map<string, number>();
	for (let index = 0; index < input.length; index++) {
		const parsed = parseAllocation(input[index], `usageAllocations[${index}]`, rule);
		if (!parsed.ok) return parsed;
		const first = seen.get(parsed.value.tagSet);
		if (first !== undefined) {
			return allocationError(
				'distinctTagSets',
				`Usage Allocations entries [${first}] and [${index}] have the same tags: each allocation of a record needs a distinct tag set (tag order does not matter)`,
			);
		}
		seen.set(parsed.value.tagSet, index);
		allocations.push(parsed.value);
	}
	return ok(allocations);
}

function parseAllocation(entry: unknown, path: string, rule: AllocationRule): Checked<ParsedAllocation> {
	if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
		return allocationError('type', `Usage Allocations entry ${path} is ${describeValue(entry)}, not an object: give ${SHAPE}`);
	}
	const fields = entry as Record<string, unknown>;
	const quantity = parseQuantity(fields.allocatedUsageQuantity ?? fields.AllocatedUsageQuantity, {
		label: `Allocated Usage Quantity of ${path}`,
		field: FIELD,
		code: 'InvalidUsageAllocations',
		...rule,
	});
	if (!quantity.ok) return quantity;
	const tags = parseTags(fields.tags ?? fields.Tags, path);
	if (!tags.ok) return tags;
	return ok({ quantity: quantity.value, ...(tags.value ? { tags: tags.value } : {}), tagSet: tagSetKey(tags.value) });
}

/** Tags as `[{ key, value }]`, `[{ Key, Value }]` or `{ key: value }`; none or empty means untagged. */
function parseTags(value: unknown, path: string): Checked<Tag[] | undefined> {
	if (isAbsent(value)) return ok(undefined);
	let pairs: [unknown, unknown][];
	if (Array.isArray(value)) {
		pairs = [];
		for (const [index, tag] of value.entries()) {
			if (typeof tag !== 'object' || tag === null || Array.isArray(tag)) {
				return allocationError('tags', `Tag [${index}] of ${path} is ${describeValue(tag)}, not a { key, value } pair`);
			}
			const fields = tag as Record<string, unknown>;
			pairs.push([fields.key ?? fields.Key, fields.value ?? fields.Value]);
		}
	} else if (typeof value === 'object' && !(value instanceof Date)) {
		pairs = Object.entries(value as Record<string, unknown>);
	} else {
		return allocationError('tags', `Tags of ${path} are ${describeValue(value)}: give [{ key, value }] pairs or an object of key: value`);
	}
	if (pairs.length === 0) return ok(undefined);
	const { max } = CONSTRAINTS.tags;
	if (pairs.length > max) return allocationError('tags', `Tags of ${path}: ${pairs.length} tags, AWS accepts 1 to ${max} per allocation`);
	const tags: Tag[] = [];
	const keys = new Set<string>();
	for (const [key, tagValue] of pairs) {
		const checkedKey = checkText(key, { ...CONSTRAINTS.tagKey, label: `Tag key of ${path}` }, 'InvalidTag', FIELD);
		if (!checkedKey.ok) return { ok: false, error: { ...checkedKey.error, rule: `tagKey.${checkedKey.error.rule}` } };
		const checkedValue = checkText(tagValue, { ...CONSTRAINTS.tagValue, label: `Tag value of ${path} for key ${describeValue(key)}` }, 'InvalidTag', FIELD);
		if (!checkedValue.ok) return { ok: false, error: { ...checkedValue.error, rule: `tagValue.${checkedValue.error.rule}` } };
		if (keys.has(checkedKey.value)) {
			return allocationError('tags', `Tag key ${describeValue(key)} appears twice in ${path}: tag keys must be distinct within an allocation`);
		}
		keys.add(checkedKey.value);
		tags.push({ Key: checkedKey.value, Value: checkedValue.value });
	}
	return ok(tags);
}

/** The allocated quantities must add up exactly to the record's quantity. */
export function checkAllocationSum(allocations: ParsedAllocation[], quantity: Decimal, quantityLabel = 'Quantity'): Checked<true> {
	const total = sumDecimals(allocations.map((allocation) => allocation.quantity));
	if (compareDecimal(total, quantity) === 0) return ok(true);
	return allocationError(
		'sum',
		`Usage Allocations add up to ${decimalToString(total)}, not the ${quantityLabel} ${decimalToString(quantity)}: the allocated quantities must sum exactly to the record's quantity`,
	);
}

/**
 * Allocations as AWS takes them, in whole units that add up to the record's (rounded) quantity:
 * each allocation gets its whole part, and the units left go to the largest fractions first
 * (1.5 split 0.5/0.5/0.5 and rounded up to 2 becomes 1/1/0, not 1/1/1).
 */
export function toUsageAllocations(allocations: ParsedAllocation[], quantity: bigint): UsageAllocation[] {
	const parts = allocations.map(({ quantity: { units, scale } }) => {
		const one = 10n ** BigInt(scale);
		// The fraction on a common scale, to compare allocations of different scales.
		return { whole: units / one, fraction: ((units % one) * 10n ** 18n) / one };
	});
	let left = quantity - parts.reduce((sum, part) => sum + part.whole, 0n);
	const byFraction = parts.map((_, index) => index).sort((a, b) => (parts[b].fraction > parts[a].fraction ? 1 : parts[b].fraction < parts[a].fraction ? -1 : a - b));
	for (const index of byFraction) {
		if (left <= 0n) break;
		parts[index].whole++;
		left--;
	}
	return allocations.map((allocation, index) => ({
		AllocatedUsageQuantity: Number(parts[index].whole),
		...(allocation.tags ? { Tags: allocation.tags } : {}),
	}));
}

/**
 * For Meter Usage: reads the allocations of one usage quantity, with the same rules and messages
 * as Batch Meter Usage.
 */
export function checkUsageAllocations(value: unknown, usageQuantity: unknown, quantityLabel = 'Usage Quantity'): Checked<UsageAllocation[] | undefined> {
	const quantity = parseQuantity(usageQuantity, { label: quantityLabel, nonIntegerQuantity: 'error', roundingHint: false });
	if (!quantity.ok) return quantity;
	const parsed = parseUsageAllocations(value, { nonIntegerQuantity: 'error', roundingHint: false });
	if (!parsed.ok) return parsed;
	if (!parsed.value) return ok(undefined);
	const sum = checkAllocationSum(parsed.value, quantity.value, quantityLabel);
	if (!sum.ok) return sum;
	return ok(toUsageAllocations(parsed.value, roundDecimal(quantity.value, 'error')));
}

/** For Meter Usage: a whole usage quantity, 0 to 2147483647, with the same messages. */
export function checkUsageQuantity(value: unknown, label = 'Usage Quantity'): Checked<number> {
	const quantity = parseQuantity(value, { label, field: 'usageQuantity', nonIntegerQuantity: 'error', roundingHint: false });
	return quantity.ok ? ok(Number(quantity.value.units / 10n ** BigInt(quantity.value.scale))) : quantity;
}
