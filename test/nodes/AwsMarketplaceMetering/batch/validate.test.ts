import {
	checkUsageAllocations,
	checkUsageQuantity,
	validateUsageEvent,
	type NonIntegerQuantity,
	type UsageEvent,
} from '../../../../nodes/AwsMarketplaceMetering/batch';
import { NOW, at, legacyEvent, license, usageEvent } from './events';

const validate = (event: UsageEvent, nonIntegerQuantity: NonIntegerQuantity = 'error') =>
	validateUsageEvent(event, { now: new Date(NOW), maxRecordAgeHours: 24, maxFutureSkewMinutes: 5, truncateToHour: true, nonIntegerQuantity });

const errorOf = (event: UsageEvent, nonIntegerQuantity?: NonIntegerQuantity) => {
	const checked = validate(event, nonIntegerQuantity);
	if (checked.ok) throw new Error('expected the event to be invalid');
	return checked.error;
};

describe('validateUsageEvent', () => {
	it('accepts a license-based and a legacy event and normalizes their values', () => {
		const checked = validate(usageEvent({ quantity: '12', customerAWSAccountId: 123456789012 }));
		expect(checked).toMatchObject({
			ok: true,
			value: {
				identity: { productCode: 'prod-a', customer: { CustomerAWSAccountId: '123456789012' }, licenseArn: license(1), dimension: 'requests' },
				quantity: { units: 12n, scale: 0 },
			},
		});
		expect(validate(legacyEvent())).toMatchObject({ ok: true, value: { identity: { customer: { CustomerIdentifier: 'cust-1' } } } });
		// An empty identifier is what Resolve Customer returns for new products: it counts as absent.
		expect(validate(usageEvent({ customerIdentifier: '' })).ok).toBe(true);
	});

	it('checks each combination of product code, customer, license ARN and dimension once, and any other on its own', () => {
		const identity = (event: UsageEvent) => {
			const checked = validate(event);
			if (!checked.ok) throw new Error(checked.error.message);
			return checked.value.identity;
		};
		const first = identity(usageEvent({ quantity: 1 }));
		// Given alike (a number for the account ID too): one identity.
		expect(identity(usageEvent({ quantity: 2, timestamp: at(14) }))).toBe(first);
		expect(identity(usageEvent({ customerAWSAccountId: 123456789012 }))).toEqual(first);
		// One value changed: checked, and refused when it breaks a rule.
		expect(identity(usageEvent({ dimension: 'storage' }))).toMatchObject({ dimension: 'storage', licenseArn: license(1) });
		expect(errorOf(usageEvent({ licenseArn: 'arn:aws:s3:::bucket' })).code).toBe('InvalidLicenseArn');
		expect(errorOf(usageEvent({ customerIdentifier: 'cust-1' })).code).toBe('InvalidCustomer');
		expect(errorOf(usageEvent({ customerAWSAccountId: 12345 })).code).toBe('InvalidCustomerAWSAccountId');
		expect(errorOf(usageEvent({ dimension: { name: 'requests' } })).code).toBe('InvalidDimension');
		expect(identity(usageEvent({ quantity: 3 }))).toBe(first);
		// Another spelling of the license: its own identity, matched on the same canonical ARN, sent as given.
		const spelled = identity(usageEvent({ licenseArn: license(1).replace('license:', 'license/') }));
		expect(spelled).toMatchObject({ licenseArn: license(1), licenseArnAsGiven: license(1).replace('license:', 'license/') });
	});

	it('accepts License Manager license ARNs in each form AWS’s documents show', () => {
		for (const licenseArn of ['arn:aws:license-manager::123456789012:license:l-0123abc', 'arn:aws:license-manager:us-east-1:123456789012:l-0123abc', 'arn:aws-cn:license-manager::123456789012:license/l-0123abc']) {
			expect({ licenseArn, ok: validate(usageEvent({ licenseArn })).ok }).toEqual({ licenseArn, ok: true });
		}
	});

	// Each rule: the event, the code, the field, the rule and what the message must say.
	const cases: [string, Partial<UsageEvent>, string, string, string, RegExp][] = [
		['product code missing', { productCode: undefined }, 'InvalidProductCode', 'productCode', 'required', /^Product Code is missing: it must be 1 to 255 characters of a-z/],
		['product code pattern', { productCode: 'prod a!' }, 'InvalidProductCode', 'productCode', 'pattern', /^Product Code "prod a!" has characters AWS does not accept: it must be 1 to 255 characters of a-z A-Z 0-9 - \/ = : _ \. @$/],
		['product code length', { productCode: 'p'.repeat(256) }, 'InvalidProductCode', 'productCode', 'length', /^Product Code "p+…" is 256 characters long: it must be 1 to 255/],
		['product code type', { productCode: 42 }, 'InvalidProductCode', 'productCode', 'type', /^Product Code 42 is a number, not text/],
		['both customers', { customerIdentifier: 'cust-1' }, 'InvalidCustomer', 'customerAWSAccountId', 'exactlyOneCustomer', /^Customer Identifier and Customer AWS Account ID are both set: a usage record takes exactly one of them/],
		['no customer', { customerAWSAccountId: undefined }, 'InvalidCustomer', 'customerAWSAccountId', 'exactlyOneCustomer', /both missing: a usage record takes exactly one of them/],
		['account id not digits', { customerAWSAccountId: '12345678901a' }, 'InvalidCustomerAWSAccountId', 'customerAWSAccountId', 'pattern', /^Customer AWS Account ID "12345678901a" has characters AWS does not accept: it must be 1 to 255 characters of digits 0-9$/],
		['account id as a short number', { customerAWSAccountId: 12345678901 }, 'InvalidCustomerAWSAccountId', 'customerAWSAccountId', 'type', /is a number: pass it as text of digits, a number loses the leading zeros/],
		['customer identifier too long', { customerAWSAccountId: undefined, licenseArn: undefined, customerIdentifier: 'c'.repeat(256) }, 'InvalidCustomerIdentifier', 'customerIdentifier', 'length', /^Customer Identifier .* is 256 characters long: it must be 1 to 255 characters$/],
		['license ARN pattern', { licenseArn: 'arn:aws:license-manager::1:license/x y' }, 'InvalidLicenseArn', 'licenseArn', 'pattern', /^License ARN ".*" is not a License Manager license ARN: it must be the license ARN Resolve Customer returned/],
		['license ARN of another account form', { licenseArn: 'arn:aws:license-manager:us-east-1:12345678901:l-0123' }, 'InvalidLicenseArn', 'licenseArn', 'pattern', /is not a License Manager license ARN/],
		['license ARN of another service', { licenseArn: 'arn:aws:s3:::my-bucket/license' }, 'InvalidLicenseArn', 'licenseArn', 'pattern', /^License ARN "arn:aws:s3:::my-bucket\/license" is not a License Manager license ARN/],
		['account ID without a license ARN', { licenseArn: '' }, 'InvalidLicenseArn', 'licenseArn', 'requiredWithAccountId', /^License ARN is missing: a usage record identified by Customer AWS Account ID needs the License ARN Resolve Customer returned \(one customer's hour sent once with a product code and once with a License ARN is billed twice\)$/],
		['customer identifier with a license ARN', { customerAWSAccountId: undefined, customerIdentifier: 'cust-1' }, 'InvalidLicenseArn', 'licenseArn', 'notWithCustomerIdentifier', /^License ARN is set with a Customer Identifier: a license-based usage record identifies the customer by Customer AWS Account ID/],
		['dimension missing', { dimension: '' }, 'InvalidDimension', 'dimension', 'required', /^Dimension is missing: it must be 1 to 255 characters$/],
		['dimension too long', { dimension: 'd'.repeat(256) }, 'InvalidDimension', 'dimension', 'length', /^Dimension .* is 256 characters long/],
		['quantity missing', { quantity: undefined }, 'InvalidQuantity', 'quantity', 'required', /^Quantity is missing: AWS accepts whole numbers 0 to 2147483647$/],
		['quantity empty text', { quantity: '  ' }, 'InvalidQuantity', 'quantity', 'required', /^Quantity is empty/],
		['quantity not a number', { quantity: 'abc' }, 'InvalidQuantity', 'quantity', 'number', /^Quantity "abc" is not a number: AWS accepts whole numbers 0 to 2147483647$/],
		['quantity NaN', { quantity: NaN }, 'InvalidQuantity', 'quantity', 'number', /^Quantity is not a number \(NaN\)/],
		['quantity infinite', { quantity: Infinity }, 'InvalidQuantity', 'quantity', 'range', /^Quantity Infinity is not a finite number/],
		['quantity negative', { quantity: -1 }, 'InvalidQuantity', 'quantity', 'range', /^Quantity -1 is negative: AWS accepts whole numbers 0 to 2147483647$/],
		['quantity negative text', { quantity: '-3' }, 'InvalidQuantity', 'quantity', 'range', /^Quantity "-3" is negative/],
		['quantity too large', { quantity: 2147483648 }, 'InvalidQuantity', 'quantity', 'range', /^Quantity 2147483648 is too large: AWS accepts whole numbers 0 to 2147483647$/],
		['quantity exponent text', { quantity: '1e3' }, 'InvalidQuantity', 'quantity', 'number', /^Quantity "1e3" is not a number/],
		['quantity not an integer', { quantity: 12.5 }, 'InvalidQuantity', 'quantity', 'integer', /^Quantity 12\.5 is not an integer: AWS accepts whole numbers 0 to 2147483647 \(set "Non-Integer Quantity" to round\)$/],
		['quantity with too many fractional digits', { quantity: `1.${'3'.repeat(20_000)}` }, 'InvalidQuantity', 'quantity', 'precision', /^Quantity has 20000 digits after the decimal point, more than the 100 kept exactly: AWS accepts whole numbers/],
		['quantity of another type', { quantity: true }, 'InvalidQuantity', 'quantity', 'number', /^Quantity true is not a number/],
		['timestamp missing', { timestamp: undefined }, 'InvalidTimestamp', 'timestamp', 'required', /^Timestamp is missing: use ISO 8601/],
		['timestamp text', { timestamp: 'yesterday' }, 'InvalidTimestamp', 'timestamp', 'format', /^Timestamp "yesterday" is not a date: use ISO 8601 with a time zone/],
		['timestamp too old', { timestamp: '2026-11-21T16:00:00Z' }, 'Expired', 'timestamp', 'deadline', /^Not billed: Timestamp 2026-11-21T16:00:00.000Z is past its deadline, 2026-11-22T16:00:00.000Z \(usage is accepted until 24 hours after its time\)$/],
		['timestamp in the future', { timestamp: '2026-11-22T17:00:00Z' }, 'TimestampOutOfWindow', 'timestamp', 'future', /^Timestamp .* is 30 minutes in the future: AWS accepts usage up to now \(allowing 5 minutes of clock skew\)$/],
		['allocations not JSON', { usageAllocations: '[{' }, 'InvalidUsageAllocations', 'usageAllocations', 'json', /^Usage Allocations "\[\{" is not valid JSON: give an array of/],
		['allocations not an array', { usageAllocations: { allocatedUsageQuantity: 1 } }, 'InvalidUsageAllocations', 'usageAllocations', 'type', /^Usage Allocations is an object, not an array/],
		['allocation not an object', { usageAllocations: [1] }, 'InvalidUsageAllocations', 'usageAllocations', 'type', /^Usage Allocations entry usageAllocations\[0\] is 1, not an object/],
		['allocation quantity missing', { usageAllocations: [{ tags: { a: 'b' } }] }, 'InvalidUsageAllocations', 'usageAllocations', 'required', /^Allocated Usage Quantity of usageAllocations\[0\] is missing: AWS accepts whole numbers/],
		['allocation quantity fraction', { quantity: 1, usageAllocations: [{ allocatedUsageQuantity: 0.5 }, { allocatedUsageQuantity: 0.5, tags: { a: 'b' } }] }, 'InvalidUsageAllocations', 'usageAllocations', 'integer', /^Allocated Usage Quantity of usageAllocations\[0\] 0\.5 is not an integer/],
		['allocations sum', { quantity: 5, usageAllocations: [{ allocatedUsageQuantity: 4, tags: { team: 'a' } }] }, 'InvalidUsageAllocations', 'usageAllocations', 'sum', /^Usage Allocations add up to 4, not the Quantity 5: the allocated quantities must sum exactly to the record's quantity$/],
		['allocations too many', { quantity: 2501, usageAllocations: Array.from({ length: 2501 }, (_, n) => ({ allocatedUsageQuantity: 1, tags: { n: String(n) } })) }, 'InvalidUsageAllocations', 'usageAllocations', 'count', /^Usage Allocations has 2501 allocations: AWS accepts 1 to 2500 per usage record$/],
		['allocations same tag set', { quantity: 2, usageAllocations: [{ allocatedUsageQuantity: 1, tags: { a: '1', b: '2' } }, { allocatedUsageQuantity: 1, tags: [{ key: 'b', value: '2' }, { key: 'a', value: '1' }] }] }, 'InvalidUsageAllocations', 'usageAllocations', 'distinctTagSets', /^Usage Allocations entries \[0\] and \[1\] have the same tags: each allocation of a record needs a distinct tag set \(tag order does not matter\)$/],
		['two untagged allocations', { quantity: 2, usageAllocations: [{ allocatedUsageQuantity: 1 }, { allocatedUsageQuantity: 1, tags: [] }] }, 'InvalidUsageAllocations', 'usageAllocations', 'distinctTagSets', /have the same tags/],
		['tags of a wrong type', { usageAllocations: [{ allocatedUsageQuantity: 1, tags: 'team=a' }] }, 'InvalidTag', 'usageAllocations', 'tags', /^Tags of usageAllocations\[0\] are "team=a": give \[\{ key, value \}\] pairs or an object of key: value$/],
		['tag not a pair', { usageAllocations: [{ allocatedUsageQuantity: 1, tags: ['team'] }] }, 'InvalidTag', 'usageAllocations', 'tags', /^Tag \[0\] of usageAllocations\[0\] is "team", not a \{ key, value \} pair$/],
		['too many tags', { usageAllocations: [{ allocatedUsageQuantity: 1, tags: { a: '1', b: '2', c: '3', d: '4', e: '5', f: '6' } }] }, 'InvalidTag', 'usageAllocations', 'tags', /^Tags of usageAllocations\[0\]: 6 tags, AWS accepts 1 to 5 per allocation$/],
		['tag key pattern', { usageAllocations: [{ allocatedUsageQuantity: 1, tags: { 'team~': 'a' } }] }, 'InvalidTag', 'usageAllocations', 'tagKey.pattern', /^Tag key of usageAllocations\[0\] "team~" has characters AWS does not accept: it must be 1 to 100 characters of a-z A-Z 0-9 space and/],
		['tag key too long', { usageAllocations: [{ allocatedUsageQuantity: 1, tags: { ['k'.repeat(101)]: 'a' } }] }, 'InvalidTag', 'usageAllocations', 'tagKey.length', /^Tag key of usageAllocations\[0\] .* is 101 characters long: it must be 1 to 100/],
		['tag value too long', { usageAllocations: [{ allocatedUsageQuantity: 1, tags: [{ key: 'a', value: 'v'.repeat(257) }] }] }, 'InvalidTag', 'usageAllocations', 'tagValue.length', /^Tag value of usageAllocations\[0\] for key "a" .* is 257 characters long: it must be 1 to 256/],
		['tag value missing', { usageAllocations: [{ allocatedUsageQuantity: 1, tags: [{ key: 'a' }] }] }, 'InvalidTag', 'usageAllocations', 'tagValue.required', /^Tag value of usageAllocations\[0\] for key "a" is missing/],
		['tag value not text', { usageAllocations: [{ allocatedUsageQuantity: 1, tags: { a: 5 } }] }, 'InvalidTag', 'usageAllocations', 'tagValue.type', /is a number, not text/],
		['tag keys repeated', { usageAllocations: [{ allocatedUsageQuantity: 1, tags: [{ key: 'a', value: '1' }, { Key: 'a', Value: '2' }] }] }, 'InvalidTag', 'usageAllocations', 'tags', /^Tag key "a" appears twice in usageAllocations\[0\]: tag keys must be distinct within an allocation$/],
	];

	it.each(cases)('%s', (_name, fields, code, field, rule, message) => {
		expect(errorOf(usageEvent(fields))).toEqual({ code, field, rule, message: expect.stringMatching(message) });
	});

	it('reads allocations in every accepted form, tags as pairs, AWS casing, an object, or JSON text', () => {
		const expected = [
			{ quantity: { units: 2n, scale: 0 }, tags: [{ Key: 'team', Value: 'data' }] },
			{ quantity: { units: 3n, scale: 0 }, tags: [{ Key: 'env', Value: 'prod' }, { Key: 'cost center', Value: 'a/b=c:d@e +"#' }] },
		];
		const forms = [
			[{ allocatedUsageQuantity: 2, tags: [{ key: 'team', value: 'data' }] }, { allocatedUsageQuantity: '3', tags: { env: 'prod', 'cost center': 'a/b=c:d@e +"#' } }],
			[{ AllocatedUsageQuantity: 2, Tags: [{ Key: 'team', Value: 'data' }] }, { AllocatedUsageQuantity: 3, Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'cost center', Value: 'a/b=c:d@e +"#' }] }],
		];
		for (const allocations of [...forms, ...forms.map((form) => JSON.stringify(form))]) {
			expect(validate(usageEvent({ quantity: 5, usageAllocations: allocations }))).toMatchObject({ ok: true, value: { allocations: expected } });
		}
		// Empty means none: the record is sent without allocations.
		for (const none of [undefined, null, '', ' ', '[]', []]) {
			const checked = validate(usageEvent({ usageAllocations: none }));
			expect(checked.ok && checked.value.allocations).toBeUndefined();
		}
	});

	it('takes non-integer quantities when a rounding mode is set, exactly as decimals', () => {
		expect(validate(usageEvent({ quantity: '0.1' }), 'roundUp')).toMatchObject({ ok: true, value: { quantity: { units: 1n, scale: 1 } } });
		expect(validate(usageEvent({ quantity: 1e-7 }), 'roundNearest')).toMatchObject({ ok: true, value: { quantity: { units: 1n, scale: 7 } } });
		expect(validate(usageEvent({ quantity: 2147483647.5 }), 'roundUp').ok).toBe(false);
		expect(validate(usageEvent({ quantity: -0 })).ok).toBe(true);
		expect(validate(usageEvent({ quantity: ' 12 ' })).ok).toBe(true);
	});
});

describe('shared rules for Meter Usage', () => {
	it('checks a usage quantity without pointing at the batch rounding option', () => {
		expect(checkUsageQuantity('7')).toEqual({ ok: true, value: 7 });
		expect(checkUsageQuantity(1.5)).toMatchObject({
			ok: false,
			error: { code: 'InvalidQuantity', field: 'usageQuantity', message: 'Usage Quantity 1.5 is not an integer: AWS accepts whole numbers 0 to 2147483647' },
		});
	});

	it('checks allocations against the usage quantity and returns them as AWS takes them', () => {
		expect(checkUsageAllocations('[{"allocatedUsageQuantity":2,"tags":{"team":"a"}},{"allocatedUsageQuantity":1}]', 3)).toEqual({
			ok: true,
			value: [{ AllocatedUsageQuantity: 2, Tags: [{ Key: 'team', Value: 'a' }] }, { AllocatedUsageQuantity: 1 }],
		});
		expect(checkUsageAllocations('', 3)).toEqual({ ok: true, value: undefined });
		expect(checkUsageAllocations([{ allocatedUsageQuantity: 2, tags: { team: 'a' } }], 3)).toMatchObject({
			ok: false,
			error: { message: expect.stringMatching(/^Usage Allocations add up to 2, not the Usage Quantity 3/) },
		});
	});
});
