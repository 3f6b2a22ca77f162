// The queue-mode proof's rounds and runs, and what the cases share: each round is two production webhook calls at
// once (the main process enqueues them, the two workers run them in parallel), each ledger run one call of the
// workflow with Source = Usage in the Ledger. The cases in queue.e2e.ts check what they did.
import type { QueueStack, Answer, ExecutionRow, Json } from '../../../scripts/queue/stack';
import { emulatorConfig, executionsOf, post, workerOf } from '../../../scripts/queue/stack';
import { DRAIN_CLOSE_AFTER_MINUTES, makeDeliveries, sumsByKey, type Customer, type Deliveries, type DeliveryPlan } from '../../../scripts/queue/usage';
import { DRAIN_PATH, METER_PATH, meterWorkflow } from '../../../scripts/queue/workflows';
import { eventOutcomes, sentKeys, type Outcome } from './items';

export interface Round extends DeliveryPlan {
	title: string;
	/** The events are late: their hours were billed by earlier runs. */
	late?: boolean;
}

// Overlapping deliveries: hours the metering runs send at once (3 or more before the current one), the hour 2
// before (which they only record: it stays open for them, and a ledger run sends it) and the hour in progress.
// Again in other hours; then late usage for the hours already billed, again delivered twice at once: the ledger
// carries it to a later hour.
export const OVERLAPPING: Round = { label: 'a', hoursBack: [6, 4, 2], openHour: true, title: 'overlapping deliveries' };
export const OTHER_HOURS: Round = { label: 'b', hoursBack: [5, 3], openHour: true, title: 'overlapping deliveries in other hours' };
export const LATE: Round = { label: 'late', hoursBack: [6, 5, 4, 3, 2], openHour: false, title: 'late usage for the hours already billed', late: true };
export const ROUNDS = [OVERLAPPING, OTHER_HOURS, LATE];
/** The ledger runs, in order: one between the first two rounds, one after the last. */
export const DRAINS = ['after the first overlapping deliveries', 'to finish'] as const;
export type DrainTitle = (typeof DRAINS)[number];

// The emulator's subscribed customers with a License ARN: products listed since 2024 meter by account ID and license.
const CUSTOMERS: Customer[] = (emulatorConfig().customers ?? [])
	.filter((customer) => customer.licenseArn)
	.map(({ customerAWSAccountId, licenseArn, productCode }) => ({ customerAWSAccountId, licenseArn: licenseArn!, productCode }));
const DIMENSIONS = ['api_calls', 'storage_gb', 'users'];

export interface RoundResult {
	round: Round;
	deliveries: Deliveries;
	answers: [Answer, Answer];
	/** When both calls were answered. */
	ended: number;
	/** The executions of the metering workflow n8n stored since the previous round. */
	executions: ExecutionRow[];
	/** The worker (1 or 2) each of them ran on, from the workers' logs. */
	ranOn: Array<number | undefined>;
	/** Per input event of both calls, the item answered for it. */
	outcomes: Outcome[];
	/** The keys each call's execution reported sent. */
	sentByCall: [Set<string>, Set<string>];
	/** The keys runs before this round sent. */
	sentBefore: Set<string>;
}

export interface DrainResult {
	answer: Answer;
	/** The items for keys (with nothing to send the node's answer has none). */
	items: Json[];
	sent: Set<string>;
	sentBefore: Set<string>;
	started: number;
	ended: number;
}

const began = Date.now();
/** A progress line: jest shows a case's name only once it ended. */
export const progress = (message: string) => process.stdout.write(`      ${message} (${Math.round((Date.now() - began) / 1000)} s)\n`);

const clock = (date: Date | null) => date?.toISOString().slice(11, 23) ?? '?';
const hhmm = (hour: number | string) => new Date(hour).toISOString().slice(11, 16);

/** What the cases share: the stack, and what each round and ledger run did, by name. */
export class QueueProof {
	/** One reference time for every round, so that an hour ending between two rounds does not move their hours. */
	private reference?: number;
	/** The executions already accounted for. */
	private readonly seen = new Set<string>();
	private readonly rounds = new Map<Round, RoundResult>();
	private readonly drains = new Map<DrainTitle, DrainResult>();

	constructor(
		readonly stack: QueueStack,
		readonly seed: number,
	) {}

	/** Once the stack runs: the rounds' hours count from now. */
	begin(): void {
		this.reference = Date.now();
	}

	roundResult(round: Round): RoundResult {
		const result = this.rounds.get(round);
		if (!result) throw new Error(`the round "${round.title}" did not complete: see its failure above`);
		return result;
	}

