import { NodeOperationError, type IExecuteFunctions, type IHookFunctions, type IWebhookFunctions } from 'n8n-workflow';

import { getLedger, type LedgerChoice } from '../shared/openLedger';

/** How many delivery IDs the workflow's static data keeps (the oldest go first). */
export const MAX_REMEMBERED = 1000;

// The same IDs, per trigger node, in this process. n8n 2.x does not save static data that a webhook
// changed when it starts an execution (the run reloads and re-wraps it first), so without this copy
// a redelivery would start the workflow again until n8n restarts.
const recent = new Map<string, string[]>();

/**
 * True the first time this trigger node sees the delivery: EventBridge and SNS deliver at least
 * once. With a metering ledger the IDs are kept there for 7 days (PostgreSQL: for every n8n
 * instance); without, in the workflow's static data and this process's memory (the last 1000).
 */
export async function isFirstDelivery(this: IWebhookFunctions, key: string): Promise<boolean> {
	// Two workflows may receive the same event: each node keeps its own deliveries.
	const scope = `${this.getWorkflow().id ?? ''}:${this.getNode().id}`;
	const choice = this.getNodeParameter('ledger', 'none') as LedgerChoice;
	if (choice === 'none') return rememberInWorkflow.call(this, scope, key);
	try {
		return await rememberInLedger.call(this, choice, `awsMarketplaceTrigger:${scope}:${key}`);
	} catch (error) {
		// n8n answers 500: EventBridge delivers again later.
		throw new NodeOperationError(this.getNode(), `Could not check the metering ledger for a repeated delivery: ${(error as Error).message}`);
	}
}

/**
 * At activation: creates (or brings up to date) the ledger the deliveries are remembered in, so that
 * the first delivery finds it ready. Creating the embedded one runs PostgreSQL's initdb, seconds that
 * EventBridge does not wait for (it gives up after 5 and delivers again). A ledger that cannot be
 * opened now is only logged: each delivery then fails (answered 500, delivered again later).
 */
export async function prepareLedger(this: IHookFunctions): Promise<void> {
	const choice = this.getNodeParameter('ledger', 'none') as LedgerChoice;
	if (choice === 'none') return;
	try {
		// getLedger reads only the ledger credential, through the getCredentials hooks share.
		const ledger = (await getLedger.call(this as unknown as IExecuteFunctions, choice))!;
		await ledger.close();
	} catch (error) {
		this.logger.warn(`AWS Marketplace Trigger: could not open the metering ledger while activating: ${(error as Error).message}`);
	}
}

/**
 * Taken and given back per delivery, as the metering node does. The embedded ledger stays open in
 * n8n's process between deliveries, shared with the metering node, until it has been idle for a
 * while or another process waits for its folder (ledger/pglite.ts).
 */
async function rememberInLedger(this: IWebhookFunctions, choice: 'embedded' | 'postgres', deliveryId: string): Promise<boolean> {
	// getLedger reads only the ledger credential, through the getCredentials webhooks share.
	const ledger = (await getLedger.call(this as unknown as IExecuteFunctions, choice))!;
	try {
		return await ledger.rememberDelivery(deliveryId, { now: new Date() });
	} finally {
		await ledger.close();
	}
}

function rememberInWorkflow(this: IWebhookFunctions, scope: string, key: string): boolean {
	const data = this.getWorkflowStaticData('node');
	const stored = Array.isArray(data.deliveryIds) ? (data.deliveryIds as string[]) : [];
	const inProcess = recent.get(scope) ?? [];
	if (stored.includes(key) || inProcess.includes(key)) return false;
	data.deliveryIds = [...stored, key].slice(-MAX_REMEMBERED);
	recent.set(scope, [...inProcess, key].slice(-MAX_REMEMBERED));
	return true;
}
