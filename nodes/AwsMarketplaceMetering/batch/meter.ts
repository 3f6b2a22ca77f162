import { UsageSums } from './aggregate';
import { type ResolvedMeteringOptions, resolveMeteringOptions } from './options';
import { type PlannedRecord, planBatches } from './plan';
import { sendBatches } from './send';
import { checkTimestampWindow } from './timestamp';
import type { EventOutcome, MeteringOptions, MeteringReport, SendBatch, UsageEvent } from './types';
import { type ValidationOptions, validateUsageEvent } from './validate';

/**
 * Meters usage events with BatchMeterUsage: validates every event, sums events of the same
 * customer, dimension and hour, plans requests and sends them. Answers exactly one outcome per
 * event, in input order; an invalid event never stops the valid ones.
 */
export async function meterUsageEvents(events: UsageEvent[], send: SendBatch, options: Partial<MeteringOptions> = {}): Promise<MeteringReport> {
	const meter = new UsageMeter(options);
	meter.add(events);
	return await meter.send(send);
}

/**
 * meterUsageEvents in two steps, for events read part by part: `add` validates each event and sums it into
 * its record, keeping none of them (only, per event, the position of its record); `send` then sends the
 * records. The events of one record share its outcome.
 */
export class UsageMeter {
	private readonly settings: ResolvedMeteringOptions;
	private readonly rules: ValidationOptions;
	private readonly sums: UsageSums;
	// Per event, the position of its record, or -1 and its own outcome.
	private readonly recordOf: number[] = [];
	private readonly invalid = new Map<number, EventOutcome>();

	constructor(options: Partial<MeteringOptions> = {}) {
		this.settings = resolveMeteringOptions(options);
		this.rules = { ...this.settings, now: this.settings.now() };
		this.sums = new UsageSums(this.settings);
	}

	add(events: readonly UsageEvent[]): void {
		for (const event of events) {
			const checked = validateUsageEvent(event, this.rules);
			if (checked.ok) {
				this.recordOf.push(this.sums.add(checked.value));
				continue;
			}
			this.invalid.set(this.recordOf.length, {
				status: checked.error.code === 'Expired' ? 'Expired' : 'Invalid',
				...(typeof event.productCode === 'string' && event.productCode ? { productCode: event.productCode } : {}),
				aggregatedEvents: 1,
				error: checked.error,
			});
			this.recordOf.push(-1);
		}
	}

	/** Sends the records of the events added; answers one outcome per event, in the order added. */
	async send(send: SendBatch): Promise<MeteringReport> {
		const { settings } = this;
		const records = this.sums.records();
		const recordOutcomes: EventOutcome[] = new Array(records.length);
		const planned: PlannedRecord[] = [];
		records.forEach(({ events: aggregatedEvents, productCode, outcome }, position) => {
			if (outcome.ok) planned.push({ productCode, record: outcome.value });
			else recordOutcomes[position] = { status: 'Invalid', productCode, aggregatedEvents, error: outcome.error };
		});

		const batches = planBatches(planned);
		const sent = await sendBatches(batches, send, {
			...settings,
			now: () => settings.now().getTime(),
			expired: (record, time) => {
				const window = checkTimestampWindow(record.Timestamp, record.Timestamp, { ...settings, now: new Date(time) });
				if (window.ok) return undefined;
				return { ...window.error, message: `${window.error.message}: its deadline passed while it was being resent` };
			},
		});

		records.forEach(({ events: aggregatedEvents, productCode, outcome }, position) => {
			if (!outcome.ok) return;
			const record = outcome.value;
			// sendBatches answers every record it was given.
			recordOutcomes[position] = { productCode, record, aggregatedEvents, ...sent.answers.get(record)! };
		});
		const outcomes = this.recordOf.map((position, index) => (position < 0 ? this.invalid.get(index)! : recordOutcomes[position]));
		return { outcomes, requests: sent.requests, retries: sent.retries, isolationRequests: sent.isolationRequests, batches };
	}
}
