import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';

import { seededRandom } from '../../../../emulator/faults';
import {
	LEASE_MS,
	RENEW_EVERY_MS,
	meterFromLedger,
	recordUsageEvents,
	type Every,
	type LedgerMeteringReport,
	type SendBatch,
	type UsageEvent,
} from '../../../../nodes/AwsMarketplaceMetering/batch';
import { HOUR_MS, deadlineOf, firstLiveHour, hourOf, monthEndOf } from '../../../../nodes/shared/ledger/hours';
import { openLedger, type MeteringLedger } from '../../../../nodes/shared/ledger';
import { openPgliteSession } from '../../../../nodes/shared/ledger/pglite';
import { SCHEMA, type SqlSession } from '../../../../nodes/shared/ledger/sql';
import { FakeClock, FakeMeteringService, dedupKey, onClock } from './fakeService';

// The metering ledger's promise, checked against a fake BatchMeterUsage that keeps the first quantity
// per key and hour: whatever the schedule, the lateness, the repeats, the crashes and the overlaps,
// every event is billed exactly once (in its hour, or carried to a later hour of its month) or
// reported expired, executions retried without event IDs count nothing twice, no key is ever
// sent with another quantity, a killed run's keys are taken over once its short lease lapses, and a
// live run, however slow, keeps its keys. With zero usage for idle hours, each hour of each license's
// life that AWS still accepted is billed exactly once: its usage, or 0; none outside it.

const HOUR = 3_600_000;
const MINUTE = 60_000;
const START = Date.parse('2026-11-22T00:07:00.000Z');
// The clock starts 30 hours later: on the last evening of November, so that runs cross the month's end.
const MONTH_END_START = Date.parse('2026-11-29T12:07:00.000Z');
// Longer than the lease a run used to take with the default options (36 minutes), which it no longer needs.
const SLOW_SEND_MS = 40 * MINUTE;
const license = (n: number) => `arn:aws:license-manager::123456789012:license:l-${String(n).padStart(32, '0')}`;
const CUSTOMERS = [0, 1, 2].map((n) => ({ productCode: 'prod-a', customerAWSAccountId: String(100000000000 + n), licenseArn: license(n) }));
const LEGACY = { productCode: 'prod-b', customerIdentifier: 'legacy-1' };

class Crash extends Error {}

type Fault = 'none' | 'afterClaim' | 'afterAnswer' | 'midBatch' | 'overlap' | 'killed' | 'slow';

const stepArbitrary = fc.record({
	advanceMinutes: fc.integer({ min: 1, max: 60 }),
	events: fc.array(
		fc.record({
			customer: fc.nat({ max: CUSTOMERS.length }),
			dimension: fc.nat({ max: 1 }),
			// Mostly current, some late by up to 30 hours.
			hoursLate: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.nat({ max: 3 }) }, { weight: 1, arbitrary: fc.nat({ max: 30 }) }),
			minute: fc.nat({ max: 59 }),
			quantity: fc.integer({ min: 0, max: 50 }),
			// Without an ID the event is known by its usage (n8n's Retry sends the same items again).
			withId: fc.boolean(),
			repeat: fc.boolean(),
		}),
		{ maxLength: 6 },
	),
	fault: fc.constantFrom<Fault>('none', 'none', 'none', 'afterClaim', 'afterAnswer', 'midBatch', 'overlap', 'killed', 'slow'),
	/** The same events recorded again, as n8n's Retry of the execution does. */
	retried: fc.boolean(),
});

// Each license's life, in minutes from the clock's start (before it, or during the run): its changes arrive in any order, some twice.
const licenseArbitrary = fc.record({
	startMinutes: fc.integer({ min: -40 * 60, max: 20 * 60 }),
	lastsMinutes: fc.option(fc.integer({ min: 1, max: 30 * 60 }), { nil: undefined }),
	repeated: fc.boolean(),
});

