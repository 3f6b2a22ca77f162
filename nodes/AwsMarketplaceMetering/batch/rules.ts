import { canonicalLicenseArn, givenLicenseArn } from '../../shared/ledger/licenseArn';
import type { Checked, UsageError } from './types';

export const MAX_QUANTITY = 2147483647;

/** The service model's constraints (meteringmarketplace 2016-01-14), as data for the checks below. */
export const CONSTRAINTS = {
	productCode: { label: 'Product Code', min: 1, max: 255, pattern: /^[-a-zA-Z0-9/=:_.@]*$/, allowed: 'a-z A-Z 0-9 - / = : _ . @' },
	customerIdentifier: { label: 'Customer Identifier', min: 1, max: 255 },
	customerAWSAccountId: { label: 'Customer AWS Account ID', min: 1, max: 255, pattern: /^[0-9]+$/, allowed: 'digits 0-9' },
	licenseArn: {
		label: 'License ARN',
		// The model's ARN pattern admits any ARN (an S3 one too, which AWS then rejects with the whole
		// request): accept only License Manager license ARNs, a subset of it, in each of AWS's spellings
		// (with and without a Region and a `license:` part, EventBridge's without `arn:`), which
		// checkLicenseArn turns into the canonical one usage is matched on (checkLicenseArnToSend keeps a full ARN as given).
		pattern: /^(?:arn:)?aws[a-zA-Z-]*:license-manager:[a-z0-9-]{0,63}:[0-9]{12}:(?:license[:/])?l-[0-9a-zA-Z]{1,1000}$/,
		allowed: 'the license ARN Resolve Customer returned, such as arn:aws:license-manager::123456789012:license:l-…',
		mismatch: 'is not a License Manager license ARN',
	},
	dimension: { label: 'Dimension', min: 1, max: 255 },
	quantity: { label: 'Quantity', min: 0, max: MAX_QUANTITY },
	usageAllocations: { label: 'Usage Allocations', min: 1, max: 2500 },
	tags: { label: 'Tags', min: 1, max: 5 },
	// ` -=` is a range: space through '=' (as in the service model).
	tagKey: { label: 'Tag key', min: 1, max: 100, pattern: /^[a-zA-Z0-9+ -=._:/@]+$/, allowed: 'a-z A-Z 0-9 space and ! " # $ % & \' ( ) * + , - . / : ; < = _ @' },
	tagValue: { label: 'Tag value', min: 1, max: 256, pattern: /^[a-zA-Z0-9+ -=._:/@]+$/, allowed: 'a-z A-Z 0-9 space and ! " # $ % & \' ( ) * + , - . / : ; < = _ @' },
	usageRecordsPerRequest: 25,
	/** The request limit is 1 MB; stay under the decimal megabyte to be safe. */
	requestBytes: 1_000_000,
} as const;

export interface StringRule {
	label: string;
	/** Length bounds; the License ARN has only its pattern. */
	min?: number;
	max?: number;
	pattern?: RegExp;
	allowed?: string;
	/** What a value that fails the pattern is, in words. */
	mismatch?: string;
}

export function fail<T>(code: string, field: string, rule: string, message: string): Checked<T> {
	return { ok: false, error: { code, field, rule, message } };
}

export function ok<T>(value: T): Checked<T> {
	return { ok: true, value };
}

/** True for the values that mean "not given": n8n hands over '' for an empty field. */
export function isAbsent(value: unknown): boolean {
	return value === undefined || value === null || value === '';
}

/** The length AWS counts: Unicode characters, not UTF-16 code units. */
export function characterCount(text: string): number {
	// A surrogate pair is one character; a lone surrogate counts as one, as when iterating the string.
	return text.length - (text.match(/[\ud800-\udbff][\udc00-\udfff]/g)?.length ?? 0);
}

/** A short, safe rendering of an input value for messages. */
export function describeValue(value: unknown): string {
	if (value === undefined) return 'undefined';
	if (value === null) return 'null';
	if (typeof value === 'string') {
		const shown = characterCount(value) > 60 ? `${[...value].slice(0, 57).join('')}…` : value;
		return JSON.stringify(shown);
	}
	if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid date' : value.toISOString();
	if (Array.isArray(value)) return `an array of ${value.length}`;
	if (typeof value === 'object') return 'an object';
	return `a ${typeof value}`;
}

function typeName(value: unknown): string {
	if (Array.isArray(value)) return 'an array';
	if (value instanceof Date) return 'a date';
	if (typeof value === 'object') return 'an object';
	return `a ${typeof value}`;
}

/**
 * Checks a text field against its length and pattern. `code` is the error code, `field` the
 * input field's name; a missing value is an error (callers handle optional fields first).
 */
