// Exactly once, from what the ledger holds, what AWS (the emulator) billed and received, and the distinct events
// the rounds delivered. Each method returns what is wrong (empty when right) or the numbers a case checks.
import type { BilledUsage, RequestLogEntry } from '../../../emulator';
import { usageRecordsSent } from '../../../scripts/e2e/lib/usageRecords';
import type { Json, LedgerEvent, LedgerKey } from '../../../scripts/queue/stack';
import { DRAIN_CLOSE_AFTER_MINUTES, billingKey, hourOf, isClosed, sumsByKey, type UsageEvent } from '../../../scripts/queue/usage';

export interface Findings {
	keys: LedgerKey[];
	events: LedgerEvent[];
	billed: Record<string, BilledUsage>;
	/** The emulator's request log. */
	requests: RequestLogEntry[];
	/** Every distinct event of every round, the on-time rounds' ones, the late ones' IDs. */
	distinct: UsageEvent[];
	onTime: UsageEvent[];
	lateIds: Set<string>;
	/** Every item n8n answered. */
	items: Json[];
	/** When the last ledger run started and ended: an hour is billed if it was closed for that run. */
	drainStarted: number;
	drainEnded: number;
}

const hourOfKey = (id: string) => new Date(id.split('|')[3]).getTime();
/** A license, customer and dimension: the hours of one series of usage. */
const seriesOf = (licenseArn: string, customer: string, dimension: string) => `${licenseArn}|${customer}|${dimension}`;

export class ExactlyOnce {
	private readonly byId: Map<string, UsageEvent>;
	private readonly ledgerByKey: Map<string, LedgerKey>;
	private readonly ledgerById: Map<string, LedgerKey>;
	private readonly eventsOfKey = new Map<string, LedgerEvent[]>();

	constructor(private readonly findings: Findings) {
		this.byId = new Map(findings.distinct.map((event) => [event.eventId, event]));
		this.ledgerByKey = new Map(findings.keys.map((key) => [this.keyIdOf(key), key]));
		this.ledgerById = new Map(findings.keys.map((key) => [key.key_id, key]));
		for (const event of findings.events) this.eventsOfKey.set(event.key_id, [...(this.eventsOfKey.get(event.key_id) ?? []), event]);
	}

	/** A ledger key as AWS deduplicates it. */
	private keyIdOf(key: LedgerKey): string {
		return billingKey({ licenseArn: key.owner, customerAWSAccountId: key.customer, dimension: key.dimension }, key.hour.getTime());
	}

	private ledgerSum(key: LedgerKey): number {
		return (this.eventsOfKey.get(key.key_id) ?? []).reduce((sum, event) => sum + Number(event.quantity), 0);
	}

	private closedForLastDrain(hour: number): boolean {
		return isClosed(hour, this.findings.drainStarted, DRAIN_CLOSE_AFTER_MINUTES);
	}

	/** Ledger events that are no delivered event or hold another quantity. */
	eventsNotAsDelivered(): string[] {
		return this.findings.events
			.filter((event) => this.byId.get(event.event_id)?.quantity !== Number(event.quantity))
			.map((event) => `${event.event_id}: ${event.quantity} in the ledger, ${this.byId.get(event.event_id)?.quantity ?? 'never'} delivered`);
	}

	/** Ledger keys whose quantity or event count is not that of the events counted in them. */
	keysNotTheirEventsSum(): string[] {
		return this.findings.keys
			.filter((key) => Number(key.quantity) !== this.ledgerSum(key) || key.events !== (this.eventsOfKey.get(key.key_id) ?? []).length)
			.map((key) => `${this.keyIdOf(key)}: ${key.quantity} of ${key.events} events, its events sum to ${this.ledgerSum(key)}`);
	}

	private carried(): LedgerEvent[] {
		return this.findings.events.filter((event) => event.carried_from !== null);
	}

	/** Carried events are in the key of a later hour of their own license, customer and dimension, carried from their own hour. */
	wronglyCarried(): LedgerEvent[] {
		return this.carried().filter((event) => {
			const own = this.byId.get(event.event_id);
			const key = this.ledgerById.get(event.key_id);
			if (!own || !key) return true;
			const hour = hourOf(own.timestamp);
			return !(key.owner === own.licenseArn && key.customer === own.customerAWSAccountId && key.dimension === own.dimension && key.hour.getTime() > hour && event.carried_from!.getTime() === hour);
		});
	}

