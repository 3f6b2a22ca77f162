import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { count } from './count';
import { isErrorItem, UNBILLED_STATUSES } from './usageOutcomes';

// The execution hint of the operations that send usage: what the run did, beside its output, as n8n's own nodes
// tell it, in the numbers the seller sees in the output.

/** "in 3 requests (1 of them a resend, 2 to isolate a rejected record)": the requests, and why some went out. */
export function requestsPhrase({ requests, retries, isolationRequests }: { requests: number; retries: number; isolationRequests: number }): string {
	const why = [
		...(retries ? [`${retries} of them ${retries === 1 ? 'a resend' : 'resends'}`] : []),
		...(isolationRequests ? [`${isolationRequests} to isolate a rejected usage record`] : []),
	];
	return `in ${count(requests, 'request')}${why.length ? ` (${why.join(', ')})` : ''}`;
}

/**
 * The output items whose usage was not billed: the error output's, and, with Report Unbilled Usage as Errors
 * off, those whose status (or, for an event recorded before, its hour's) AWS did not bill.
 */
export function notBilledItems(items: INodeExecutionData[]): number {
	const unbilled = (json: IDataObject) => UNBILLED_STATUSES.has(String(json.recordStatus ?? json.status) as never);
	return items.filter((item) => isErrorItem(item) || unbilled(item.json)).length;
}

export function addHint(ctx: IExecuteFunctions, message: string): void {
	// n8n 1.x before execution hints lacks the method.
	ctx.addExecutionHints?.({ message, location: 'outputPane' });
}
