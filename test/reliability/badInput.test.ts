import fc from 'fast-check';

import { emulatorCredential } from '../helpers/credentials';
import { useEmulator } from '../helpers/emulator';
import { usageEvents } from '../helpers/usage';
import { runNode } from '../helpers/workflow';

const FIELDS = /productCode|customerIdentifier|customerAWSAccountId|licenseArn|dimension|quantity|timestamp|usageAllocations|allocat|tag|Product Code|Customer|License|Dimension|Quantity|Timestamp|Allocation|Tag/i;

// Malformed and edge-case values for every field of a usage record.
const junk = fc.oneof(
	fc.constant(undefined),
	fc.constant(null),
	fc.constant(''),
	fc.constant(' '),
	fc.string(),
	fc.string({ unit: 'grapheme', maxLength: 300 }),
	fc.string({ minLength: 256, maxLength: 2000 }),
	fc.integer(),
	fc.double(),
	fc.constantFrom(NaN, Infinity, -Infinity, -1, 0.5, 2147483648, Number.MAX_SAFE_INTEGER, 1e308, -0),
	fc.boolean(),
	fc.array(fc.anything(), { maxLength: 3 }),
	fc.object({ maxDepth: 2 }),
	fc.date({ noInvalidDate: false }),
);

const allocations = fc.oneof(
	junk,
	fc.array(
		fc.record(
			{
				allocatedUsageQuantity: fc.oneof(fc.integer({ min: -5, max: 30 }), junk),
				tags: fc.oneof(
					fc.dictionary(fc.string({ maxLength: 120 }), fc.string({ maxLength: 300 }), { maxKeys: 8 }),
					fc.array(fc.record({ key: junk, value: junk }), { maxLength: 7 }),
					junk,
				),
			},
			{ requiredKeys: [] },
		),
		{ maxLength: 4 },
	),
);

describe('reliability: bad input', () => {
	const emulator = useEmulator();

	it('turns 10,000 malformed items into one clear error each, and never sends AWS an invalid request', async () => {
		const valid = usageEvents({ count: 1, customers: 1, seed: 3 })[0];
		const hour = 3600_000;
		const fields: Record<string, fc.Arbitrary<unknown>> = {
			productCode: junk,
			customerIdentifier: junk,
			customerAWSAccountId: fc.oneof(junk, fc.constantFrom('123', '0123456789012', '12345678901a')),
			licenseArn: fc.oneof(junk, fc.constant('arn:aws:license-manager::1:license/x')),
			dimension: junk,
			quantity: junk,
			timestamp: fc.oneof(junk, fc.constantFrom(Date.now() - 48 * hour, Date.now() + 2 * hour, 0, '2020-01-01T00:00:00Z', 'not a date')),
			usageAllocations: allocations,
		};
		// Each item starts valid and breaks one to three fields, so every field's rule is reached.
		const item = fc
			.subarray(Object.keys(fields), { minLength: 1, maxLength: 3 })
			.chain((broken) => fc.tuple(...broken.map((name) => fields[name])).map((values) => {
				const record: Record<string, unknown> = { ...valid };
				broken.forEach((name, index) => (record[name] = values[index]));
				return record;
			}));
		const items = fc.sample(item, { numRuns: 10_000, seed: 42 });

		const { outputs, error } = await runNode({
			parameters: { operation: 'batchMeterUsage', options: { maxRequestsPerSecond: 100, unprocessedRetries: 0 } },
			credentials: emulatorCredential(emulator()),
			items,
			onError: 'continueErrorOutput',
		});
		expect(error).toBeUndefined();
		const [metered, failed] = outputs;

		// Every item exactly once, across both outputs.
		const seen = [...metered, ...failed].map((out) => (out.pairedItem as { item: number }).item).sort((a, b) => a - b);
		expect(seen).toEqual(items.map((_, index) => index));

		// Every error names its item, a field and the rule it breaks.
		for (const out of failed) {
			const message = String(out.json.error);
			expect(message.endsWith(`[item ${(out.pairedItem as { item: number }).item}]`)).toBe(true);
			expect(message).toMatch(FIELDS);
			expect(message.length).toBeGreaterThan(25);
		}
		expect(failed.length).toBeGreaterThan(9000);

		// The emulator enforces the service model: it saw no request that breaks it.
		const invalidRequests = emulator().log.filter((entry) => entry.httpStatus !== 200 || entry.validationErrors?.length);
		expect(invalidRequests).toEqual([]);
	});
});