	/** Late events the ledger did not carry. */
	lateNotCarried(): string[] {
		return [...this.findings.lateIds].filter((id) => this.findings.events.find((event) => event.event_id === id)?.carried_from === null);
	}

	/** Events of the on-time rounds recorded after the other execution had claimed their hour. */
	carriedOnTime(): LedgerEvent[] {
		return this.carried().filter((event) => !this.findings.lateIds.has(event.event_id));
	}

	/**
	 * Per ledger key: AWS billed the ledger's frozen quantity (the sum of its distinct events) if its hour was closed
	 * for the last ledger run, else nothing; a billed key is billed in the ledger with AWS's record. Keys whose hour
	 * closed while that run ran are left out (`skipped`): either outcome is right.
	 */
	billingPerKey(): { wrong: string[]; skipped: string[]; closed: number; open: number } {
		const { billed, drainEnded } = this.findings;
		const wrong: string[] = [];
		const skipped: string[] = [];
		for (const key of this.findings.keys) {
			const id = this.keyIdOf(key);
			const hour = key.hour.getTime();
			if (this.closedForLastDrain(hour) !== isClosed(hour, drainEnded, DRAIN_CLOSE_AFTER_MINUTES)) {
				skipped.push(id);
				continue;
			}
			const expected = this.closedForLastDrain(hour) ? this.ledgerSum(key) : undefined;
			const actual = billed[id]?.quantity;
			if (actual !== expected) wrong.push(`${id}: billed ${actual ?? 'nothing'}, expected ${expected ?? 'nothing (hour open)'}`);
			else if (expected !== undefined && (key.state !== 'billed' || Number(key.sent_quantity) !== expected || key.metering_record_id !== billed[id].meteringRecordId)) {
				wrong.push(`${id}: ledger state ${key.state}, sent ${key.sent_quantity}, record ${key.metering_record_id} vs ${billed[id].meteringRecordId}`);
			}
		}
		const closed = this.findings.keys.filter((key) => this.closedForLastDrain(key.hour.getTime())).length;
		return { wrong, skipped, closed, open: this.findings.keys.length - closed };
	}

	billedOutsideLedger(): string[] {
		return Object.keys(this.findings.billed).filter((id) => !this.ledgerByKey.has(id));
	}

	/**
	 * In the issue's own terms: per usage key of the events' own hour, AWS billed the sum of the distinct events by
	 * event ID. For the closed keys none of whose events was carried (`keys`); the keys that events were carried from
	 * or to (`disturbed`) are checked through the ledger (billingPerKey).
	 */
	billedPerKeyOfOwnHour(): { keys: number; disturbed: number; wrong: string[] } {
		const { billed } = this.findings;
		const disturbed = new Set(
			this.carriedOnTime().flatMap((event) => {
				const own = this.byId.get(event.event_id)!;
				return [billingKey(own, hourOf(own.timestamp)), this.keyIdOf(this.ledgerById.get(event.key_id)!)];
			}),
		);
		const literal = [...sumsByKey(this.findings.onTime)].filter(([id]) => this.closedForLastDrain(hourOfKey(id)) && !disturbed.has(id));
		const wrong = literal.filter(([id, sum]) => billed[id]?.quantity !== sum).map(([id, sum]) => `${id}: billed ${billed[id]?.quantity ?? 'nothing'}, events sum to ${sum}`);
		return { keys: literal.length, disturbed: disturbed.size, wrong };
	}

	/** Per license, customer and dimension: the distinct events add up to what was billed plus what waits in open hours. */
	unbalancedSeries(): { series: number; unbalanced: string[] } {
		const balance = new Map<string, { events: number; billed: number; waiting: number }>();
		const entry = (id: string) => balance.get(id) ?? balance.set(id, { events: 0, billed: 0, waiting: 0 }).get(id)!;
		for (const event of this.findings.distinct) entry(seriesOf(event.licenseArn, event.customerAWSAccountId, event.dimension)).events += event.quantity;
		for (const key of this.findings.keys) {
			const sums = entry(seriesOf(key.owner, key.customer, key.dimension));
			sums.billed += this.findings.billed[this.keyIdOf(key)]?.quantity ?? 0;
			if (key.state === 'open') sums.waiting += Number(key.quantity);
		}
		const unbalanced = [...balance].filter(([, sums]) => sums.events !== sums.billed + sums.waiting).map(([id, sums]) => `${id}: ${JSON.stringify(sums)}`);
		return { series: balance.size, unbalanced };
	}

