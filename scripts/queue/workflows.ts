// The workflows of the queue-mode proof: production webhooks, so that n8n's main process enqueues their
// executions and the workers run them.
import { METERING_NODE_TYPE, type Workflow } from '../e2e/lib/examples';
import { DRAIN_CLOSE_AFTER_MINUTES, METER_CLOSE_AFTER_MINUTES } from './usage';

export const AWS_CREDENTIAL = { id: 'queueAwsCred', name: 'AWS Marketplace Metering (emulator)' };
export const LEDGER_CREDENTIAL = { id: 'queueLedgerCred', name: 'Metering ledger (PostgreSQL)' };

export const METER_PATH = 'queue-proof/meter';
export const DRAIN_PATH = 'queue-proof/drain';

const credentials = {
	awsMarketplaceMeteringApi: AWS_CREDENTIAL,
	awsMarketplaceMeteringLedgerApi: LEDGER_CREDENTIAL,
};

function webhook(path: string, webhookId: string) {
	return {
		id: `${webhookId}-node`,
		name: 'Usage webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId,
		// The answer is the metering node's output: every item, once the worker finished the execution.
		parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
	};
}

/** POST `{ events: [...] }`: each event is recorded in the ledger, then every closed hour the ledger holds is sent. */
export function meterWorkflow(): Workflow {
	return {
		id: 'queueProofMeter',
		name: 'Queue proof: meter usage events',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			webhook(METER_PATH, '2c7e3d55-1f0b-4b8e-9a61-6f1d0c3b7a01'),
			{
				id: 'queue-split',
				name: 'Events',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.events', options: {} },
			},
			// A second's pause: the two executions of a round are then metering at the same time, whatever the
			// order in which the queue hands them to the workers (a round of short executions could run one after the other).
			{
				id: 'queue-hold',
				name: 'Hold',
				type: 'n8n-nodes-base.wait',
				typeVersion: 1.1,
				position: [330, 0],
				webhookId: '5b2f8c1e-7d34-4a0e-8e52-3c9a1f6d2b10',
				parameters: { amount: 1, unit: 'seconds' },
			},
			{
				id: 'queue-meter',
				name: 'Batch Meter Usage',
				type: METERING_NODE_TYPE,
				typeVersion: 1,
				position: [440, 0],
				parameters: {
					operation: 'batchMeterUsage',
					ledger: 'postgres',
					source: 'inputItems',
					closeAfterMinutes: METER_CLOSE_AFTER_MINUTES,
					options: {},
				},
				credentials,
				// Every outcome, errors included, comes back in the webhook's answer.
				onError: 'continueRegularOutput',
			},
		],
		connections: {
			'Usage webhook': { main: [[{ node: 'Events', type: 'main', index: 0 }]] },
			Events: { main: [[{ node: 'Hold', type: 'main', index: 0 }]] },
			Hold: { main: [[{ node: 'Batch Meter Usage', type: 'main', index: 0 }]] },
		},
	};
}

/** POST anything: sends every closed hour of the usage in the ledger (what an hourly schedule does). */
export function drainWorkflow(): Workflow {
	return {
		id: 'queueProofDrain',
		name: 'Queue proof: meter the ledger',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			webhook(DRAIN_PATH, '2c7e3d55-1f0b-4b8e-9a61-6f1d0c3b7a02'),
			{
				id: 'queue-drain',
				name: 'Batch Meter Usage',
				type: METERING_NODE_TYPE,
				typeVersion: 1,
				position: [220, 0],
				parameters: {
					operation: 'batchMeterUsage',
					ledger: 'postgres',
					source: 'ledger',
					closeAfterMinutes: DRAIN_CLOSE_AFTER_MINUTES,
					options: {},
				},
				credentials,
				onError: 'continueRegularOutput',
				// With nothing left to send the node has no item; the webhook still answers.
				alwaysOutputData: true,
			},
		],
		connections: {
			'Usage webhook': { main: [[{ node: 'Batch Meter Usage', type: 'main', index: 0 }]] },
		},
	};
}