	drainResult(title: DrainTitle): DrainResult {
		const result = this.drains.get(title);
		if (!result) throw new Error(`the ledger run "${title}" did not complete: see its failure above`);
		return result;
	}

	private sentSoFar(): Set<string> {
		return new Set([...[...this.rounds.values()].flatMap((result) => result.sentByCall.flatMap((sent) => [...sent])), ...[...this.drains.values()].flatMap((drain) => [...drain.sent])]);
	}

	/** Two production webhook calls at once, each with one of the round's two overlapping deliveries. */
	async meterAtOnce(round: Round): Promise<RoundResult> {
		if (this.reference === undefined) throw new Error('the rounds begin once the stack runs');
		const { main, workers, n8nUrl } = this.stack.running;
		const deliveries = makeDeliveries(CUSTOMERS, DIMENSIONS, this.reference, this.seed, round);
		const { first, second, distinct, shared } = deliveries;
		const hours = [...deliveries.closedHours, ...(round.openHour ? [deliveries.openHour] : [])];
		progress(
			`${round.title}: ${first.length} and ${second.length} events at once (${shared.size} event IDs in both, one repeated within each), ` +
				`${distinct.length} distinct, ${sumsByKey(distinct).size} usage keys, hours ${hours.map(hhmm).join(', ')} UTC`,
		);
		const sentBefore = this.sentSoFar();
		const meterUrl = `${main.url}/webhook/${METER_PATH}`;
		const answers = await Promise.all([post(meterUrl, { events: first }), post(meterUrl, { events: second })]);
		const ended = Date.now();
		const executions = (await executionsOf(n8nUrl, meterWorkflow().id)).filter((row) => !this.seen.has(row.id));
		for (const row of executions) this.seen.add(row.id);
		const ranOn = executions.map((row) => workerOf(workers, row.id));
		progress(executions.map((row, index) => `execution ${row.id} on worker ${ranOn[index] ?? '?'}, ${clock(row.startedAt)}–${clock(row.stoppedAt)}`).join('; '));
		const outcomes = [...eventOutcomes(answers[0].items, first), ...eventOutcomes(answers[1].items, second)];
		const result: RoundResult = {
			round,
			deliveries,
			answers,
			ended,
			executions,
			ranOn,
			outcomes,
			sentByCall: [sentKeys(answers[0].items), sentKeys(answers[1].items)],
			sentBefore,
		};
		this.rounds.set(round, result);
		return result;
	}

	/** A run of the workflow with Source = Usage in the Ledger: sends every hour closed for it that nobody sent. */
	async drain(title: DrainTitle): Promise<DrainResult> {
		const { main } = this.stack.running;
		const sentBefore = this.sentSoFar();
		const started = Date.now();
		const answer = await post(`${main.url}/webhook/${DRAIN_PATH}`, {});
		const ended = Date.now();
		const items = answer.items.filter((item) => item.status !== undefined);
		const perHour = new Map<string, number>();
		for (const item of items) perHour.set(hhmm(String(item.hour)), (perHour.get(hhmm(String(item.hour))) ?? 0) + 1);
		progress(`the ledger run ${title} (Hour Closes After ${DRAIN_CLOSE_AFTER_MINUTES} minutes) sent ${items.length} keys${items.length ? `, per hour (UTC): ${JSON.stringify(Object.fromEntries(perHour))}` : ''}`);
		const result: DrainResult = { answer, items, sent: sentKeys(items), sentBefore, started, ended };
		this.drains.set(title, result);
		return result;
	}

	/** Every distinct event of every round, and the late ones. */
	events() {
		const results = ROUNDS.map((round) => this.roundResult(round));
		return {
			distinct: results.flatMap((result) => result.deliveries.distinct),
			onTime: results.filter((result) => !result.round.late).flatMap((result) => result.deliveries.distinct),
			lateIds: new Set(results.filter((result) => result.round.late).flatMap((result) => result.deliveries.distinct.map((event) => event.eventId))),
			/** Every item n8n answered, rounds and ledger runs. */
			items: [...results.flatMap((result) => result.answers.flatMap((answer) => answer.items)), ...DRAINS.flatMap((title) => this.drainResult(title).items)],
		};
	}
}

/** A failed action says why n8n did what it did: the last lines of each n8n process. */
export async function explained<T>(stack: QueueStack, action: () => Promise<T>): Promise<T> {
	try {
		return await action();
	} catch (error) {
		const output = stack.n8nOutput();
		if (output && error instanceof Error) error.message += `\n\n${output}`;
		throw error;
	}
}
