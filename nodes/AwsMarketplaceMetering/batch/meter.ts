import { aggregateUsageRecords } from './aggregate';
import { resolveMeteringOptions } from './options';
import { type PlannedRecord, planBatches } from './plan';
import { sendBatches } from './send';
import { checkTimestampWindow } from './timestamp';
import type { EventOutcome, MeteringOptions, MeteringReport, SendBatch, UsageEvent } from './types';
import { type ValidUsageEvent, validateUsageEvent } from './validate';

/**
 * Meters usage events with BatchMeterUsage: validates every event, sums events of the same
 * customer, dimension and hour, plans requests and sends them. Answers exactly one outcome per
 * event, in input order; an invalid event never stops the valid ones.
 */
export async function meterUsageEvents(
	events: UsageEvent[],
	send: SendBatch,
	options: Partial<MeteringOptions> = {},
): Promise<MeteringReport> {
	const settings = resolveMeteringOptions(options);
	const now = settings.now();
	const outcomes: EventOutcome[] = new Array(events.length);
	const valid: ValidUsageEvent[] = [];
	const positions: number[] = [];
	const rules = { ...settings, now };
	events.forEach((event, index) => {
		const checked = validateUsageEvent(event, rules);
		if (checked.ok) {
			valid.push(checked.value);
			positions.push(index);
		} else {
			outcomes[index] = {
				source: event.source,
				status: checked.error.code === 'Expired' ? 'Expired' : 'Invalid',
				...(typeof event.productCode === 'string' && event.productCode ? { productCode: event.productCode } : {}),
				aggregatedEvents: 1,
				error: checked.error,
			};
		}
	});

	const records = aggregateUsageRecords(valid, settings);
	const planned: PlannedRecord[] = [];
	for (const { members, productCode, outcome } of records) {
		if (outcome.ok) planned.push({ productCode, record: outcome.value });
		else {
			for (const member of members) {
				const index = positions[member];
				outcomes[index] = { source: events[index].source, status: 'Invalid', productCode, aggregatedEvents: members.length, error: outcome.error };
			}
		}
	}

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

	for (const { members, productCode, outcome } of records) {
		if (!outcome.ok) continue;
		const record = outcome.value;
		// sendBatches answers every record it was given.
		const answer = sent.answers.get(record)!;
		for (const member of members) {
			const index = positions[member];
			outcomes[index] = { source: events[index].source, productCode, record, aggregatedEvents: members.length, ...answer };
		}
	}
	return { outcomes, requests: sent.requests, retries: sent.retries, isolationRequests: sent.isolationRequests, batches };
}
