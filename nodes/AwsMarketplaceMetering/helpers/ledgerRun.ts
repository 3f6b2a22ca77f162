import { randomUUID } from 'node:crypto';

import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { meterFromLedger, type LedgerMeteringOptions, type RecordOutcome, type SendBatch } from '../batch';
import type { MeteringLedger } from '../ledger';
import { getLedger, type LedgerChoice } from '../transport/ledger';
import { count } from './count';
import { firstLedgerFailure, ledgerMeteringItems } from './ledgerOutcomes';
import type { OutcomeContext } from './usageOutcomes';

/** Runs `use` with the ledger the node's "Metering Ledger" parameter names, closing it afterwards. */
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
	options: Omit<LedgerMeteringOptions, 'claimant' | 'closeAfterMinutes'>,
	ctx: OutcomeContext,
): Promise<INodeExecutionData[]> {
	const report = await meterFromLedger(ledger, send, {
		...options,
		claimant: `${this.getExecutionId()}:${randomUUID()}`,
		closeAfterMinutes: this.getNodeParameter('closeAfterMinutes', 0, 10) as number,
	});
	const billed = report.keys.filter((outcome) => outcome.status === 'Success').length;
	// n8n 1.x before execution hints lacks the method.
	this.addExecutionHints?.({
		message: `${count(recorded.length, 'usage event')} recorded; ${count(report.keys.length, 'usage record')} (customer, dimension and hour) settled in ${count(report.requests, 'request')}; ${report.keys.length - billed} not billed`,
		location: 'outputPane',
	});
	return itemsUnlessFailed.call(this, ledgerMeteringItems(recorded, report, ctx));
}

/** The items, or, when errors are not continued, the first error item as the node's error. */
export function itemsUnlessFailed(this: IExecuteFunctions, items: INodeExecutionData[]): INodeExecutionData[] {
	const failure = this.continueOnFail() ? undefined : firstLedgerFailure(items);
	if (failure) throw new NodeOperationError(this.getNode(), failure.message, { itemIndex: failure.itemIndex });
	return items;
}
