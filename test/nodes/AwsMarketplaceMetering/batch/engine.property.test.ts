import fc from 'fast-check';

import { seededRandom } from '../../../../emulator/faults';
import {
	meterUsageEvents,
	planBatches,
	type MeteringOptions,
	type MeteringReport,
	type NonIntegerQuantity,
	type UsageEvent,
} from '../../../../nodes/AwsMarketplaceMetering/batch';
import { FakeClock, FakeMeteringService, dedupKey } from './fakeService';

const HOUR = 3_600_000;
// 12:34:56.789: events of 12:44 yesterday are within 24 hours, but not once truncated to 12:00.
const NOW = Date.parse('2026-11-22T12:34:56.789Z');
const CURRENT_HOUR = Math.floor(NOW / HOUR) * HOUR;

interface Customer {
	productCode: string;
	customerAWSAccountId?: string;
	licenseArn?: string;
	customerIdentifier?: string;
	/** The id the fake service knows the customer by. */
	id: string;
}

const license = (n: number) => `arn:aws:license-manager::123456789012:license:l-${String(n).padStart(32, '0')}`;
const CUSTOMERS: Customer[] = [
	...[0, 1, 2, 3, 4].map((n) => ({
		productCode: n % 2 ? 'prod-b' : 'prod-a',
		customerAWSAccountId: String(100000000000 + n),
		licenseArn: license(n),
		id: String(100000000000 + n),
	})),
	{ productCode: 'prod-a', customerIdentifier: 'legacy-1', id: 'legacy-1' },
	{ productCode: 'prod-b', customerIdentifier: 'legacy-2', id: 'legacy-2' },
	// An account ID without its License ARN: invalid, it would be keyed apart from the license's records.
	{ productCode: 'prod-a', customerAWSAccountId: '200000000000', id: '200000000000' },
	// Special cases the fake service knows about.
	{ productCode: 'prod-a', customerAWSAccountId: '300000000000', licenseArn: license(30), id: '300000000000' },
	{ productCode: 'prod-b', customerAWSAccountId: '400000000000', licenseArn: license(40), id: '400000000000' },
	{ productCode: 'prod-a', customerAWSAccountId: '500000000000', licenseArn: license(50), id: '500000000000' },
];
const NOT_SUBSCRIBED = '300000000000';
const STUCK = '400000000000';
const BAD_LICENSE = license(50);
const DIMENSIONS = ['requests', 'storage', 'requests', 'storage', 'bad-dimension'];

const TAG_SETS: unknown[] = [
	{ team: 'data' },
	[{ key: 'team', value: 'web' }],
	[{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'data' }],
	{ env: 'prod', team: 'data' }, // the same set as the one above, in another order and form
	[{ key: 'cost center', value: 'a/b=c:d@e' }],
];
const DISTINCT_TAG_SETS = [0, 1, 2, 4];

/** Flaws each make an event invalid; 'edgeOld' only when timestamps are truncated. */
const FLAWS = [
	'quantityNegative',
	'quantityText',
	'quantityFraction',
	'quantityTooLarge',
	'tooOld',
	'edgeOld',
	'future',
	'noProduct',
	'badProduct',
	'bothCustomers',
	'noCustomer',
	'accountNotDigits',
	'badLicenseArn',
	'noDimension',
	'badTag',
	'allocationSum',
	'duplicateTagSets',
	'badTimestamp',
	'timestampWithoutZone',
] as const;
type Flaw = (typeof FLAWS)[number];

interface Spec {
	customer: number;
	dimension: number;
	hoursAgo: number;
	minute: number;
	cents: number;
	quantityForm: number;
	timestampForm: number;
	allocationSets?: number[];
	flaw?: Flaw;
}

interface Generated {
	event: UsageEvent;
	spec: Spec;
	/** Quantity in hundredths, and the dedup key, for valid events. */
	valid: boolean;
	key?: string;
	cents: number;
	customer: Customer;
}

const specArbitrary = fc.record(
	{
		customer: fc.nat({ max: CUSTOMERS.length - 1 }),
		dimension: fc.nat({ max: DIMENSIONS.length - 1 }),
		hoursAgo: fc.nat({ max: 23 }),
		minute: fc.nat({ max: 59 }),
		cents: fc.nat({ max: 100_000 }),
		quantityForm: fc.nat({ max: 2 }),
		timestampForm: fc.nat({ max: 5 }),
		allocationSets: fc.option(fc.uniqueArray(fc.constantFrom(...DISTINCT_TAG_SETS), { minLength: 1, maxLength: 3 }), { nil: undefined }),
		flaw: fc.option(fc.constantFrom(...FLAWS), { freq: 6, nil: undefined }),
	},
	{ requiredKeys: ['customer', 'dimension', 'hoursAgo', 'minute', 'cents', 'quantityForm', 'timestampForm'] },
);

