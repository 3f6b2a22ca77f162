// The queue-mode proof on real n8n (`npm run test:queue`; QUEUE_SEED=N makes a run's events again, E2E_KEEP=1 keeps
// its temporary folder): n8n main, two `n8n worker`s, Redis and PostgreSQL (scripts/queue/stack.ts). Two production
// webhook calls meter overlapping usage at the same time (the main process enqueues them, the two workers run them
// in parallel), runs with Source = Usage in the Ledger send what the metering runs left, and the cases prove exactly
// once: what the emulator billed per key is the sum of the distinct events, no key was ever sent with two
// quantities, nothing was answered DuplicateRecord.
//
// PostgreSQL and Redis stop and the temporary folders go in afterAll, and also when jest ends on a failure, Ctrl-C
// or SIGTERM (installCleanup, scripts/e2e/lib/proc.ts). npm runs jest itself: no tsx CLI in between, which kills
// its child with SIGKILL 60 ms after relaying Ctrl-C, before that cleanup is done.
import { processUser } from '../../scripts/queue/services';
import { QueueStack, executionsOf, post, query, readLedger, workerOf } from '../../scripts/queue/stack';
import { HOUR_MS, METER_CLOSE_AFTER_MINUTES, billingKey, hourOf, isClosed } from '../../scripts/queue/usage';
import { METER_PATH } from '../../scripts/queue/workflows';
import { table } from '../../scripts/e2e/lib/table';
import { ExactlyOnce } from './queue/exactlyOnce';
import { NONE, found } from './queue/items';
import { LATE, OTHER_HOURS, OVERLAPPING, QueueProof, ROUNDS, explained, progress, type DrainTitle, type Round } from './queue/proof';

/** QUEUE_SEED, or a new one: the run prints it, so that a failure can be replayed with the same events. */
function queueSeed(): number {
	const given = process.env.QUEUE_SEED;
	if (given === undefined || given === '') return Date.now() % 100_000;
	if (!/^\d+$/.test(given)) throw new Error(`QUEUE_SEED must be a whole number, not "${given}"`);
	return Number(given);
}

const stack = new QueueStack(process.env.E2E_KEEP === '1', progress);
const proof = new QueueProof(stack, queueSeed());

// The first run installs n8n: about 6 minutes more than the 2 once it is in .e2e-cache.
beforeAll(async () => {
	progress(`seed ${proof.seed} (QUEUE_SEED=${proof.seed} npm run test:queue makes the same events)`);
	await explained(stack, async () => await stack.start());
	proof.begin();
}, 15 * 60_000);

afterAll(async () => {
	await stack.stop();
}, 2 * 60_000);

describe('n8n in queue mode: main and two workers on Redis and PostgreSQL', () => {
	test('Redis runs as an unprivileged user', () => {
		const user = processUser(stack.running.redis.pid);
		expect(user).toBeDefined();
		expect(user).not.toBe('root');
	});

	test('PostgreSQL runs as an unprivileged user', () => {
		const pid = stack.running.postgres.pid();
		expect(pid).toBeDefined();
		const user = processUser(pid!);
		expect(user).toBeDefined();
		expect(user).not.toBe('root');
	});

	test('n8n keeps its database on the PostgreSQL server (DB_TYPE=postgresdb)', async () => {
		const tables = await query(stack.running.n8nUrl, `SELECT tablename FROM pg_tables WHERE tablename = 'execution_entity'`);
		expect(tables).toHaveLength(1);
	});
});

