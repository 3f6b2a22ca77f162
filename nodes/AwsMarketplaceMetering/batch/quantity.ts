import { CONSTRAINTS, MAX_QUANTITY, describeValue, fail, isAbsent, ok } from './rules';
import type { Checked, NonIntegerQuantity } from './types';

/**
 * An exact decimal, units / 10^scale. Quantities are summed and rounded exactly: in floating
 * point 0.1 + 0.2 + 0.7 is 1.0000000000000002, which "round up" would bill as 2.
 */
export interface Decimal {
	units: bigint;
	scale: number;
}

export const ZERO: Decimal = { units: 0n, scale: 0 };

const DECIMAL_TEXT = /^(\d+)(?:\.(\d+))?$/;
// What String(number) gives, exponent included (1e-7, 1.5e+21).
const NUMBER_TEXT = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

function fromParts(whole: string, fractionDigits = '', exponent = 0): Decimal {
	// 1.500 is 1.5: trailing zeros carry no precision.
	const fraction = fractionDigits.replace(/0+$/, '');
	const digits = BigInt(whole + fraction);
	const scale = fraction.length - exponent;
	return scale >= 0 ? { units: digits, scale } : { units: digits * 10n ** BigInt(-scale), scale: 0 };
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
	const scale = Math.max(a.scale, b.scale);
	return [a.units * 10n ** BigInt(scale - a.scale), b.units * 10n ** BigInt(scale - b.scale), scale];
}

/** Reads exact decimal text such as the ledger stores ('12', '0.25'); undefined if it is not one. */
export function decimalFromText(text: string): Decimal | undefined {
	const parts = DECIMAL_TEXT.exec(text);
	return parts ? fromParts(parts[1], parts[2]) : undefined;
}

export function addDecimal(a: Decimal, b: Decimal): Decimal {
	if (a.scale === b.scale) return { units: a.units + b.units, scale: a.scale };
	const [x, y, scale] = align(a, b);
	return { units: x + y, scale };
}

export function compareDecimal(a: Decimal, b: Decimal): number {
	const [x, y] = align(a, b);
	return x < y ? -1 : x > y ? 1 : 0;
}

export function isWhole(value: Decimal): boolean {
	return value.units % 10n ** BigInt(value.scale) === 0n;
}

/** Rounds to a whole number: 'roundUp' is the ceiling, 'roundNearest' rounds halves up. */
export function roundDecimal(value: Decimal, mode: NonIntegerQuantity): bigint {
	const one = 10n ** BigInt(value.scale);
	if (mode === 'roundUp') return (value.units + one - 1n) / one;
	if (mode === 'roundNearest') return (2n * value.units + one) / (2n * one);
	return value.units / one;
}

export function decimalToString(value: Decimal): string {
	if (value.scale === 0) return value.units.toString();
	const digits = value.units.toString().padStart(value.scale + 1, '0');
	const whole = digits.slice(0, -value.scale);
	const fraction = digits.slice(-value.scale).replace(/0+$/, '');
	return fraction ? `${whole}.${fraction}` : whole;
}

export function sumDecimals(values: Decimal[]): Decimal {
	// Whole quantities, nearly all of them, add up as numbers (exact below 2^53) without a BigInt per addition.
	let whole = 0;
	for (const value of values) {
		const units = Number(value.units);
		if (value.scale !== 0 || units < 0 || !Number.isSafeInteger(units)) return values.reduce(addDecimal, ZERO);
		whole += units;
	}
	return Number.isSafeInteger(whole) ? { units: BigInt(whole), scale: 0 } : values.reduce(addDecimal, ZERO);
}

const MAX = { units: BigInt(MAX_QUANTITY), scale: 0 };
/** Fractional digits kept exactly; more is no usage measure, and the ledger's numeric type would refuse the whole batch. */
export const MAX_FRACTION_DIGITS = 100;

export interface QuantityRule {
	/** How the field is named in messages, e.g. 'Quantity' or 'Usage Quantity'. */
	label?: string;
	field?: string;
	code?: string;
	nonIntegerQuantity: NonIntegerQuantity;
	/** Whether to point at the "Non-Integer Quantity" option (Batch Meter Usage has it). */
	roundingHint?: boolean;
}

// Decimals are never changed once made: the small whole quantities most events carry are shared.
const SMALL_QUANTITIES: Checked<Decimal>[] = [];
const SMALL_QUANTITY_LIMIT = 1024;

function wholeQuantity(value: number): Checked<Decimal> {
	if (value >= SMALL_QUANTITY_LIMIT) return ok({ units: BigInt(value), scale: 0 });
	return (SMALL_QUANTITIES[value] ??= ok({ units: BigInt(value), scale: 0 }));
}

/**
 * A quantity: a number or a strict decimal string, 0 to 2147483647. Non-integers pass only when a
 * rounding mode is set; the rounding then applies to the summed record.
 */
export function parseQuantity(value: unknown, rule: QuantityRule): Checked<Decimal> {
	// The common case first, without text parsing or building the error helpers below.
	if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_QUANTITY) return wholeQuantity(value);
	const { label = CONSTRAINTS.quantity.label, field = 'quantity', code = 'InvalidQuantity' } = rule;
	const range = `AWS accepts whole numbers 0 to ${MAX_QUANTITY}`;
	const problem = (check: string, text: string) => fail<Decimal>(code, field, check, `${label} ${text}: ${range}`);
	if (isAbsent(value)) return problem('required', value === '' ? 'is empty' : 'is missing');
	let decimal: Decimal;
	if (typeof value === 'number') {
		if (Number.isNaN(value)) return problem('number', 'is not a number (NaN)');
		if (!Number.isFinite(value)) return problem('range', `${value} is not a finite number`);
		if (value < 0) return problem('range', `${value} is negative`);
		const parts = NUMBER_TEXT.exec(String(value))!;
		decimal = fromParts(parts[1], parts[2], parts[3] ? Number(parts[3]) : 0);
	} else if (typeof value === 'string') {
		const text = value.trim();
		if (text === '') return problem('required', 'is empty');
		if (/^-\d+(\.\d+)?$/.test(text)) return problem('range', `${describeValue(value)} is negative`);
		const parts = DECIMAL_TEXT.exec(text);
		if (!parts) return problem('number', `${describeValue(value)} is not a number`);
		decimal = fromParts(parts[1], parts[2]);
	} else {
		return problem('number', `${describeValue(value)} is not a number`);
	}
	if (decimal.scale > MAX_FRACTION_DIGITS) {
		return problem('precision', `has ${decimal.scale} digits after the decimal point, more than the ${MAX_FRACTION_DIGITS} kept exactly`);
	}
	const shown = typeof value === 'string' ? describeValue(value) : decimalToString(decimal);
	if (compareDecimal(decimal, MAX) > 0) return problem('range', `${shown} is too large`);
	if (!isWhole(decimal) && rule.nonIntegerQuantity === 'error') {
		const hint = rule.roundingHint === false ? '' : ' (set "Non-Integer Quantity" to round)';
		return fail(code, field, 'integer', `${label} ${shown} is not an integer: ${range}${hint}`);
	}
	return ok(decimal);
}
