// The workflows the browser test opens besides the examples, imported with them.
import type { Emulator, EmulatorOptions } from '../../emulator';
import { credentialReference, METERING_NODE_TYPE, node, TRIGGER_NODE_TYPE, WEBHOOK_CREDENTIAL_TYPE, type Workflow } from '../e2e/lib/examples';
import type { StackWorkflowName } from '../e2e/lib/stack';

/** The hourly example with Batch Meter Usage's n8n default: stop the workflow on an error. */
export const STOP_ON_ERROR_ID = 'browserStopOnError';
/** Resolve Customer (version 2) on a registration token of a new product. */
export const RESOLVE_CUSTOMER_ID = 'browserResolveCustomer';
/** The hourly example's events into Record Usage (version 3). */
export const RECORD_USAGE_ID = 'browserRecordUsage';
/** The trigger of one event type, License Updated. */
export const TRIGGER_ID = 'browserTrigger';
export const TRIGGER_NODE_NAME = 'AWS Marketplace event';
export const TRIGGER_WEBHOOK_ID = '6f1c2b7a-4d3e-4a9b-8c5d-0e1f2a3b4c5d';

export function browserWorkflows(workflows: Record<StackWorkflowName, Workflow>, _emulator: Emulator, { registrationTokens }: EmulatorOptions): Workflow[] {
	const stopOnError = structuredClone(workflows.inputItemsMetering);
	stopOnError.id = STOP_ON_ERROR_ID;
	stopOnError.name = `${stopOnError.name} (stops on error)`;
	delete node(stopOnError, 'Batch Meter Usage').onError;

	const token = registrationTokens?.find((candidate) => !candidate.expired && candidate.licenseArn);
	if (!token) throw new Error('the emulator configuration needs a registration token of a new product');
	const resolveCustomer: Workflow = {
		id: RESOLVE_CUSTOMER_ID,
		name: 'Browser test: Resolve Customer',
		nodes: [
			{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				name: 'Resolve Customer',
				type: METERING_NODE_TYPE,
				typeVersion: 2,
				position: [220, 0],
				parameters: { operation: 'resolveCustomer', registrationToken: token.token },
				credentials: { awsMarketplaceMeteringApi: credentialReference(Object.values(workflows)) },
			},
		],
		connections: { Start: { main: [[{ node: 'Resolve Customer', type: 'main', index: 0 }]] } },
		settings: {},
	};

	const record = structuredClone(workflows.inputItemsMetering);
	record.id = RECORD_USAGE_ID;
	record.name = 'Browser test: Record Usage (version 3)';
	const metering = node(record, 'Batch Meter Usage');
	metering.typeVersion = 3;
	// The seller's setup: the defaults of a new node but the operation and the ledger.
	metering.parameters = { resource: 'ledger', operation: 'recordUsage', ledger: 'embedded' };
	delete metering.onError;

	const trigger: Workflow = {
		id: TRIGGER_ID,
		name: 'Browser test: AWS Marketplace Trigger',
		nodes: [
			{
				name: TRIGGER_NODE_NAME,
				type: TRIGGER_NODE_TYPE,
				typeVersion: 1,
				position: [0, 0],
				webhookId: TRIGGER_WEBHOOK_ID,
				parameters: { events: ['licenseUpdated'] },
				credentials: { [WEBHOOK_CREDENTIAL_TYPE]: credentialReference(Object.values(workflows), WEBHOOK_CREDENTIAL_TYPE) },
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	};
	return [stopOnError, resolveCustomer, record, trigger];
}