/** Two executions at once, each with one of the round's overlapping deliveries. */
function describeRound(round: Round): void {
	describe(`two executions at once: ${round.title}`, () => {
		beforeAll(async () => {
			await explained(stack, async () => await proof.meterAtOnce(round));
		});
		const result = () => proof.roundResult(round);

		test('both production webhook calls are answered HTTP 200', () => {
			expect(result().answers.map((answer) => answer.status)).toEqual([200, 200]);
		});

		test('each answer has one item per input event (and one per other key it sent)', () => {
			const { answers, deliveries } = result();
			// On failure, what n8n answered instead.
			const short = [deliveries.first, deliveries.second].map((events, call) => (answers[call].items.length >= events.length ? 'enough' : answers[call].text.slice(0, 300)));
			expect(short).toEqual(['enough', 'enough']);
		});

		test('n8n’s database holds two new executions, both production webhook runs, both successful', () => {
			expect(result().executions.map((row) => [row.mode, row.status])).toEqual([
				['webhook', 'success'],
				['webhook', 'success'],
			]);
		});

		test('the two executions ran on different workers (the workers’ logs)', () => {
			const { ranOn } = result();
			expect(ranOn).toEqual([expect.any(Number), expect.any(Number)]);
			expect(ranOn[0]).not.toBe(ranOn[1]);
		});

		test('they ran at the same time (their start–stop times in n8n’s database overlap)', () => {
			const [a, b] = result().executions;
			const times = [a?.startedAt, a?.stoppedAt, b?.startedAt, b?.stoppedAt];
			expect(times).toEqual([expect.any(Date), expect.any(Date), expect.any(Date), expect.any(Date)]);
			expect(a.startedAt! < b.stoppedAt! && b.startedAt! < a.stoppedAt!).toBe(true);
		});

		test('every input item is Success, Recorded or DuplicateEvent (no error, no DuplicateRecord)', () => {
			const unexpected = result().outcomes.filter(({ item }) => !['Success', 'Recorded', 'DuplicateEvent'].includes(String(item.status)) || item.error !== undefined);
			expect(found(unexpected)).toEqual(NONE);
		});

		// Every event ID is counted by exactly one of the two executions; the other, or a repeat, says DuplicateEvent.
		test('each distinct event ID was counted by exactly one execution (the other, or a repeat, answered DuplicateEvent)', () => {
			const { outcomes, deliveries } = result();
			const countedBy = new Map<string, number>();
			for (const { event, item } of outcomes) if (item.status !== 'DuplicateEvent') countedBy.set(event.eventId, (countedBy.get(event.eventId) ?? 0) + 1);
			const miscounted = deliveries.distinct.filter((event) => countedBy.get(event.eventId) !== 1).map((event) => `${event.eventId}: ${countedBy.get(event.eventId) ?? 0}`);
			expect(found(miscounted)).toEqual(NONE);
		});

		if (round.late) {
			test('every late event is reported carried from its own hour, which was already billed', () => {
				const notCarried = result().outcomes.filter(({ event, item }) => item.status !== 'DuplicateEvent' && item.carriedFrom !== new Date(hourOf(event.timestamp)).toISOString());
				expect(found(notCarried)).toEqual(NONE);
			});
		} else {
			// Hours still open for the metering runs are recorded, never sent by them.
			test(`the events of hours not closed for these runs (${METER_CLOSE_AFTER_MINUTES} minutes) are Recorded, not sent`, () => {
				const { outcomes, ended } = result();
				const early = outcomes.filter(({ event, item }) => item.status !== 'DuplicateEvent' && !isClosed(hourOf(event.timestamp), ended, METER_CLOSE_AFTER_MINUTES));
				expect(early.length).toBeGreaterThan(0);
				expect(found(early.filter(({ item }) => item.status !== 'Recorded' || item.carriedFrom !== undefined))).toEqual(NONE);
			});
		}

		// Which execution answered which call is not known here; the ledger's claimed_by names them (exactly once, below).
		test('no key was reported sent by both executions', () => {
			const [sentA, sentB] = result().sentByCall;
			expect([...sentA].filter((key) => sentB.has(key))).toEqual([]);
		});

		test('... and none an earlier run sent', () => {
			const { sentByCall, sentBefore } = result();
			expect(sentByCall.flatMap((sent) => [...sent]).filter((key) => sentBefore.has(key))).toEqual([]);
		});
	});
}

/** A run of the workflow with Source = Usage in the Ledger. */
function describeDrain(title: DrainTitle, more?: () => void): void {
	describe(`a run with Source = Usage in the Ledger, ${title}`, () => {
		beforeAll(async () => {
			await explained(stack, async () => await proof.drain(title));
		});
		const result = () => proof.drainResult(title);

		test('its webhook is answered HTTP 200', () => {
			expect(result().answer.status).toBe(200);
		});

		test('every key it reports is Success (no error, no DuplicateRecord)', () => {
			expect(found(result().items.filter((item) => item.status !== 'Success' || item.error !== undefined))).toEqual(NONE);
		});

		test('it sent no key an earlier run sent', () => {
			const { sent, sentBefore } = result();
			expect([...sent].filter((key) => sentBefore.has(key))).toEqual([]);
		});

		more?.();
	});
}

