import { randomUUID } from 'node:crypto';

import { NodeError, NodeOperationError, sleep, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { meterFromLedger, type Every, type LedgerMeteringOptions, type RecordOutcome, type SendBatch } from '../batch';
import type { MeteringLedger } from '../../shared/ledger';
import { getLedger, type LedgerChoice } from '../../shared/openLedger';
import { count } from './count';
import { firstLedgerFailure, ledgerMeteringItems } from './ledgerOutcomes';
import { addHint, notBilledItems, requestsPhrase } from './meteringHint';
import type { OutcomeContext } from './usageOutcomes';

/**
 * Runs `use` with the ledger the node's "Metering Ledger" parameter names, and gives it back
 * afterwards: the embedded one stays open for the next execution until idle (ledger/pglite.ts).
 */
export async function withLedger(
	this: IExecuteFunctions,
	use: (ledger: MeteringLedger) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const ledger = (await getLedger.call(this, this.getNodeParameter('ledger', 0, 'embedded') as LedgerChoice))!;
	try {
		return await use(ledger);
	} finally {
		await ledger.close();
	}
}

/**
 * Sends the ledger's due usage as this execution, and answers one item per event recorded by it and
 * per other key it settled.
 */
export async function meterLedgerUsage(
	this: IExecuteFunctions,
	ledger: MeteringLedger,
	send: SendBatch,
	recorded: RecordOutcome[],
	options: Omit<LedgerMeteringOptions, 'claimant' | 'closeAfterMinutes' | 'every'>,
	ctx: OutcomeContext,
): Promise<INodeExecutionData[]> {
	let report;
	try {
		report = await meterFromLedger(ledger, send, {
			...options,
			claimant: `${this.getExecutionId()}:${randomUUID()}`,
			closeAfterMinutes: this.getNodeParameter('closeAfterMinutes', 0, 10) as number,
			every,
		});
	} catch (error) {
		throw withRecordedNote.call(this, error, tallyRecorded(recorded));
	}
	const items = ledgerMeteringItems(recorded, report, ctx);
	addHint(
		this,
		`${count(recorded.length, 'usage event')} recorded; ${count(report.keys.length, 'usage record')} (customer, dimension and hour) settled ${requestsPhrase(report)}; ${notBilledItems(items)} not billed`,
	);
	return itemsUnlessFailed.call(this, items, tallyRecorded(recorded));
}

/** The node's error for a failure after events were recorded, saying what the ledger holds of them. */
export function withRecordedNote(this: IExecuteFunctions, error: unknown, recorded: RecordedTally): NodeError {
	const failure = error instanceof NodeError ? error : new NodeOperationError(this.getNode(), error as Error);
	const note = recordedNote(recorded);
	if (note) failure.description = failure.description ? `${failure.description} ${note}` : note;
	return failure;
}

/** n8n's sleep in a loop (n8n Cloud allows no other timer); an n8n whose sleep cannot be aborted ends it at the next tick. */
const every: Every = (ms, tick) => {
	const stopped = new AbortController();
	void (async () => {
		for (;;) {
			await sleep(ms, stopped.signal).catch(() => undefined);
			if (stopped.signal.aborted) return;
			tick();
		}
	})();
	return () => stopped.abort();
};

/**
 * The items, or, when errors are not continued, the first error item as the node's error, saying
 * what this execution recorded.
 */
export function itemsUnlessFailed(this: IExecuteFunctions, items: INodeExecutionData[], recorded: RecordedTally): INodeExecutionData[] {
	const failure = this.continueOnFail() ? undefined : firstLedgerFailure(items);
	if (failure) throw new NodeOperationError(this.getNode(), failure.message, { itemIndex: failure.itemIndex, description: recordedNote(recorded) });
	return items;
}

/** How many events of an execution the ledger holds: recorded now, or before (duplicates); recorded now without an ID. */
export interface RecordedTally {
	fresh: number;
	before: number;
	unidentified: number;
}

/** Counts outcomes into `tally` (a new one by default), so that a run recording in parts keeps counts, not outcomes. */
export function tallyRecorded(recorded: RecordOutcome[], tally: RecordedTally = { fresh: 0, before: 0, unidentified: 0 }): RecordedTally {
	for (const outcome of recorded) {
		if (outcome.status === 'DuplicateEvent') tally.before++;
		if (outcome.status !== 'Recorded') continue;
		tally.fresh++;
		if (outcome.eventId === undefined) tally.unidentified++;
	}
	return tally;
}

/** What an execution that failed left in the ledger, and whether running it again is safe. */
export function recordedNote({ fresh, before, unidentified }: RecordedTally): string | undefined {
	const kept = fresh + before;
	if (kept === 0) return undefined;
	const held = `${count(kept, 'usage event')} of this execution ${kept === 1 ? 'is' : 'are'} in the metering ledger (${fresh} recorded now, ${before} before); the ledger sends their hours on later runs until AWS’s deadline.`;
	return unidentified === 0
		? `${held} Running this execution again is safe: each event is recognized by its Event ID or its usage and counted once.`
		: `${held} Do not run this execution again: ${count(unidentified, 'event')} without an Event ID would be counted twice ("Identify Items Without Event ID" is off).`;
}