function timestampIn(form: number, time: number): unknown {
	switch (form) {
		case 0:
			return new Date(time).toISOString();
		case 1:
			return Math.floor(time / 1000);
		case 2:
			return time;
		case 3:
			return new Date(time);
		case 4:
			return String(time);
		default:
			return { isValid: true, toMillis: () => time, toJSDate: () => new Date(time) };
	}
}

function quantityIn(form: number, cents: number): unknown {
	const value = cents / 100;
	return form === 0 ? value : form === 1 ? String(value) : value.toFixed(2);
}

function generate(spec: Spec, index: number, mode: NonIntegerQuantity, truncate: boolean): Generated {
	const customer = CUSTOMERS[spec.customer];
	const whole = mode === 'error' || spec.allocationSets !== undefined;
	const cents = whole ? Math.round(spec.cents / 100) * 100 : spec.cents;
	const time = CURRENT_HOUR - spec.hoursAgo * HOUR + spec.minute * 60_000 + (index % 60) * 1000;
	const quantity = cents / 100;
	const event: UsageEvent = {
		source: { itemIndex: index },
		productCode: customer.productCode,
		customerAWSAccountId: customer.customerAWSAccountId,
		customerIdentifier: customer.customerIdentifier,
		licenseArn: customer.licenseArn,
		dimension: DIMENSIONS[spec.dimension],
		quantity: quantityIn(spec.quantityForm, cents),
		timestamp: timestampIn(spec.timestampForm, Math.min(time, NOW)),
	};
	if (spec.allocationSets) {
		const sets = spec.allocationSets;
		const share = Math.floor(quantity / sets.length);
		event.usageAllocations = sets.map((set, n) => ({
			allocatedUsageQuantity: n === sets.length - 1 ? quantity - share * (sets.length - 1) : share,
			tags: TAG_SETS[set],
		}));
	}
	let valid = spec.flaw === undefined;
	switch (spec.flaw) {
		case 'quantityNegative':
			event.quantity = -5;
			break;
		case 'quantityText':
			event.quantity = 'twelve';
			break;
		case 'quantityFraction':
			event.quantity = '2.5';
			event.usageAllocations = undefined;
			valid = mode !== 'error';
			break;
		case 'quantityTooLarge':
			event.quantity = 2147483648;
			break;
		case 'tooOld':
			event.timestamp = new Date(NOW - 25 * HOUR).toISOString();
			break;
		case 'edgeOld':
			// 12:44:56 yesterday: within 24 hours, but 12:00 once truncated.
			event.timestamp = new Date(NOW - 23 * HOUR - 50 * 60_000).toISOString();
			valid = !truncate;
			break;
		case 'future':
			event.timestamp = new Date(NOW + 2 * HOUR).toISOString();
			break;
		case 'noProduct':
			event.productCode = '';
			break;
		case 'badProduct':
			event.productCode = 'prod a!';
			break;
		case 'bothCustomers':
			event.customerIdentifier = 'someone';
			event.customerAWSAccountId = '123456789012';
			break;
		case 'noCustomer':
			event.customerIdentifier = undefined;
			event.customerAWSAccountId = undefined;
			break;
		case 'accountNotDigits':
			event.customerIdentifier = undefined;
			event.customerAWSAccountId = '12345678901a';
			break;
		case 'badLicenseArn':
			event.licenseArn = 'arn:aws:license-manager::1:license/x y';
			break;
		case 'noDimension':
			event.dimension = undefined;
			break;
		case 'badTag':
			event.usageAllocations = [{ allocatedUsageQuantity: quantity, tags: { 'team~': 'x' } }];
			break;
		case 'allocationSum':
			event.usageAllocations = [{ allocatedUsageQuantity: quantity + 1, tags: { team: 'x' } }];
			break;
		case 'duplicateTagSets':
			event.usageAllocations = JSON.stringify([
				{ AllocatedUsageQuantity: 0, Tags: TAG_SETS[2] },
				{ AllocatedUsageQuantity: quantity, Tags: TAG_SETS[3] },
			]);
			break;
		case 'badTimestamp':
			event.timestamp = 'yesterday';
			break;
		case 'timestampWithoutZone':
			event.timestamp = '2026-11-22T10:00:00';
			break;
	}
	if (customer.customerAWSAccountId !== undefined && customer.licenseArn === undefined && event.customerIdentifier === undefined) valid = false;
	const eventTime = valid && spec.flaw === 'edgeOld' ? NOW - 23 * HOUR - 50 * 60_000 : Math.min(time, NOW);
	const key = valid
		? JSON.stringify([
				customer.licenseArn ?? `product:${customer.productCode}`,
				customer.id,
				event.dimension,
				Math.floor(eventTime / HOUR),
			])
		: undefined;
	return { event, spec, valid, key, cents: spec.flaw === 'quantityFraction' ? 250 : cents, customer };
}