describeRound(OVERLAPPING);
describeDrain('after the first overlapping deliveries', () => {
	// The hour the metering runs only recorded, sent now by the ledger run: all its events were in before.
	test('it sent the keys of the hour the metering runs only recorded', () => {
		const { deliveries } = proof.roundResult(OVERLAPPING);
		const recordedOnly = deliveries.distinct.filter((event) => hourOf(event.timestamp) === deliveries.openHour - 2 * HOUR_MS).map((event) => billingKey(event, hourOf(event.timestamp)));
		expect(recordedOnly.length).toBeGreaterThan(0);
		const { sent } = proof.drainResult('after the first overlapping deliveries');
		expect([...new Set(recordedOnly)].filter((key) => !sent.has(key))).toEqual([]);
	});
});
describeRound(OTHER_HOURS);
describeRound(LATE);
describeDrain('to finish');

describe('exactly once: the ledger, what AWS billed and what it received', () => {
	let view: ExactlyOnce | undefined;
	let ledgerEvents = 0;
	let distinctEvents = 0;
	beforeAll(async () => {
		const { ledgerUrl, emulator } = stack.running;
		const { keys, events } = await readLedger(ledgerUrl);
		const { started, ended } = proof.drainResult('to finish');
		const delivered = proof.events();
		[ledgerEvents, distinctEvents] = [events.length, delivered.distinct.length];
		view = new ExactlyOnce({ keys, events, billed: emulator.stats().billed, requests: [...emulator.log], ...delivered, drainStarted: started, drainEnded: ended });
		const carriedOnTime = view.carriedOnTime().length;
		progress(
			carriedOnTime === 0
				? 'no event of the overlapping rounds was carried: each was recorded before its hour was claimed'
				: `${carriedOnTime} events of the overlapping rounds were recorded after the other execution had claimed their hour (frozen its quantity) and were carried to the next hour not yet sent`,
		);
		progress(`late usage: ${view.lateUsage()}; keys per execution that claimed and sent them (the ledger's claimed_by): ${JSON.stringify(view.claimants())}`);
		process.stdout.write(`\n${table(['hour (UTC)', 'keys', 'events of the hour', 'in the ledger', 'billed', 'state'], view.perHour())}\n\n`);
	});
	const exactlyOnce = () => {
		if (!view) throw new Error('the ledger and the emulator were not read: see the failure of this block’s beforeAll');
		return view;
	};

	test('the ledger holds each distinct event once, with its quantity, and nothing else', () => {
		expect(ledgerEvents).toBe(distinctEvents);
		expect(found(exactlyOnce().eventsNotAsDelivered())).toEqual(NONE);
	});

	test('each ledger key’s quantity is the sum of the events counted in it', () => {
		expect(found(exactlyOnce().keysNotTheirEventsSum())).toEqual(NONE);
	});

	// Late usage never reopens a billed hour: it goes to a later hour of the same license, customer and dimension.
	test('every carried event went to a later hour of its own license, customer and dimension', () => {
		expect(found(exactlyOnce().wronglyCarried())).toEqual(NONE);
	});

	test('every late event was carried', () => {
		expect(found(exactlyOnce().lateNotCarried())).toEqual(NONE);
	});

	// AWS's billing per key is the ledger's frozen quantity: the sum of the distinct events of the key.
	test('per usage key, the emulator billed the sum of the distinct events (by event ID) the ledger counted in it, and no key of an open hour', () => {
		const { wrong, skipped, closed, open } = exactlyOnce().billingPerKey();
		progress(`${closed} closed keys, ${open} open${skipped.length ? `; left out, their hour closed while the last ledger run ran: ${skipped.join(', ')}` : ''}`);
		expect(found(wrong)).toEqual(NONE);
	});

	test('the emulator billed no key the ledger does not hold', () => {
		expect(exactlyOnce().billedOutsideLedger()).toEqual([]);
	});

	test('per usage key of the events’ own hour, the emulator billed the sum of its distinct events by event ID (the keys none of whose events was carried)', () => {
		const { keys, disturbed, wrong } = exactlyOnce().billedPerKeyOfOwnHour();
		if (keys === 0) progress('every closed key had events carried from or to it this time: the keys are checked through the ledger above');
		else if (disturbed > 0) progress(`${keys} keys; the ${disturbed} that events were carried from or to are checked through the ledger above`);
		expect(found(wrong)).toEqual(NONE);
	});

	// Per license, customer and dimension: every unit is billed once or waits in an hour not closed yet.
	test('per license, customer and dimension, the distinct events add up to what was billed plus what waits in open hours: nothing lost, nothing twice', () => {
		const { series, unbalanced } = exactlyOnce().unbalancedSeries();
		expect(series).toBeGreaterThan(0);
		expect(found(unbalanced)).toEqual(NONE);
	});

	test('the hour in progress was not sent (its keys wait in the ledger)', () => {
		const { keys, notWaiting } = exactlyOnce().hourInProgress();
		expect(keys).toBeGreaterThan(0);
		expect(found(notWaiting)).toEqual(NONE);
	});

	test('no key was ever sent with two quantities (the emulator’s request log)', () => {
		const { requests, records, quantities } = exactlyOnce().recordsSent();
		progress(`the emulator received ${requests} BatchMeterUsage requests with ${records} records`);
		const twoQuantities = [...quantities].filter(([, sent]) => sent.size > 1).map(([id, sent]) => `${id}: ${[...sent].join(', ')}`);
		expect(twoQuantities).toEqual([]);
	});

	test('each key was sent in one record only: no execution sent a key another one had claimed', () => {
		const { records, quantities } = exactlyOnce().recordsSent();
		expect(records).toBe(quantities.size);
	});

	test('every request was answered HTTP 200', () => {
		expect(exactlyOnce().requestsNotAnswered200()).toEqual([]);
	});

	test('no DuplicateRecord: not in n8n’s output, not in the ledger', () => {
		const { ledger, output } = exactlyOnce().duplicateRecords();
		expect({ ledger, output: found(output) }).toEqual({ ledger: [], output: NONE });
	});

	test('every key was sent in one attempt', () => {
		expect(found(exactlyOnce().billedInMoreThanOneAttempt())).toEqual(NONE);
	});
});

