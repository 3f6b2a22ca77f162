import {
	DEFAULT_METERING_OPTIONS,
	RateLimiter,
	UsageMeter,
	meterUsageEvents,
	summarizeReport,
	type BatchResponse,
	type MeteringOptions,
	type UsageBatch,
	type UsageEvent,
} from '../../../../nodes/AwsMarketplaceMetering/batch';
import { NOW, at, legacyEvent, license, usageEvent } from './events';
import { FakeClock, FakeMeteringService, awsError, type FakeServiceOptions } from './fakeService';

/** n license-based events of distinct customers: n distinct records. */
const distinct = (n: number, fields: (index: number) => Partial<UsageEvent> = () => ({})) =>
	Array.from({ length: n }, (_, index) =>
		usageEvent({ customerAWSAccountId: String(100000000000 + index), licenseArn: license(index), quantity: index + 1, ...fields(index) }),
	);

function setup(service: Omit<FakeServiceOptions, 'clock'> = {}) {
	const clock = new FakeClock(NOW);
	const fake = new FakeMeteringService({ clock, random: () => 0.5, ...service });
	const meter = (events: UsageEvent[], options: Partial<MeteringOptions> = {}) =>
		meterUsageEvents(events, fake.send, { now: clock.now, sleep: clock.sleep, random: () => 0.5, ...options });
	return { clock, fake, meter };
}

const statuses = (report: { outcomes: { status: string }[] }) => report.outcomes.map((outcome) => outcome.status);

