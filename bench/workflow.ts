// The ledger scenarios' runner: the same two-node workflow as test/helpers/workflow.ts's runNode,
// executed by n8n-core's WorkflowExecute with one credential per type, without loading the node's
// TypeScript sources into the measured process (the node comes from a copy of dist/).
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INodeCredentials,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
} from 'n8n-workflow';

import { additionalData } from '../test/helpers/additionalData';

const NODE_NAME = 'AWS Marketplace Metering';
const SOURCE_NAME = 'Source';
const NODE_TYPE = 'n8n-nodes-aws-marketplace-metering.awsMarketplaceMetering';

export interface WorkflowRunOptions {
	parameters: INodeParameters;
	/** Decrypted credentials by type: awsMarketplaceMeteringApi, and awsMarketplaceMeteringLedgerApi for the PostgreSQL ledger. */
	credentials: Record<string, ICredentialDataDecryptedObject>;
	items: Record<string, unknown>[];
	nodeType: INodeType;
}

export interface WorkflowRun {
	outputs: INodeExecutionData[][];
	error?: { message: string; description?: string | null };
}

export async function runInWorkflow(options: WorkflowRunOptions): Promise<WorkflowRun> {
	const { items } = options;
	const source: INodeType = {
		description: {
			displayName: 'Source',
			name: 'benchSource',
			group: ['input'],
			version: 1,
			description: 'Emits the benchmark items',
			defaults: { name: SOURCE_NAME },
			inputs: ['main'],
			outputs: ['main'],
			properties: [],
		},
		async execute() {
			return [items.map((json) => ({ json: json as IDataObject }))];
		},
	};
	const types: Record<string, INodeType> = { 'bench.source': source, [NODE_TYPE]: options.nodeType };
	const nodeTypes: INodeTypes = {
		getByName: (name) => types[name],
		getByNameAndVersion: (name) => types[name],
		getKnownTypes: () => ({}),
	};
	const credentials: INodeCredentials = Object.fromEntries(Object.keys(options.credentials).map((type) => [type, { id: type, name: type }]));
	const workflow = new Workflow({
		id: 'bench',
		name: 'bench',
		active: false,
		nodeTypes,
		nodes: [
			{ id: '1', name: SOURCE_NAME, type: 'bench.source', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: '2', name: NODE_NAME, type: NODE_TYPE, typeVersion: 1, position: [200, 0], parameters: options.parameters, credentials },
		],
		connections: { [SOURCE_NAME]: { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] } },
	});
	const data = additionalData(options.credentials);
	data.hooks = new ExecutionLifecycleHooks('manual', 'bench-execution', workflow as never);
	const run = await new WorkflowExecute(data, 'manual').run({ workflow, startNode: workflow.getNode(SOURCE_NAME)! });
	const taskData = run.data.resultData.runData[NODE_NAME]?.[0];
	return {
		outputs: (taskData?.data?.main ?? []).map((output) => output ?? []),
		error: run.data.resultData.error as WorkflowRun['error'],
	};
}