const round = (cents: number, mode: NonIntegerQuantity) =>
	mode === 'roundUp' ? Math.ceil(cents / 100) : mode === 'roundNearest' ? Math.floor((cents + 50) / 100) : cents / 100;

interface Scenario {
	generated: Generated[];
	options: Partial<MeteringOptions>;
	unprocessedRate: number;
	processedAnywayRate: number;
	identicalResend: 'success' | 'duplicateRecord';
	seed: number;
}

const scenarioArbitrary = fc
	.record({
		specs: fc.array(specArbitrary, { maxLength: 160, size: 'max' }),
		// Many events per key: repeat some of them.
		repeats: fc.array(fc.nat(), { maxLength: 80, size: 'max' }),
		aggregate: fc.boolean(),
		truncateToHour: fc.boolean(),
		nonIntegerQuantity: fc.constantFrom<NonIntegerQuantity>('error', 'roundUp', 'roundNearest'),
		maxRequestsPerSecond: fc.integer({ min: 1, max: 10 }),
		concurrency: fc.integer({ min: 1, max: 6 }),
		unprocessedRetries: fc.integer({ min: 0, max: 6 }),
		unprocessedRate: fc.constantFrom(0, 0.1, 0.5),
		processedAnywayRate: fc.constantFrom(0, 0.5),
		identicalResend: fc.constantFrom<Scenario['identicalResend']>('success', 'duplicateRecord'),
		seed: fc.integer(),
	})
	.map(({ specs, repeats, aggregate, truncateToHour, nonIntegerQuantity, unprocessedRate, processedAnywayRate, identicalResend, seed, ...rest }): Scenario => {
		const all = specs.length ? [...specs, ...repeats.map((n) => specs[n % specs.length])] : [];
		return {
			generated: all.map((spec, index) => generate(spec, index, nonIntegerQuantity, truncateToHour)),
			options: { aggregate, truncateToHour, nonIntegerQuantity, retryBaseDelayMs: 200, ...rest },
			unprocessedRate,
			processedAnywayRate,
			identicalResend,
			seed,
		};
	});

async function run(scenario: Scenario): Promise<{ report: MeteringReport; service: FakeMeteringService; clock: FakeClock }> {
	const clock = new FakeClock(NOW);
	const random = seededRandom(scenario.seed);
	const service = new FakeMeteringService({
		clock,
		random,
		unprocessedRate: scenario.unprocessedRate,
		processedAnywayRate: scenario.processedAnywayRate,
		identicalResend: scenario.identicalResend,
		alwaysUnprocessed: new Set([STUCK]),
		notSubscribed: new Set([NOT_SUBSCRIBED]),
		badDimensions: new Set(['bad-dimension']),
		badLicenses: new Set([BAD_LICENSE]),
	});
	const report = await meterUsageEvents(
		scenario.generated.map((generated) => generated.event),
		service.send,
		{ ...scenario.options, now: clock.now, sleep: clock.sleep, random },
	);
	return { report, service, clock };
}