	/** The keys of the hour still open for the last ledger run when it ended, and those of them billed or not open in the ledger. */
	hourInProgress(): { keys: number; notWaiting: string[] } {
		const open = [...sumsByKey(this.findings.onTime).keys()].filter((id) => !isClosed(hourOfKey(id), this.findings.drainEnded, DRAIN_CLOSE_AFTER_MINUTES));
		const notWaiting = open.filter((id) => this.findings.billed[id] !== undefined || this.ledgerByKey.get(id)?.state !== 'open');
		return { keys: open.length, notWaiting };
	}

	/** The late units, and the hours (with their state) of the keys they were carried into. */
	lateUsage(): string {
		const lateIds = this.findings.lateIds;
		const total = [...lateIds].reduce((sum, id) => sum + (this.byId.get(id)?.quantity ?? 0), 0);
		const keys = new Set(this.carried().filter((event) => lateIds.has(event.event_id)).map((event) => this.ledgerById.get(event.key_id)!));
		const hours = new Set([...keys].map((key) => `${key.hour.toISOString().slice(11, 16)} (${key.state})`));
		return `${total} units carried into the keys of ${[...hours].join(', ')} UTC`;
	}

	private batchRequests(): RequestLogEntry[] {
		return this.findings.requests.filter((entry) => entry.operation === 'BatchMeterUsage');
	}

	/** Every record AWS received, per key: the quantities it was sent with, and how many records there were. */
	recordsSent(): { requests: number; records: number; quantities: Map<string, Set<number>> } {
		const quantities = new Map<string, Set<number>>();
		const records = usageRecordsSent(this.batchRequests());
		for (const record of records) {
			const id = billingKey({ licenseArn: record.LicenseArn ?? '', customerAWSAccountId: record.CustomerAWSAccountId ?? '', dimension: record.Dimension }, hourOf(record.Timestamp.getTime()));
			quantities.set(id, (quantities.get(id) ?? new Set()).add(record.Quantity ?? 0));
		}
		return { requests: this.batchRequests().length, records: records.length, quantities };
	}

	requestsNotAnswered200(): string[] {
		return this.batchRequests()
			.filter((entry) => entry.httpStatus !== 200)
			.map((entry) => `${entry.time}: HTTP ${entry.httpStatus} ${entry.errorType ?? ''}`);
	}

	/** DuplicateRecord in the ledger's keys and in n8n's output. */
	duplicateRecords(): { ledger: string[]; output: Json[] } {
		return {
			ledger: this.findings.keys.filter((key) => key.status === 'DuplicateRecord').map((key) => this.keyIdOf(key)),
			output: this.findings.items.filter((item) => item.status === 'DuplicateRecord' || item.errorCode === 'DuplicateRecord'),
		};
	}

	billedInMoreThanOneAttempt(): string[] {
		return this.findings.keys.filter((key) => key.state === 'billed' && key.attempts !== 1).map((key) => `${this.keyIdOf(key)}: ${key.attempts} attempts`);
	}

	/** Keys per execution that claimed and sent them (the ledger's claimed_by). */
	claimants(): Record<string, number> {
		const claimants = new Map<string, number>();
		for (const key of this.findings.keys) if (key.claimed_by) claimants.set(key.claimed_by.split(':')[0], (claimants.get(key.claimed_by.split(':')[0]) ?? 0) + 1);
		return Object.fromEntries(claimants);
	}

	/** Per hour: keys, the quantity of its own events, what the ledger holds, what was billed, the keys' states. */
	perHour(): string[][] {
		const allDistinct = sumsByKey(this.findings.distinct);
		const hours = [...new Set(this.findings.keys.map((key) => key.hour.getTime()))].sort();
		return hours.map((hour) => {
			const inHour = this.findings.keys.filter((key) => key.hour.getTime() === hour);
			const ownEvents = [...allDistinct].filter(([id]) => hourOfKey(id) === hour);
			return [
				new Date(hour).toISOString().slice(0, 16),
				String(inHour.length),
				String(ownEvents.reduce((sum, [, quantity]) => sum + quantity, 0)),
				String(inHour.reduce((sum, key) => sum + Number(key.quantity), 0)),
				String(inHour.reduce((sum, key) => sum + (this.findings.billed[this.keyIdOf(key)]?.quantity ?? 0), 0)),
				[...new Set(inHour.map((key) => key.state))].join(', '),
			];
		});
	}
}
