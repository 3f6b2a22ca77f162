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

/** Whose usage of what: everything that identifies an event's usage record but its hour, checked and normalized. */
export interface UsageIdentity {
	productCode: string;
	customer: Customer;
	/** The canonical spelling: what usage is matched and summed on. */
	licenseArn?: string;
	/** The input's full ARN spelling when not the canonical one: what AWS may have issued, so what is sent. */
	licenseArnAsGiven?: string;
	dimension: string;
}

/** An event that passed every rule, its values normalized. */
export interface ValidUsageEvent {
	source: EventSource;
	/** Shared by the events that give the same product code, customer, license ARN and dimension. */
	identity: UsageIdentity;
	quantity: Decimal;
	/** When the usage happened. */
	timestamp: Date;
	allocations?: ParsedAllocation[];
}

/** Checks one event against every constraint AWS enforces, so that no request carries a bad record. */
export function validateUsageEvent(event: UsageEvent, options: ValidationOptions): Checked<ValidUsageEvent> {
	const identity = identities.of(event);
	if (!identity.ok) return identity;
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
		return ok({ source: event.source, identity: identity.value, quantity: quantity.value, timestamp: timestamp.value, allocations: allocations.value });
	}
	return ok({ source: event.source, identity: identity.value, quantity: quantity.value, timestamp: timestamp.value });
}

/** The checks of an event's identity, in the order its errors are reported. */
function checkIdentity(event: UsageEvent): Checked<UsageIdentity> {
	const productCode = checkProductCode(event.productCode);
	if (!productCode.ok) return productCode;
	const customer = checkCustomer(event.customerIdentifier, event.customerAWSAccountId);
	if (!customer.ok) return customer;
	const license = checkLicense(customer.value, event.licenseArn);
	if (!license.ok) return license;
	const dimension = checkDimension(event.dimension);
	if (!dimension.ok) return dimension;
	const identity: UsageIdentity = { productCode: productCode.value, customer: customer.value, dimension: dimension.value };
	if (license.value) {
		identity.licenseArn = license.value.licenseArn;
		if (license.value.asGiven !== undefined) identity.licenseArnAsGiven = license.value.asGiven;
	}
	return ok(identity);
}

type Level<T> = Map<unknown, T>;

/**
 * Nearly every event repeats a product code, customer, license ARN and dimension given before: each
 * distinct combination is checked (and its license ARN spellings worked out) once, and its identity
 * shared, looked up value by value. Values that are neither text nor numbers are always checked.
 */
class Identities {
	private static readonly LIMIT = 10_000;
	private size = 0;
	// [by account ID, by customer identifier] → product code → customer → license ARN → dimension.
	private readonly roots: Level<Level<Level<Level<Checked<UsageIdentity>>>>>[] = [new Map(), new Map()];

	of(event: UsageEvent): Checked<UsageIdentity> {
		const byIdentifier = !isAbsent(event.customerIdentifier);
		const customer = byIdentifier ? event.customerIdentifier : event.customerAWSAccountId;
		// With both customer fields set the checks answer an error, which is not kept.
		if (byIdentifier && !isAbsent(event.customerAWSAccountId)) return checkIdentity(event);
		const { productCode, licenseArn, dimension } = event;
		if (!(keyable(productCode) && keyable(customer) && keyable(licenseArn) && keyable(dimension))) return checkIdentity(event);
		const customers = level(this.roots[byIdentifier ? 1 : 0], productCode);
		const licenses = level(customers, customer);
		const dimensions = level(licenses, isAbsent(licenseArn) ? undefined : licenseArn);
		let identity = dimensions.get(dimension);
		if (identity) return identity;
		identity = checkIdentity(event);
		// Failures are rare and their messages cheap to build again.
		if (identity.ok) {
			if (this.size >= Identities.LIMIT) this.clear();
			dimensions.set(dimension, identity);
			this.size++;
		}
		return identity;
	}

	private clear(): void {
		for (const root of this.roots) root.clear();
		this.size = 0;
	}
}

const identities = new Identities();

function keyable(value: unknown): boolean {
	return typeof value === 'string' || typeof value === 'number' || value === undefined || value === null;
}

function level<T>(map: Level<Level<T>>, key: unknown): Level<T> {
	let next = map.get(key);
	if (!next) map.set(key, (next = new Map()));
	return next;
}

/** A license ARN's canonical spelling (what usage is summed on) and, when it differs, the full spelling given. */
interface LicenseSpellings {
	licenseArn: string;
	asGiven?: string;
}

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
function checkLicense(customer: Customer, licenseArn: unknown): Checked<LicenseSpellings | undefined> {
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
	const checked = checkLicenseArn(licenseArn);
	if (!checked.ok) return checked;
	const asGiven = givenLicenseArn(licenseArn as string);
	return ok(asGiven !== undefined ? { licenseArn: checked.value, asGiven } : { licenseArn: checked.value });
}
