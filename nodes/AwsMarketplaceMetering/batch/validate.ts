import { givenLicenseArn } from '../../shared/ledger/licenseArn';
import { type ParsedAllocation, checkAllocationSum, parseUsageAllocations } from './allocations';
import { type Decimal, parseQuantity } from './quantity';
import { type Customer, checkCustomer, checkDimension, checkLicenseArn, checkProductCode, fail, isAbsent, ok } from './rules';
import { hourOf } from '../../shared/ledger/hours';
import { type TimestampWindow, parseTimestamp, timestampWindowFailure } from './timestamp';
import type { Checked, EventSource, NonIntegerQuantity, UsageEvent } from './types';

export interface ValidationOptions {
	now: Date;
	maxRecordAgeHours: number;
	maxFutureSkewMinutes: number;
	truncateToHour: boolean;
	nonIntegerQuantity: NonIntegerQuantity;
	/** The metering ledger judges the deadline itself: here only the future is refused. */
	ledgerJudgesDeadline?: boolean;
}

/** An event that passed every rule, its values normalized. */
export interface ValidUsageEvent {
	source: EventSource;
	productCode: string;
	customer: Customer;
	/** The canonical spelling: what usage is matched and summed on. */
	licenseArn?: string;
	/** The input's full ARN spelling when not the canonical one: what AWS may have issued, so what is sent. */
	licenseArnAsGiven?: string;
	dimension: string;
	quantity: Decimal;
	/** When the usage happened. */
	timestamp: Date;
	allocations?: ParsedAllocation[];
}

/** Checks one event against every constraint AWS enforces, so that no request carries a bad record. */
export function validateUsageEvent(event: UsageEvent, options: ValidationOptions): Checked<ValidUsageEvent> {
	const productCode = productCodeChecks.check(event.productCode);
	if (!productCode.ok) return productCode;
	const customer = customerOf(event.customerIdentifier, event.customerAWSAccountId);
	if (!customer.ok) return customer;
	const license = checkIdentity(customer.value, event.licenseArn);
	if (!license.ok) return license;
	const dimension = dimensionChecks.check(event.dimension);
	if (!dimension.ok) return dimension;
	const { nonIntegerQuantity } = options;
	const quantity = parseQuantity(event.quantity, { nonIntegerQuantity });
	if (!quantity.ok) return quantity;
	const timestamp = parseTimestamp(event.timestamp);
	if (!timestamp.ok) return timestamp;
	const happened = timestamp.value.getTime();
	const outOfWindow = timestampWindowFailure(happened, options.truncateToHour ? hourOf(happened) : happened, windowOf(options));
	if (outOfWindow) return outOfWindow;
	const allocations = parseUsageAllocations(event.usageAllocations, { nonIntegerQuantity });
	if (!allocations.ok) return allocations;
	if (allocations.value) {
		const sum = checkAllocationSum(allocations.value, quantity.value);
		if (!sum.ok) return sum;
	}
	const valid: ValidUsageEvent = { source: event.source, productCode: productCode.value, customer: customer.value, dimension: dimension.value, quantity: quantity.value, timestamp: timestamp.value };
	if (license.value) {
		valid.licenseArn = license.value.licenseArn;
		if (license.value.asGiven !== undefined) valid.licenseArnAsGiven = license.value.asGiven;
	}
	if (allocations.value) valid.allocations = allocations.value;
	return ok(valid);
}

/**
 * Product codes, customers, license ARNs and dimensions repeat in almost every event: each distinct
 * value is checked (and its license ARN spellings worked out) once, and its answer shared.
 */
class Remembered<T> {
	private static readonly LIMIT = 10_000;
	private readonly answers = new Map<string, Checked<T>>();

	constructor(private readonly checkValue: (value: unknown) => Checked<T>) {}

	check(value: unknown): Checked<T> {
		if (typeof value !== 'string') return this.checkValue(value);
		let answer = this.answers.get(value);
		if (answer) return answer;
		answer = this.checkValue(value);
		// Failures are rare and their messages cheap to build again.
		if (answer.ok) {
			if (this.answers.size >= Remembered.LIMIT) this.answers.clear();
			this.answers.set(value, answer);
		}
		return answer;
	}
}

const productCodeChecks = new Remembered(checkProductCode);
const dimensionChecks = new Remembered((value) => checkDimension(value));
const accountChecks = new Remembered((value) => checkCustomer(undefined, value));

function customerOf(customerIdentifier: unknown, customerAWSAccountId: unknown): Checked<Customer> {
	return isAbsent(customerIdentifier) ? accountChecks.check(customerAWSAccountId) : checkCustomer(customerIdentifier, customerAWSAccountId);
}

/** A license ARN's canonical spelling (what usage is summed on) and, when it differs, the full spelling given. */
interface LicenseSpellings {
	licenseArn: string;
	asGiven?: string;
}

const licenseChecks = new Remembered<LicenseSpellings>((value) => {
	const checked = checkLicenseArn(value);
	if (!checked.ok) return checked;
	const asGiven = givenLicenseArn(value as string);
	return ok(asGiven !== undefined ? { licenseArn: checked.value, asGiven } : { licenseArn: checked.value });
});

const NO_LICENSE = ok(undefined);

// The window's settings, built once per options object rather than once per event (100k events: 100k copies).
const windows = new WeakMap<ValidationOptions, TimestampWindow>();

function windowOf(options: ValidationOptions): TimestampWindow {
	let window = windows.get(options);
	if (!window) windows.set(options, (window = { ...options, checkDeadline: !options.ledgerJudgesDeadline }));
	return window;
}

/**
 * One identity per customer and hour: AWS keys license records apart from product-code records, so
 * sending one customer's hour both ways bills it twice. An account ID therefore always comes with
 * its License ARN, and a legacy customer identifier never does.
 */
function checkIdentity(customer: Customer, licenseArn: unknown): Checked<LicenseSpellings | undefined> {
	if ('CustomerIdentifier' in customer) {
		if (isAbsent(licenseArn)) return NO_LICENSE;
		return fail(
			'InvalidLicenseArn',
			'licenseArn',
			'notWithCustomerIdentifier',
			'License ARN is set with a Customer Identifier: a license-based usage record identifies the customer by Customer AWS Account ID; send legacy customers without a License ARN',
		);
	}
	if (isAbsent(licenseArn)) {
		return fail(
			'InvalidLicenseArn',
			'licenseArn',
			'requiredWithAccountId',
			`License ARN is missing: a usage record identified by Customer AWS Account ID needs the License ARN Resolve Customer returned (one customer's hour sent once with a product code and once with a License ARN is billed twice)`,
		);
	}
	return licenseChecks.check(licenseArn);
}
