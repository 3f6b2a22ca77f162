import { givenLicenseArn } from '../ledger/licenseArn';
import { type ParsedAllocation, checkAllocationSum, parseUsageAllocations } from './allocations';
import { type Decimal, parseQuantity } from './quantity';
import { type Customer, checkCustomer, checkDimension, checkLicenseArn, checkProductCode, fail, isAbsent, ok } from './rules';
import { type TimestampWindow, checkTimestampWindow, parseTimestamp, truncateToHour } from './timestamp';
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
	const productCode = checkProductCode(event.productCode);
	if (!productCode.ok) return productCode;
	const customer = checkCustomer(event.customerIdentifier, event.customerAWSAccountId);
	if (!customer.ok) return customer;
	const licenseArn = checkIdentity(customer.value, event.licenseArn);
	if (!licenseArn.ok) return licenseArn;
	const dimension = checkDimension(event.dimension);
	if (!dimension.ok) return dimension;
	const { nonIntegerQuantity } = options;
	const quantity = parseQuantity(event.quantity, { nonIntegerQuantity });
	if (!quantity.ok) return quantity;
	const timestamp = parseTimestamp(event.timestamp);
	if (!timestamp.ok) return timestamp;
	const sent = options.truncateToHour ? truncateToHour(timestamp.value) : timestamp.value;
	const window = checkTimestampWindow(timestamp.value, sent, windowOf(options));
	if (!window.ok) return window;
	const allocations = parseUsageAllocations(event.usageAllocations, { nonIntegerQuantity });
	if (!allocations.ok) return allocations;
	if (allocations.value) {
		const sum = checkAllocationSum(allocations.value, quantity.value);
		if (!sum.ok) return sum;
	}
	const asGiven = licenseArn.value !== undefined ? givenLicenseArn(event.licenseArn as string) : undefined;
	return ok({
		source: event.source,
		productCode: productCode.value,
		customer: customer.value,
		...(licenseArn.value !== undefined ? { licenseArn: licenseArn.value } : {}),
		...(asGiven !== undefined ? { licenseArnAsGiven: asGiven } : {}),
		dimension: dimension.value,
		quantity: quantity.value,
		timestamp: timestamp.value,
		...(allocations.value ? { allocations: allocations.value } : {}),
	});
}

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
function checkIdentity(customer: Customer, licenseArn: unknown): Checked<string | undefined> {
	if ('CustomerIdentifier' in customer) {
		if (isAbsent(licenseArn)) return ok(undefined);
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
	return checkLicenseArn(licenseArn);
}