const scenarioArbitrary = fc.record({
	steps: fc.array(stepArbitrary, { minLength: 1, maxLength: 30 }),
	licenses: fc.array(licenseArbitrary, { minLength: CUSTOMERS.length, maxLength: CUSTOMERS.length }),
	reversed: fc.boolean(),
	identicalResend: fc.constantFrom<'success' | 'duplicateRecord'>('success', 'duplicateRecord'),
	start: fc.constantFrom(START, MONTH_END_START),
	seed: fc.integer(),
});

/** A ledger whose claim or settle dies like the process would: after doing (or before doing) its work. */
function dying(ledger: MeteringLedger, when: 'afterClaim' | 'beforeSettle'): MeteringLedger {
	return {
		...ledger,
		claim: async (options, build) => {
			const claim = await ledger.claim(options, build);
			if (when === 'afterClaim' && claim.claimed.length > 0) throw new Crash('died after claiming');
			return claim;
		},
		settle: async (...args) => {
			if (when === 'beforeSettle') throw new Crash('died before writing AWS’s answer');
			return await ledger.settle(...args);
		},
	};
}

describe('meterFromLedger and recordUsageEvents against a fake BatchMeterUsage (properties)', () => {
	let raw: SqlSession;
	let ledger: MeteringLedger;
	let folder: string;
	beforeAll(async () => {
		folder = mkdtempSync(join(tmpdir(), 'ledger-property-'));
		ledger = await openLedger({ store: 'embedded', folder });
		// The same database, for wiping it between runs.
		raw = await openPgliteSession(folder, 30_000);
	}, 120_000);
	afterAll(async () => {
		await raw?.close();
		await ledger?.close();
		rmSync(folder, { recursive: true, force: true });
	});

	it('bills every event exactly once, in its hour or carried within its month, or reports it expired; never another quantity for a key', async () => {
		await fc.assert(
			fc.asyncProperty(scenarioArbitrary, async ({ steps, licenses, reversed, identicalResend, start, seed }) => {
				await raw.query(`TRUNCATE ${SCHEMA}.usage_event, ${SCHEMA}.usage_key, ${SCHEMA}.final_report, ${SCHEMA}.license, ${SCHEMA}.license_change, ${SCHEMA}.license_arn_given`);
				const clock = new FakeClock(start + 30 * HOUR);
				// Each license's life: [from, until).
				const lives = licenses.map(({ startMinutes, lastsMinutes }) => ({
					from: clock.time + startMinutes * MINUTE,
					until: lastsMinutes === undefined ? Infinity : clock.time + (startMinutes + lastsMinutes) * MINUTE,
				}));
				const changes = CUSTOMERS.flatMap(({ licenseArn, customerAWSAccountId, productCode }, n) => {
					const started = { licenseArn, customerAWSAccountId, productCode, state: 'active' as const, happenedAt: new Date(lives[n].from), source: 'signUp' as const };
					const ended = lives[n].until === Infinity ? [] : [{ licenseArn, state: 'ended' as const, happenedAt: new Date(lives[n].until), source: 'lifecycleEvent' as const }];
					return [started, ...ended, ...(licenses[n].repeated ? [started] : [])];
				});
				for (const change of reversed ? changes.reverse() : changes) await ledger.recordLicenseChanges([change], { now: clock.now() });
				let firstRun: number | undefined;
				const timed = onClock(ledger, clock);
				const random = seededRandom(seed);
				const service = new FakeMeteringService({ clock, random, identicalResend });
				// Every quantity ever sent per key: one only, or AWS would have answered DuplicateRecord.
				const sentQuantities = new Map<string, Set<number>>();
				let sends = 0;
				let crashAfterSends = Infinity;
				const send: SendBatch = async (batch) => {
					if (sends++ >= crashAfterSends) throw new Crash('died mid-batch');
					for (const record of batch.records) {
						const key = dedupKey(batch, record);
						sentQuantities.set(key, (sentQuantities.get(key) ?? new Set()).add(record.Quantity));
					}
					return await service.send(batch);
				};
				const reports: LedgerMeteringReport[] = [];
				let recordedUnits = 0;
				let eventNumber = 0;
				const options = (claimant: string) => ({
					claimant,
					closeAfterMinutes: 10,
					zeroUsage: [{ productCode: 'prod-a', dimensions: ['requests'] }],
					now: clock.now,
					sleep: clock.sleep,
					every: clock.every,
					random,
					retryBaseDelayMs: 100,
					unprocessedRetryMaxMs: 60_000,
				});
				const meter = async (target: MeteringLedger, claimant: string, run: { send?: SendBatch; every?: Every } = {}) => {
					firstRun ??= clock.time;
					try {
						const report = await meterFromLedger(target, run.send ?? send, { ...options(claimant), ...run });
						reports.push(report);
						return report;
					} catch (error) {
						if (!(error instanceof Crash)) throw error;
						return undefined;
					}
				};
				const sendingUnder = async (claimant: string) =>
					raw.query(`SELECT key_id FROM ${SCHEMA}.usage_key WHERE state = 'sending' AND claimed_by = $1`, [claimant]);

				for (const [index, step] of steps.entries()) {
					clock.time += step.advanceMinutes * MINUTE;
					const events: UsageEvent[] = step.events.map((spec, n) => {
						const customer = spec.customer < CUSTOMERS.length ? CUSTOMERS[spec.customer] : LEGACY;
						const hour = Math.floor(clock.time / HOUR) * HOUR - spec.hoursLate * HOUR;
						// A repeat re-delivers the previous event under its ID: counted once.
						const eventId = spec.repeat && eventNumber > 0 ? `e-${eventNumber - 1}` : `e-${eventNumber++}`;
						return {
							source: { itemIndex: n },
							...(spec.withId ? { eventId } : {}),
							...customer,
							dimension: spec.dimension ? 'storage' : 'requests',
							quantity: spec.quantity,
							timestamp: new Date(Math.min(hour + spec.minute * MINUTE, clock.time)),
						};
					});
					const recorded = await recordUsageEvents(timed, events, { now: clock.now });
					recorded.forEach((outcome, n) => {
						const own = Math.floor(new Date(events[n].timestamp as Date).getTime() / HOUR) * HOUR;
						expect(['Recorded', 'DuplicateEvent', 'Expired']).toContain(outcome.status);
						if (outcome.status === 'Expired') {
							// Past its deadline, or its hour sent and the rest of its month too (a repeated ID answers as its first event).
							expect(outcome.error?.code).toBe('Expired');
							const repeated = step.events[n].repeat && step.events[n].withId;
							expect(repeated || deadlineOf(own) <= clock.time || outcome.error?.rule === 'monthSent').toBe(true);
						}
						if (outcome.status !== 'Recorded') return;
						recordedUnits += Number(events[n].quantity);
						// Never billed outside its window: in its own hour or a later one of the same month.
						expect(outcome.late).toBeUndefined();
						expect(outcome.hour!.getTime()).toBeGreaterThanOrEqual(own);
						expect(outcome.hour!.getTime()).toBeLessThan(monthEndOf(own));
					});
					if (step.retried) {
						const again = await recordUsageEvents(timed, events, { now: clock.now });
						again.forEach((outcome, n) => expect([n, outcome.status]).toEqual([n, recorded[n].status === 'Expired' ? 'Expired' : 'DuplicateEvent']));
					}

					crashAfterSends = Infinity;
					switch (step.fault) {
						case 'afterClaim':
							await meter(dying(timed, 'afterClaim'), `run-${index}`);
							break;
						case 'afterAnswer':
							await meter(dying(timed, 'beforeSettle'), `run-${index}`);
							break;
						case 'midBatch':
							crashAfterSends = sends + 1;
							await meter(dying(timed, 'beforeSettle'), `run-${index}`);
							break;
						case 'overlap':
							await Promise.all([meter(timed, `run-${index}-a`), meter(timed, `run-${index}-b`)]);
							break;
						case 'killed': {
							// Killed at its first request: no request of it comes back, and it renews nothing more.
							const claimant = `run-${index}`;
							let stopRenewing: () => void = () => undefined;
							let died: () => void = () => undefined;
							const dead = new Promise<number>((resolve) => (died = () => resolve(clock.time)));
							const killedAt = await Promise.race([
								meter(timed, claimant, {
									send: () => {
										stopRenewing();
										died();
										return new Promise(() => undefined);
									},
									every: (ms, tick) => (stopRenewing = clock.every(ms, tick)),
								}).then(() => undefined),
								dead,
							]);
							if (killedAt === undefined) break;
							const held = (await sendingUnder(claimant)).length;
							expect(held).toBeGreaterThan(0);
							// Its keys are taken over (or expired) once the lease it took at the claim has lapsed, not before.
							clock.time = killedAt + LEASE_MS - 1;
							await meter(timed, `${claimant}-early`);
							expect(await sendingUnder(claimant)).toHaveLength(held);
							clock.time = killedAt + LEASE_MS;
							await meter(timed, `${claimant}-late`);
							expect(await sendingUnder(claimant)).toEqual([]);
							break;
						}
						case 'slow': {
							// Requests that take longer than the old lease, and a run that starts once an unrenewed lease would have lapsed.
							const claimed = new Set<number>();
							const ignored: number[] = [];
							const watched: MeteringLedger = {
								...timed,
								claim: async (...args) => {
									const claim = await timed.claim(...args);
									for (const key of claim.claimed) claimed.add(key.keyId);
									return claim;
								},
								settle: async (...args) => {
									const settlement = await timed.settle(...args);
									ignored.push(...settlement.ignored);
									return settlement;
								},
							};
							// AWS takes the request at once and its answer is slow: a request that reached AWS 40 minutes after
							// it was sent (past its records' deadline) is no request a real run makes, its timeout cuts it.
							const slow: SendBatch = async (batch) => {
								const answer = await send(batch);
								await clock.sleep(SLOW_SEND_MS);
								return answer;
							};
							const [, overlap] = await Promise.all([
								meter(watched, `run-${index}`, { send: slow }),
								clock.sleep(LEASE_MS + RENEW_EVERY_MS).then(() => meter(timed, `run-${index}-overlap`)),
							]);
							expect(ignored).toEqual([]);
							expect(overlap!.keys.filter((outcome) => claimed.has(outcome.key.keyId))).toEqual([]);
							break;
						}
						default:
							await meter(timed, `run-${index}`);
					}
				}
				// Drain: past every lease and every hour's close, two clean runs.
				crashAfterSends = Infinity;
				for (let drain = 0; drain < 2; drain++) {
					clock.time += LEASE_MS + 2 * HOUR;
					await meter(timed, `drain-${drain}`);
				}

				const billedByKey = service.billedQuantities();
				const billed = [...billedByKey.values()].reduce((sum, quantity) => sum + quantity, 0);
				const keys = reports.flatMap((report) => report.keys);
				const expiredRows = await ledger.report({ states: ['expired'], limit: 100_000 });
				// A key whose run died after sending may have been billed before it expired: count what AWS did not bill.
				const unbilledExpired = expiredRows
					.filter((row) => !billedByKey.has(JSON.stringify([row.licenseArn ?? `product:${row.productCode}`, 'CustomerAWSAccountId' in row.customer ? row.customer.CustomerAWSAccountId : row.customer.CustomerIdentifier, row.dimension, row.hour.getTime() / HOUR])))
					.reduce((sum, row) => sum + Number(row.quantity), 0);
				// Exactly once: what was recorded is billed, once, or was reported expired.
				expect(billed + unbilledExpired).toBe(recordedUnits);
				// Expired keys are reported by the run that found them (unless that run died), and stay in the ledger's report.
				const expiredIds = new Set(expiredRows.map((row) => row.keyId));
				for (const outcome of keys.filter((key) => key.status === 'Expired')) expect(expiredIds.has(outcome.key.keyId)).toBe(true);
				for (const row of expiredRows) if (row.attempts === 0) expect(billedByKey.has(JSON.stringify([row.licenseArn ?? `product:${row.productCode}`, 'CustomerAWSAccountId' in row.customer ? row.customer.CustomerAWSAccountId : row.customer.CustomerIdentifier, row.dimension, row.hour.getTime() / HOUR]))).toBe(false);
				// Never another quantity for a key, so never a DuplicateRecord that loses usage.
				for (const [key, quantities] of sentQuantities) expect({ key, quantities: [...quantities] }).toEqual({ key, quantities: [[...quantities][0]] });
				expect(keys.filter((outcome) => outcome.status === 'DuplicateRecord')).toEqual([]);
				expect(service.violations).toEqual([]);
				expect(keys.filter((outcome) => !['Success', 'Expired', 'Unprocessed', 'Failed'].includes(outcome.status))).toEqual([]);
				// No live run lost a key to another: runs that die stop renewing, and they report nothing.
				expect(keys.filter((outcome) => outcome.error?.code === 'LeaseLost' || outcome.note?.includes('took this usage record over'))).toEqual([]);
				// Zero usage: each hour of each license's life, from the oldest AWS took at the first run to the last closed at the
				// end, has one key, billed once with its usage or 0 (or expired unbilled, if the run that claimed it died near its
				// deadline); no key without usage lies outside a license's life.
				const lastClosed = hourOf(clock.time - HOUR - 10 * MINUTE);
				const rows = await ledger.report({ limit: 100_000 });
				const rowOf = new Map(rows.map((row) => [`${row.licenseArn ?? row.productCode}|${row.dimension}|${row.hour.getTime()}`, row]));
				CUSTOMERS.forEach(({ licenseArn, customerAWSAccountId }, n) => {
					for (let hour = Math.max(hourOf(lives[n].from), firstLiveHour(firstRun!)); hour <= lastClosed && hour < lives[n].until; hour += HOUR_MS) {
						const row = rowOf.get(`${licenseArn}|requests|${hour}`);
						const billedQuantity = billedByKey.get(JSON.stringify([licenseArn, customerAWSAccountId, 'requests', hour / HOUR]));
						const at = { license: n, hour: new Date(hour).toISOString() };
						if (billedQuantity === undefined) expect({ ...at, state: row?.state }).toEqual({ ...at, state: 'expired' });
						else expect({ ...at, billed: billedQuantity }).toEqual({ ...at, billed: Math.ceil(Number(row?.quantity)) });
					}
				});
				for (const row of rows.filter((candidate) => candidate.events === 0 && candidate.licenseArn !== undefined)) {
					const n = CUSTOMERS.findIndex((customer) => customer.licenseArn === row.licenseArn);
					const hour = row.hour.getTime();
					expect({ hour: row.hour.toISOString(), inLife: hour + HOUR > lives[n].from && hour < lives[n].until && hour >= firstLiveHour(firstRun!) }).toEqual({ hour: row.hour.toISOString(), inLife: true });
				}
				// Nothing is left behind: every key is billed or expired.
				const left = await ledger.report({ states: ['open', 'ready', 'sending', 'notBilled'], limit: 100_000, now: clock.now(), closeAfterMinutes: 10 });
				expect(left.filter((row) => row.hour.getTime() + HOUR + 10 * MINUTE <= clock.time)).toEqual([]);
			}),
			{ numRuns: 25 },
		);
	}, 600_000);
});