export function checkText(value: unknown, rule: StringRule, code: string, field: string): Checked<string> {
	const { min = 1, max = Infinity } = rule;
	if (isAbsent(value)) return fail(code, field, 'required', `${rule.label} is missing: it must be ${expectedText(rule)}`);
	if (typeof value !== 'string') {
		return fail(code, field, 'type', `${rule.label} ${describeValue(value)} is ${typeName(value)}, not text: it must be ${expectedText(rule)}`);
	}
	// UTF-16 units never undercount characters, and at most double them: count exactly only near the bounds.
	const length = value.length <= max && value.length >= 2 * min ? value.length : characterCount(value);
	if (length < min || length > max) {
		return fail(code, field, 'length', `${rule.label} ${describeValue(value)} is ${length} characters long: it must be ${expectedText(rule)}`);
	}
	if (rule.pattern && !matches(rule.pattern, value)) {
		return fail(code, field, 'pattern', `${rule.label} ${describeValue(value)} ${rule.mismatch ?? 'has characters AWS does not accept'}: it must be ${expectedText(rule)}`);
	}
	return ok(value);
}

function expectedText(rule: StringRule): string {
	const { min = 1, max = Infinity } = rule;
	return [max === Infinity ? '' : `${min} to ${max} characters`, rule.allowed].filter(Boolean).join(' of ');
}

// Product codes, account IDs and license ARNs repeat in almost every event: test each value once.
const MATCHED_LIMIT = 10_000;
const matched = new Map<RegExp, Set<string>>();

function matches(pattern: RegExp, value: string): boolean {
	let seen = matched.get(pattern);
	if (seen?.has(value)) return true;
	if (!pattern.test(value)) return false;
	if (!seen) matched.set(pattern, (seen = new Set()));
	if (seen.size >= MATCHED_LIMIT) seen.clear();
	seen.add(value);
	return true;
}

export function checkProductCode(value: unknown): Checked<string> {
	return checkText(value, CONSTRAINTS.productCode, 'InvalidProductCode', 'productCode');
}

export function checkDimension(value: unknown, label: string = CONSTRAINTS.dimension.label): Checked<string> {
	const rule = label === CONSTRAINTS.dimension.label ? CONSTRAINTS.dimension : { ...CONSTRAINTS.dimension, label };
	return checkText(value, rule, 'InvalidDimension', 'dimension');
}

/** A license ARN in any of AWS's spellings, as the canonical one (canonicalLicenseArn): the key to match on, not what to send. */
export function checkLicenseArn(value: unknown): Checked<string> {
	const checked = checkText(value, CONSTRAINTS.licenseArn, 'InvalidLicenseArn', 'licenseArn');
	return checked.ok ? ok(canonicalLicenseArn(checked.value)!) : checked;
}

/** A license ARN as it goes to AWS: a full ARN as given (it may be the spelling AWS issued, which AWS may match exactly), else the canonical one. */
export function checkLicenseArnToSend(value: unknown): Checked<string> {
	const checked = checkLicenseArn(value);
	return checked.ok ? ok(givenLicenseArn(value as string) ?? checked.value) : checked;
}

export type Customer = { CustomerIdentifier: string } | { CustomerAWSAccountId: string };

/** Exactly one of the two customer fields; an account ID must be text, as a number would lose leading zeros. */
export function checkCustomer(customerIdentifier: unknown, customerAWSAccountId: unknown): Checked<Customer> {
	const byIdentifier = !isAbsent(customerIdentifier);
	const byAccount = !isAbsent(customerAWSAccountId);
	const field = 'customerAWSAccountId';
	if (byIdentifier && byAccount) {
		return fail(
			'InvalidCustomer',
			field,
			'exactlyOneCustomer',
			'Customer Identifier and Customer AWS Account ID are both set: a usage record takes exactly one of them (the account ID for products that use license ARNs, the identifier for legacy ones)',
		);
	}
	if (!byIdentifier && !byAccount) {
		return fail(
			'InvalidCustomer',
			field,
			'exactlyOneCustomer',
			'Customer AWS Account ID and Customer Identifier are both missing: a usage record takes exactly one of them',
		);
	}
	if (byIdentifier) {
		const checked = checkText(customerIdentifier, CONSTRAINTS.customerIdentifier, 'InvalidCustomerIdentifier', 'customerIdentifier');
		return checked.ok ? ok({ CustomerIdentifier: checked.value }) : checked;
	}
	if (typeof customerAWSAccountId === 'number' && Number.isSafeInteger(customerAWSAccountId) && customerAWSAccountId >= 1e11) {
		// Twelve digits: no leading zero can have been lost.
		return ok({ CustomerAWSAccountId: String(customerAWSAccountId) });
	}
	if (typeof customerAWSAccountId === 'number') {
		return fail(
			'InvalidCustomerAWSAccountId',
			field,
			'type',
			`Customer AWS Account ID ${describeValue(customerAWSAccountId)} is a number: pass it as text of digits, a number loses the leading zeros of an account ID`,
		);
	}
	const checked = checkText(customerAWSAccountId, CONSTRAINTS.customerAWSAccountId, 'InvalidCustomerAWSAccountId', field);
	return checked.ok ? ok({ CustomerAWSAccountId: checked.value }) : checked;
}

export function errorOf<T>(checked: Checked<T>): UsageError | undefined {
	return checked.ok ? undefined : checked.error;
}