describe('meterUsageEvents against a fake BatchMeterUsage (properties)', () => {
	it('answers every event once, bills each key exactly its valid inputs, and never breaks a request rule', async () => {
		await fc.assert(
			fc.asyncProperty(scenarioArbitrary, async (scenario) => {
				const { report, service } = await run(scenario);
				const { generated, options } = scenario;
				const mode = options.nonIntegerQuantity!;

				// One outcome per event, in input order.
				expect(report.outcomes).toHaveLength(generated.length);

				// Invalid (Expired when past AWS's deadline) exactly for the flawed events, with a message naming a field and a rule.
				for (const [index, { valid, spec, event, customer }] of generated.entries()) {
					const outcome = report.outcomes[index];
					if (!valid) {
						// An account ID without its License ARN is refused before the timestamp is looked at.
						const licenseMissing = customer.customerAWSAccountId !== undefined && customer.licenseArn === undefined && event.customerIdentifier === undefined;
						const status = (spec.flaw === 'tooOld' || spec.flaw === 'edgeOld') && !licenseMissing ? 'Expired' : 'Invalid';
						expect({ index, flaw: spec.flaw, status: outcome.status }).toEqual({ index, flaw: spec.flaw, status });
						expect(outcome.error?.message).toMatch(/Product Code|Customer|License ARN|Dimension|Quantity|Timestamp|Allocat|Tag/);
						expect(outcome.error?.message).toMatch(/:/);
					} else {
						expect({ index, status: outcome.status }).not.toEqual({ index, status: 'Invalid' });
						expect({ index, status: outcome.status }).not.toEqual({ index, status: 'Expired' });
					}
				}

				// Requests: at most 25 records, one product, license and product-code records apart, under 1 MB,
				// no changed re-sends, no duplicate caused by a re-send.
				expect(service.violations).toEqual([]);
				for (const call of service.calls) {
					expect(new Set(call.batch.records.map((record) => record.LicenseArn === undefined)).size).toBe(1);
				}
				expect(service.maxInFlight).toBeLessThanOrEqual(options.concurrency!);

				// Rate: at most maxRequestsPerSecond starts in any one-second window.
				const times = service.calls.map((call) => call.time);
				for (const time of times) {
					expect(times.filter((other) => other > time - 1000 && other <= time).length).toBeLessThanOrEqual(options.maxRequestsPerSecond!);
				}

				// Billing per key.
				const expected = new Map<string, number>();
				const quantities = new Map<string, Set<number>>();
				for (const { valid, key, cents } of generated) {
					if (!valid) continue;
					expected.set(key!, (expected.get(key!) ?? 0) + cents);
					quantities.set(key!, (quantities.get(key!) ?? new Set()).add(round(cents, mode)));
				}
				const billed = service.billedQuantities();
				for (const key of billed.keys()) expect(expected.has(key)).toBe(true);
				const statusByKey = new Map<string, Set<string>>();
				generated.forEach(({ key }, index) => {
					if (key) statusByKey.set(key, (statusByKey.get(key) ?? new Set()).add(report.outcomes[index].status));
				});
				for (const [key, cents] of expected) {
					const statuses = [...statusByKey.get(key)!];
					if (options.aggregate) {
						// One record per key: every event of it shares one outcome.
						expect(statuses).toHaveLength(1);
						const [status] = statuses;
						const sum = round(cents, mode);
						if (status === 'Success') expect(billed.get(key)).toBe(sum);
						else if (status === 'Unprocessed' || status === 'Failed') expect([undefined, sum]).toContain(billed.get(key));
						else expect(billed.get(key)).toBeUndefined();
						expect(status).not.toBe('DuplicateRecord');
					} else if (billed.has(key)) {
						expect([...quantities.get(key)!]).toContain(billed.get(key));
					}
				}

				// Outcomes agree with what the fake service knows about each record.
				for (const [index, { valid, customer, event }] of generated.entries()) {
					if (!valid) continue;
					const { status, record, aggregatedEvents } = report.outcomes[index];
					expect(record).toBeDefined();
					expect(aggregatedEvents).toBeGreaterThanOrEqual(1);
					if (event.dimension === 'bad-dimension' || customer.licenseArn === BAD_LICENSE) expect(status).toBe('Rejected');
					else if (customer.id === NOT_SUBSCRIBED) expect(['CustomerNotSubscribed', 'Unprocessed']).toContain(status);
					else if (customer.id === STUCK) expect(status).toBe('Unprocessed');
					else expect(['Success', 'Unprocessed', 'DuplicateRecord']).toContain(status);
					if (status === 'Unprocessed') expect(report.outcomes[index].error?.message).toMatch(/unprocessed/);
				}

				// Counters: every send is a request; each planned batch's first, resends of the same records, or halves of a
				// rejected request.
				expect(report.requests).toBe(service.calls.length);
				expect(report.requests - report.retries - report.isolationRequests).toBe(report.batches.length);
			}),
			{ numRuns: 60 },
		);
	});

	it('plans the same batches, in the same order, for the same input', async () => {
		await fc.assert(
			fc.asyncProperty(scenarioArbitrary, async (scenario) => {
				const quiet = { ...scenario, unprocessedRate: 0 };
				const first = await run(quiet);
				const second = await run(quiet);
				expect(second.report.batches).toEqual(first.report.batches);
				// Same records sent in the same order when nothing is random.
				const sent = (service: FakeMeteringService) => service.calls.map((call) => call.body);
				if (scenario.options.concurrency === 1) expect(sent(second.service)).toEqual(sent(first.service));
			}),
			{ numRuns: 25 },
		);
	});

	it('keeps keys apart exactly as AWS deduplicates them when aggregating', async () => {
		await fc.assert(
			fc.asyncProperty(scenarioArbitrary, async (scenario) => {
				const { report } = await run({ ...scenario, options: { ...scenario.options, aggregate: true } });
				const keys = report.batches.flatMap((batch) => batch.records.map((record) => dedupKey(batch, record)));
				expect(new Set(keys).size).toBe(keys.length);
				const again = planBatches(report.batches.flatMap((batch) => batch.records.map((record) => ({ productCode: batch.productCode, record }))));
				expect(again).toEqual(report.batches);
			}),
			{ numRuns: 25 },
		);
	});
});