describe('meterUsageEvents', () => {
	it('answers one outcome per event in input order, sharing the aggregated record and its metering record ID', async () => {
		const { meter, fake } = setup();
		const events = [usageEvent({ quantity: 2 }), usageEvent({ quantity: 'x' }), legacyEvent({ quantity: 4 }), usageEvent({ quantity: 3, timestamp: at(15, 50) })];
		const report = await meter(events);
		expect(statuses(report)).toEqual(['Success', 'Invalid', 'Success', 'Success']);
		const [first, invalid, legacy, last] = report.outcomes;
		expect(first).toMatchObject({ productCode: 'prod-a', aggregatedEvents: 2, record: { Quantity: 5 }, meteringRecordId: 'mr-1' });
		expect(last).toBe(first);
		expect(last.meteringRecordId).toBe('mr-1');
		expect(invalid).toEqual({ status: 'Invalid', productCode: 'prod-a', aggregatedEvents: 1, error: expect.objectContaining({ code: 'InvalidQuantity' }) });
		expect(legacy).toMatchObject({ aggregatedEvents: 1, record: { CustomerIdentifier: 'cust-1', Quantity: 4 } });
		expect(report).toMatchObject({ requests: 2, retries: 0 });
		expect(fake.calls.map((call) => call.body.ProductCode)).toEqual([undefined, 'prod-a']);
	});

	it('sums events added part by part as one run does, sharing one outcome per record', async () => {
		const events = [...distinct(30), usageEvent({ quantity: 'x' }), ...distinct(30, () => ({ timestamp: at(15, 40) }))];
		const whole = setup();
		const expected = await whole.meter(events);
		const parts = setup();
		const meter = new UsageMeter({ now: parts.clock.now, sleep: parts.clock.sleep, random: () => 0.5 });
		for (let first = 0; first < events.length; first += 7) meter.add(events.slice(first, first + 7));
		const report = await meter.send(parts.fake.send);
		expect(report).toEqual(expected);
		expect(parts.fake.calls.map((call) => call.body)).toEqual(whole.fake.calls.map((call) => call.body));
		// Events 0 and 31 are one customer's hour: one record, one outcome.
		expect(report.outcomes[31]).toBe(report.outcomes[0]);
		expect(report.outcomes[0].aggregatedEvents).toBe(2);
	});

	it('sends nothing when every event is invalid, and handles no events at all', async () => {
		const { meter, fake } = setup();
		expect(statuses(await meter([usageEvent({ dimension: '' })]))).toEqual(['Invalid']);
		expect(await meter([])).toEqual({ outcomes: [], requests: 0, retries: 0, isolationRequests: 0, batches: [] });
		expect(fake.calls).toHaveLength(0);
	});

	it('reports CustomerNotSubscribed and DuplicateRecord as AWS answers them', async () => {
		const { meter, fake } = setup({ notSubscribed: new Set(['100000000001']) });
		await meter(distinct(1));
		const report = await meter([...distinct(2), usageEvent({ customerAWSAccountId: '100000000000', licenseArn: license(0), quantity: 1, timestamp: at(15, 1) })], {
			aggregate: false,
		});
		expect(statuses(report)).toEqual(['Success', 'CustomerNotSubscribed', 'Success']);
		// The same quantity again is idempotent: the same metering record ID.
		expect(report.outcomes[0].meteringRecordId).toBe('mr-1');
		const duplicate = await meter([usageEvent({ customerAWSAccountId: '100000000000', licenseArn: license(0), quantity: 9 })]);
		expect(statuses(duplicate)).toEqual(['DuplicateRecord']);
		expect(fake.billed.size).toBe(1);
	});

	describe('whole-request rejections', () => {
		const names = [
			'TimestampOutOfBoundsException',
			'InvalidUsageDimensionException',
			'InvalidLicenseException',
			'InvalidTagException',
			'InvalidUsageAllocationsException',
			'InvalidCustomerIdentifierException',
		];

		it.each(names)('isolates the records behind %s by halving the request', async (name) => {
			const { meter, fake } = setup({ failWith: (batch) => (batch.records.some((record) => record.Dimension === 'bad') ? awsError(name) : undefined) });
			const events = distinct(25, (index) => (index === 6 || index === 17 ? { dimension: 'bad' } : {}));
			const report = await meter(events);
			expect(statuses(report)).toEqual(events.map((_, index) => (index === 6 || index === 17 ? 'Rejected' : 'Success')));
			expect(report.outcomes[6].error).toEqual({ code: name, message: expect.stringMatching(new RegExp(`^AWS rejected this usage record \\(${name}: .*\\)$`)) });
			// Everything else was billed once; the rejected records never were.
			expect(fake.billed.size).toBe(23);
			expect(report.requests).toBe(fake.calls.length);
			// Isolation requests are their own count, not resends: the same records were never sent twice.
			expect(report).toMatchObject({ retries: 0, isolationRequests: report.requests - 1 });
			// Halving: no request larger than half of the one it came from.
			const sizes = fake.calls.map((call) => call.batch.records.length);
			expect(sizes[0]).toBe(25);
			expect(sizes.slice(1, 3)).toEqual([13, 12]);
			expect(Math.min(...sizes)).toBe(1);
			expect(fake.violations).toEqual([]);
		});

		it('rejects every record of a request whose product code AWS does not know, without halving', async () => {
			const { meter, fake } = setup({ badProducts: new Set(['prod-x']) });
			const events = [...distinct(3, () => ({ productCode: 'prod-x' })), legacyEvent({ productCode: 'prod-x' }), legacyEvent({ productCode: 'prod-a' })];
			const report = await meter(events);
			expect(statuses(report)).toEqual(['Rejected', 'Rejected', 'Rejected', 'Rejected', 'Success']);
			expect(report.outcomes[0].error).toEqual({ code: 'InvalidProductCodeException', message: 'AWS rejected the product code (InvalidProductCodeException: InvalidProductCodeException raised by the fake service.)' });
			expect(fake.calls).toHaveLength(3);
			expect(report.retries).toBe(0);
		});
	});

	it.each(['AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException', 'DisabledApiException', 'InvalidEndpointRegionException'])(
		'stops sending on %s and marks every record not yet answered Failed',
		async (name) => {
			const { meter, fake } = setup({ failWith: () => awsError(name, 'denied') });
			const report = await meter(distinct(80), { concurrency: 1 });
			expect(fake.calls).toHaveLength(1);
			expect(new Set(statuses(report))).toEqual(new Set(['Failed']));
			expect(report.outcomes[79].error).toEqual({ code: name, message: expect.stringMatching(/^AWS refused the request \(.*: denied\.\) .*Sending stopped/) });
		},
	);

	it('lets requests already in flight finish when a fatal error stops the rest', async () => {
		const { meter, fake } = setup({ failWith: (_batch, call) => (call === 1 ? awsError('AccessDeniedException') : undefined) });
		const report = await meter(distinct(250), { concurrency: 3 });
		expect(fake.calls.length).toBeLessThanOrEqual(3);
		const answered = statuses(report).filter((status) => status === 'Success').length;
		expect(answered).toBe((fake.calls.length - 1) * 25);
		expect(statuses(report).filter((status) => status === 'Failed')).toHaveLength(250 - answered);
	});

	const transientErrors = ['ThrottlingException', 'InternalServiceErrorException', 'ECONNRESET'];
	const transient = (name: string) => (name.startsWith('E') ? Object.assign(new Error('socket hang up'), { code: name }) : awsError(name, 'slow down'));

	it.each(transientErrors)('resends a request that ended with %s after the SDK’s retries, with the same records', async (name) => {
		const { meter, fake } = setup({ failWith: (_batch, call) => (call === 1 ? transient(name) : undefined) });
		const report = await meter(distinct(75), { concurrency: 1 });
		expect(fake.calls).toHaveLength(4);
		expect(fake.calls[3].batch.records).toEqual(fake.calls[1].batch.records);
		fake.calls[3].batch.records.forEach((record, index) => expect(record).toBe(fake.calls[1].batch.records[index]));
		expect(new Set(statuses(report))).toEqual(new Set(['Success']));
	});

	it.each(transientErrors)('marks a request Failed, safe to resend, when %s outlasts every resend', async (name) => {
		const { meter, fake } = setup({ failWith: () => transient(name) });
		const report = await meter(distinct(25), { unprocessedRetries: 2 });
		expect(fake.calls).toHaveLength(3);
		expect(new Set(statuses(report))).toEqual(new Set(['Failed']));
		expect(report.outcomes[0].error).toEqual({ code: name, message: expect.stringMatching(/^The request failed after the AWS SDK's retries \(.*\) Resending is safe/) });
	});

	it('does not resend after its own request timeout: the SDK’s attempts each waited the full timeout already', async () => {
		const timeout = awsError('TimeoutError', '@smithy/node-http-handler - [ERROR] a request has exceeded the configured 30000 ms requestTimeout.');
		const { meter, fake } = setup({ failWith: () => Object.assign(timeout, { code: 'ETIMEDOUT' }) });
		const report = await meter(distinct(25));
		expect(fake.calls).toHaveLength(1);
		expect(new Set(statuses(report))).toEqual(new Set(['Failed']));
		expect(report.outcomes[0].error?.message).toMatch(/^The request got no answer in time .* It may have been metered: resending the same record later is safe/);
	});

	it('resends a dropped connection, which the SDK also names TimeoutError', async () => {
		const reset = () => Object.assign(awsError('TimeoutError', 'socket hang up'), { code: 'ECONNRESET' });
		const { meter, fake } = setup({ failWith: (_batch, call) => (call === 0 ? reset() : undefined) });
		const report = await meter(distinct(25));
		expect(fake.calls).toHaveLength(2);
		expect(new Set(statuses(report))).toEqual(new Set(['Success']));
	});

	it('uses the describeError option for errors of requests', async () => {
		const { meter } = setup({ failWith: () => awsError('ThrottlingException') });
		const report = await meter(distinct(1), { describeError: (error) => ({ code: 'X', message: `advice for ${(error as Error).name}` }) });
		expect(report.outcomes[0].error).toEqual({ code: 'X', message: 'advice for ThrottlingException' });
	});

	describe('unprocessed records', () => {
		it('re-sends the identical record objects with exponential backoff and full jitter, then reports Unprocessed', async () => {
			const { meter, fake, clock } = setup({ alwaysUnprocessed: new Set(['100000000001']) });
			const report = await meter(distinct(3), { unprocessedRetries: 4, retryBaseDelayMs: 1000, random: () => 0.5 });
			expect(statuses(report)).toEqual(['Success', 'Unprocessed', 'Success']);
			expect(report.outcomes[1].error).toEqual({
				code: 'Unprocessed',
				message: expect.stringMatching(/^AWS returned this usage record as unprocessed 5 times \(4 re-sends over \d+ s\): it is not metered yet/),
				description: expect.stringMatching(/^Resend it later, before AWS’s window closes/),
			});
			expect(fake.calls.map((call) => call.batch.records.length)).toEqual([3, 1, 1, 1, 1]);
			const stuck = report.outcomes[1].record;
			for (const call of fake.calls.slice(1)) expect(call.batch.records[0]).toBe(stuck);
			// Half of 1, 2, 4 and 8 seconds.
			expect(clock.sleeps).toEqual([500, 1000, 2000, 4000]);
			expect(report).toMatchObject({ requests: 5, retries: 4 });
		});

		it('tells onResend before each wait, so a long wait can be seen', async () => {
			const { meter } = setup({ alwaysUnprocessed: new Set(['100000000000']) });
			const waits: unknown[] = [];
			await meter(distinct(2), { unprocessedRetries: 2, retryBaseDelayMs: 1000, random: () => 0.5, onResend: (wait) => waits.push(wait) });
			expect(waits).toEqual([
				{ records: 1, resend: 1, delayMs: 500 },
				{ records: 1, resend: 2, delayMs: 1000 },
			]);
		});

		it('stops re-sending when the time budget would be exceeded', async () => {
			const { meter, fake } = setup({ alwaysUnprocessed: new Set(['100000000000']) });
			const report = await meter(distinct(1), { unprocessedRetries: 20, retryBaseDelayMs: 1000, unprocessedRetryMaxMs: 10_000, random: () => 0.999 });
			expect(statuses(report)).toEqual(['Unprocessed']);
			// Delays of about 1, 2 and 4 seconds fit in 10 s; the next (8 s) would not.
			expect(fake.calls).toHaveLength(4);
		});

		it('does not re-send at all with zero retries', async () => {
			const { meter, fake } = setup({ alwaysUnprocessed: new Set(['100000000000']) });
			expect(statuses(await meter(distinct(2), { unprocessedRetries: 0 }))).toEqual(['Unprocessed', 'Success']);
			expect(fake.calls).toHaveLength(1);
		});

		it('re-sends records AWS left out of its answer, and recognizes records echoed as copies', async () => {
			let call = 0;
			const send = async (batch: UsageBatch): Promise<BatchResponse> => {
				call++;
				// The first answer leaves the first record out; every answer echoes copies, with an empty identifier.
				const answered = call === 1 ? batch.records.slice(1) : batch.records;
				return {
					results: answered.map((record) => ({
						record: { ...record, Timestamp: new Date(record.Timestamp), CustomerIdentifier: '' },
						status: 'Success',
						meteringRecordId: `id-${record.Quantity}`,
					})),
					unprocessed: [],
				};
			};
			const clock = new FakeClock(NOW);
			const report = await meterUsageEvents(distinct(3), send, { now: clock.now, sleep: clock.sleep });
			expect(statuses(report)).toEqual(['Success', 'Success', 'Success']);
			expect(report.outcomes.map((outcome) => outcome.meteringRecordId)).toEqual(['id-1', 'id-2', 'id-3']);
			expect(report).toMatchObject({ requests: 2, retries: 1 });
		});

		it('never matches an answer without its license to another license of the same account', async () => {
			// One account with two licenses of the product (Concurrent Agreements), the same hour and quantity.
			const events = [1, 2].map((n) => usageEvent({ customerAWSAccountId: '100000000000', licenseArn: license(n), quantity: 4 }));
			const send = async (batch: UsageBatch): Promise<BatchResponse> => ({
				// The answer leaves out the license, in another order than the request's; license 2 is not subscribed.
				results: [...batch.records].reverse().map((record) => ({
					record: { ...record, LicenseArn: undefined },
					status: record.LicenseArn === license(2) ? 'CustomerNotSubscribed' : 'Success',
					meteringRecordId: record.LicenseArn === license(1) ? 'id-1' : undefined,
				})),
				unprocessed: [],
			});
			const clock = new FakeClock(NOW);
			const report = await meterUsageEvents(events, send, { now: clock.now, sleep: clock.sleep });
			expect(report.outcomes.map((outcome) => [outcome.record?.LicenseArn, outcome.status, outcome.meteringRecordId])).toEqual([
				[license(1), 'Success', 'id-1'],
				[license(2), 'CustomerNotSubscribed', undefined],
			]);
			expect(report.requests).toBe(2);
		});

		it('marks a status AWS does not define as Failed', async () => {
			const send = async (batch: UsageBatch): Promise<BatchResponse> => ({ results: batch.records.map((record) => ({ record, status: 'Pending' })), unprocessed: [] });
			const report = await meterUsageEvents(distinct(1), send, { now: () => new Date(NOW) });
			expect(report.outcomes[0]).toMatchObject({ status: 'Failed', error: { code: 'UnexpectedStatus', message: expect.stringMatching(/status "Pending"/) } });
		});
	});

	describe('against today’s service', () => {
		const yesterday = (hh: number, mm = 0) => new Date(Date.UTC(2026, 10, 21, hh, mm)).toISOString();

		it('sends usage up to 24 hours old, the oldest hours first, and refuses the hour that is 24 hours old', async () => {
			const { meter, fake } = setup();
			const events = distinct(30, (index) => ({ timestamp: index < 25 ? at(15) : yesterday(17, index) }));
			const report = await meter([...events, usageEvent({ timestamp: yesterday(16, 59), dimension: 'old' })]);
			expect(statuses(report)).toEqual([...events.map(() => 'Success'), 'Expired']);
			expect(report.outcomes[30].error?.message).toBe(
				'Not billed: Timestamp 2026-11-21T16:59:00.000Z (sent as 2026-11-21T16:00:00.000Z) is past its deadline, 2026-11-22T16:00:00.000Z (usage is accepted until 24 hours after its time)',
			);
			// The five records of yesterday's hour lead the first request, although they came last.
			const hours = fake.calls.flatMap((call) => call.batch.records.map((record) => record.Timestamp.toISOString()));
			expect(hours).toEqual([...Array(5).fill('2026-11-21T17:00:00.000Z'), ...Array(25).fill('2026-11-22T15:00:00.000Z')]);
		});

		it('checks a record’s age again before every resend: one that passed AWS’s window is Expired, never sent late', async () => {
			const { meter, fake } = setup({ alwaysUnprocessed: new Set(['100000000000']) });
			const report = await meter(distinct(2, (index) => ({ timestamp: index === 0 ? yesterday(17, 5) : at(15) })), {
				unprocessedRetries: 20,
				unprocessedRetryMaxMs: 3_600_000,
				retryBaseDelayMs: 300_000,
				random: () => 0.999,
			});
			expect(statuses(report)).toEqual(['Expired', 'Success']);
			expect(report.outcomes[0].error).toMatchObject({
				code: 'Expired',
				message: 'Not billed: Timestamp 2026-11-21T17:00:00.000Z is past its deadline, 2026-11-22T17:00:00.000Z (usage is accepted until 24 hours after its time): its deadline passed while it was being resent',
			});
			// Resent about every 5 minutes from 16:30 until its hour turned 24 hours old at 17:00.
			const deadline = Date.parse('2026-11-22T17:00:00Z');
			expect(fake.calls.length).toBe(7);
			expect(fake.calls.every((call) => call.time < deadline)).toBe(true);
			expect(fake.violations).toEqual([]);
		});

		it.each(['ValidationException', 'SerializationException', 'RequestEntityTooLargeException', '413'])(
			'isolates the record behind %s instead of resending the same request',
			async (name) => {
				const error = () => (name === '413' ? Object.assign(awsError('UnknownError', 'Request Entity Too Large'), { $metadata: { httpStatusCode: 413 } }) : awsError(name, '1 validation error detected'));
				const { meter, fake } = setup({ failWith: (batch) => (batch.records.some((record) => record.Quantity === 7) ? error() : undefined) });
				const report = await meter(distinct(8));
				expect(statuses(report)).toEqual(['Success', 'Success', 'Success', 'Success', 'Success', 'Success', 'Rejected', 'Success']);
				expect(report.outcomes[6].error?.message).toMatch(/^AWS rejected this usage record \(/);
				// 8, then 4 + 4, 2 + 2, 1 + 1: no request is sent twice unchanged.
				expect(fake.calls).toHaveLength(7);
			},
		);

		it('rejects every record of a dimension AWS does not know without isolating them one by one', async () => {
			const { meter, fake } = setup({ badDimensions: new Set(['Requests']) });
			const report = await meter(distinct(250, () => ({ dimension: 'Requests' })));
			expect(new Set(statuses(report))).toEqual(new Set(['Rejected']));
			// At most one request per planned one (ten of 25): those not yet sent when AWS answered are not sent at all.
			expect(fake.calls.length).toBeLessThanOrEqual(10);
			expect(report.outcomes[249].error?.code).toBe('InvalidUsageDimensionException');
			const skipped = report.outcomes.filter((outcome) => outcome.note?.startsWith('Not sent: AWS rejected this dimension for another usage record of this run'));
			expect(skipped.length).toBe(250 - fake.calls.length * 25);
		});

		it('stops isolating after Max Isolation Requests and reports the rest Rejected with the reason', async () => {
			const { meter, fake } = setup({ badLicenses: new Set(Array.from({ length: 50 }, (_, index) => license(index))) });
			const report = await meter(distinct(50), { maxIsolationRequests: 6, concurrency: 1 });
			expect(new Set(statuses(report))).toEqual(new Set(['Rejected']));
			expect(fake.calls.length).toBe(2 + 6);
			expect(report.outcomes.some((outcome) => /finding the offending record stopped after 6 requests \(Max Isolation Requests\)/.test(outcome.error?.message ?? ''))).toBe(true);
		});

		it('treats a DuplicateRecord answer to the resend of an unanswered record as billed, under either reading of AWS', async () => {
			for (const identicalResend of ['success', 'duplicateRecord'] as const) {
				const { meter, fake } = setup({ identicalResend, unprocessedRate: 1, processedAnywayRate: 1, random: () => 0.5 });
				// Everything is processed but answered unprocessed the first time; the resend is answered normally.
				const report = await meter(distinct(3), { unprocessedRetries: 1 });
				expect(fake.billed.size).toBe(3);
				expect(statuses(report)).toEqual(['Unprocessed', 'Unprocessed', 'Unprocessed']);
				fake.calls.length = 0;
			}
			const { meter, fake } = setup({ identicalResend: 'duplicateRecord', failWith: (_batch, call) => (call === 0 ? awsError('InternalServiceErrorException') : undefined) });
			fake.billed.set('x', { quantity: 0, id: 'x', record: undefined as never });
			const first = await meter(distinct(2));
			expect(statuses(first)).toEqual(['Success', 'Success']);
			// A genuine duplicate, with no lost answer before it, stays DuplicateRecord.
			expect(statuses(await meter(distinct(2, () => ({ quantity: 9 }))))).toEqual(['DuplicateRecord', 'DuplicateRecord']);
		});
	});

	describe('rate and concurrency', () => {
		it('never starts more than maxRequestsPerSecond requests in any second, re-sends included', async () => {
			const { meter, fake, clock } = setup({ unprocessedRate: 0.3, random: Math.random, latencyMs: 200 });
			const report = await meter(distinct(1000), { maxRequestsPerSecond: 10, concurrency: 5, unprocessedRetries: 3 });
			const times = fake.calls.map((call) => call.time);
			expect(times.length).toBeGreaterThan(40);
			for (const time of times) expect(times.filter((other) => other > time - 1000 && other <= time).length).toBeLessThanOrEqual(10);
			expect(fake.maxInFlight).toBeLessThanOrEqual(5);
			// 40 first requests at 10 a second take at least 3 seconds of the fake clock.
			expect(clock.time - NOW).toBeGreaterThanOrEqual(3000);
			expect(report.outcomes).toHaveLength(1000);
		});

		it('spaces requests for rates below one a second', async () => {
			const { meter, fake } = setup();
			await meter(distinct(100), { maxRequestsPerSecond: 0.5 });
			const times = fake.calls.map((call) => call.time - NOW);
			// 2 s apart, stretched by the limiter's 4% margin for network jitter.
			expect(times).toEqual([0, 2080, 4160, 6240]);
		});

		it('keeps at most `concurrency` requests in flight', async () => {
			const { meter, fake } = setup({ latencyMs: 300 });
			await meter(distinct(500), { concurrency: 2, maxRequestsPerSecond: 100 });
			expect(fake.maxInFlight).toBe(2);
		});

		it('RateLimiter: evenly paced starts, a little under the rate', async () => {
			const clock = new FakeClock(0);
			const limiter = new RateLimiter(3, () => clock.time, clock.sleep);
			const starts: number[] = [];
			await Promise.all(
				Array.from({ length: 7 }, () => limiter.start(async () => starts.push(clock.time), () => false).then(async (start) => (start.started ? await start.result : undefined))),
			);
			// 1000 / 3 ms apart, stretched by 4% for network jitter (the fake clock has whole milliseconds).
			const gaps = starts.slice(1).map((time, index) => time - starts[index]);
			expect(gaps.every((gap) => gap >= 1040 / 3 && gap < 1040 / 3 + 1)).toBe(true);
			for (const time of starts) expect(starts.filter((other) => other >= time && other < time + 1000).length).toBeLessThanOrEqual(3);
			const cancelled = await limiter.start(async () => 1, () => true);
			expect(cancelled).toEqual({ started: false });
		});
	});

	describe('options', () => {
		it('has the documented defaults', () => {
			expect(DEFAULT_METERING_OPTIONS).toEqual({
				aggregate: true,
				truncateToHour: true,
				maxRecordAgeHours: 24,
				maxFutureSkewMinutes: 5,
				nonIntegerQuantity: 'error',
				maxRequestsPerSecond: 10,
				concurrency: 5,
				unprocessedRetries: 5,
				unprocessedRetryMaxMs: 1_800_000,
				retryBaseDelayMs: 1000,
				maxIsolationRequests: 100,
			});
		});

		it('keeps defaults for options left undefined and ignores options of the node', async () => {
			const { meter } = setup();
			const report = await meter([usageEvent(), usageEvent()], { aggregate: undefined, output: 'summary', maxAttempts: 3 } as Partial<MeteringOptions>);
			expect(report.outcomes[0].aggregatedEvents).toBe(2);
		});

		it.each([
			[{ maxRecordAgeHours: 25 }, /^Option maxRecordAgeHours must be 1 to 24, not 25$/],
			[{ maxRecordAgeHours: 0 }, /maxRecordAgeHours must be 1 to 24/],
			[{ concurrency: 0 }, /^Option concurrency must be a whole number at least 1, not 0$/],
			[{ concurrency: 1.5 }, /concurrency must be a whole number/],
			[{ maxRequestsPerSecond: 0 }, /maxRequestsPerSecond must be/],
			[{ unprocessedRetries: -1 }, /unprocessedRetries must be/],
			[{ unprocessedRetryMaxMs: NaN }, /unprocessedRetryMaxMs must be/],
			[{ maxFutureSkewMinutes: -1 }, /maxFutureSkewMinutes must be/],
			[{ retryBaseDelayMs: -1 }, /retryBaseDelayMs must be/],
			[{ nonIntegerQuantity: 'truncate' }, /^Option nonIntegerQuantity must be one of error, roundUp, roundNearest, not truncate$/],
		])('refuses %j before sending anything', async (options, message) => {
			const { meter, fake } = setup();
			await expect(meter([usageEvent()], options as Partial<MeteringOptions>)).rejects.toThrow(message);
			expect(fake.calls).toHaveLength(0);
		});

		it('applies maxRecordAgeHours and maxFutureSkewMinutes', async () => {
			const { meter } = setup({ maxAgeHours: 24 });
			const events = [usageEvent({ timestamp: at(6) }), usageEvent({ timestamp: at(16, 40), dimension: 'd2' })];
			expect(statuses(await meter(events, { maxRecordAgeHours: 6 }))).toEqual(['Expired', 'Invalid']);
			expect(statuses(await meter(events, { maxFutureSkewMinutes: 15 }))).toEqual(['Success', 'Success']);
		});

		it('sends timestamps as given without truncation', async () => {
			const { meter, fake } = setup();
			await meter([usageEvent({ timestamp: '2026-11-22T15:10:20.500Z' })], { truncateToHour: false });
			expect(fake.calls[0].body.UsageRecords[0].Timestamp).toBe(Date.parse('2026-11-22T15:10:20.500Z') / 1000);
		});

		it('rounds non-integer quantities when asked to', async () => {
			const { meter } = setup();
			const events = [usageEvent({ quantity: 1.2 }), usageEvent({ quantity: '1.2' })];
			expect(statuses(await meter(events))).toEqual(['Invalid', 'Invalid']);
			expect((await meter(events, { nonIntegerQuantity: 'roundNearest' })).outcomes[0].record?.Quantity).toBe(2);
			expect((await meter(events, { nonIntegerQuantity: 'roundUp', aggregate: false, truncateToHour: false })).outcomes.map((outcome) => outcome.record?.Quantity)).toEqual([2, 2]);
		});
	});
});

describe('summarizeReport', () => {
	it('counts events per status and sums the metered quantity per product and dimension, each record once', async () => {
		const { meter } = setup({ notSubscribed: new Set(['100000000002']) });
		const report = await meter([
			...distinct(3),
			usageEvent({ customerAWSAccountId: '100000000000', licenseArn: license(0), quantity: 10 }),
			usageEvent({ dimension: 'storage', quantity: 7 }),
			legacyEvent({ productCode: 'prod-b', quantity: 4 }),
			usageEvent({ quantity: -1 }),
		]);
		expect(summarizeReport(report)).toEqual({
			events: 7,
			statuses: { Success: 5, CustomerNotSubscribed: 1, DuplicateRecord: 0, Unprocessed: 0, Expired: 0, Invalid: 1, Rejected: 0, Failed: 0 },
			metered: [
				{ productCode: 'prod-a', dimension: 'requests', quantity: 13, records: 2 },
				{ productCode: 'prod-a', dimension: 'storage', quantity: 7, records: 1 },
				{ productCode: 'prod-b', dimension: 'requests', quantity: 4, records: 1 },
			],
			recordsSent: 5,
			requests: 2,
			retries: 0,
			isolationRequests: 0,
		});
	});
});