describe('the first delivery of the first round again (a re-delivered webhook)', () => {
	let redelivery: { billedBefore: unknown; requestsBefore: number; status: number; items: Array<Record<string, unknown>>; events: number } | undefined;
	beforeAll(async () => {
		const { main, emulator } = stack.running;
		const events = proof.roundResult(OVERLAPPING).deliveries.first;
		const billedBefore = emulator.stats().billed;
		const requestsBefore = emulator.log.length;
		const answer = await explained(stack, async () => await post(`${main.url}/webhook/${METER_PATH}`, { events }));
		redelivery = { billedBefore, requestsBefore, status: answer.status, items: answer.items, events: events.length };
	});
	const result = () => {
		if (!redelivery) throw new Error('the webhook was not delivered again: see the failure of this block’s beforeAll');
		return redelivery;
	};

	test('the re-delivery is answered HTTP 200', () => {
		expect(result().status).toBe(200);
	});

	test('every event of the re-delivery is a DuplicateEvent', () => {
		const { items, events } = result();
		expect(items).toHaveLength(events);
		expect(found(items.filter((item) => item.status !== 'DuplicateEvent'))).toEqual(NONE);
	});

	test('... nothing more was billed and nothing was sent', () => {
		const { emulator } = stack.running;
		expect(emulator.stats().billed).toStrictEqual(result().billedBefore);
		expect(emulator.log.length).toBe(result().requestsBefore);
	});
});

// Two executions per round, two ledger runs, the re-delivery.
const EXECUTIONS = ROUNDS.length * 2 + 3;

describe('the run as a whole', () => {
	test(`all ${EXECUTIONS} executions succeeded, each on a worker, none on the main process`, async () => {
		const { main, workers, n8nUrl } = stack.running;
		const all = await executionsOf(n8nUrl);
		const where = all.map((row) => workerOf(workers, row.id));
		progress(`executions per worker: ${[1, 2].map((worker) => where.filter((ranOn) => ranOn === worker).length).join(' and ')}`);
		expect(all).toHaveLength(EXECUTIONS);
		const wrong = all.map((row, index) => ({ ...row, worker: where[index] })).filter((row) => row.status !== 'success' || row.worker === undefined);
		expect(wrong.map((row) => `${row.id} ${row.workflowId} ${row.status} worker ${row.worker ?? '?'}`)).toEqual([]);
		expect(main.output()).not.toMatch(/Worker started execution/);
	});

	test('stopping the stack stops every process it started (n8n main, both workers, Redis, PostgreSQL)', async () => {
		expect(await stack.stop()).toEqual([]);
	});
});
