import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
	type IRun,
} from 'n8n-workflow';

import { additionalData } from './additionalData';

// With its extension: tsx would otherwise resolve the codex file AwsMarketplaceMetering.node.json.
import { AwsMarketplaceMetering } from '../../nodes/AwsMarketplaceMetering/AwsMarketplaceMetering.node.ts';

export const NODE_NAME = 'AWS Marketplace Metering';
const SOURCE_NAME = 'Source';

export type OnError = 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';

export interface RunNodeOptions {
	parameters: INodeParameters;
	/** The decrypted awsMarketplaceMeteringApi credential. */
	credentials: ICredentialDataDecryptedObject;
	/** The JSON of the items the node receives. */
	items?: Record<string, unknown>[];
	onError?: OnError;
	/** The node under test; the benchmark passes the compiled one from dist/. */
	nodeType?: INodeType;
	/** The node's version; default 1, as saved workflows have it. */
	typeVersion?: number;
	/** Credentials of other types by type, such as the PostgreSQL ledger's. */
	otherCredentials?: Record<string, ICredentialDataDecryptedObject>;
}

export interface NodeRun {
	run: IRun;
	/** The node's outputs: [main] or, with continueErrorOutput, [main, error]. */
	outputs: INodeExecutionData[][];
	/** The node's error when the workflow stopped on it. */
	error?: { message: string; description?: string | null; [key: string]: unknown };
}

/**
 * Runs the node the way n8n does: a two-node workflow (a source node emitting `items`, then the
 * node under test) executed by n8n-core's WorkflowExecute, with expressions, credentials, paired
 * items and error routing all going through n8n's own code.
 */
export async function runNode(options: RunNodeOptions): Promise<NodeRun> {
	const items = options.items ?? [{}];
	const credentials = { awsMarketplaceMeteringApi: options.credentials, ...options.otherCredentials };
	const source: INodeType = {
		description: {
			displayName: 'Source',
			name: 'testSource',
			group: ['input'],
			version: 1,
			description: 'Emits the test items',
			defaults: { name: SOURCE_NAME },
			inputs: ['main'],
			outputs: ['main'],
			properties: [],
		},
		async execute() {
			return [items.map((json) => ({ json: json as IDataObject }))];
		},
	};
	const nodeTypes = registry({ 'test.source': source, 'n8n-nodes-aws-marketplace-metering.awsMarketplaceMetering': options.nodeType ?? new AwsMarketplaceMetering() });
	const workflow = new Workflow({
		id: 'test',
		name: 'test',
		active: false,
		nodeTypes,
		nodes: [
			{ id: '1', name: SOURCE_NAME, type: 'test.source', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: '2',
				name: NODE_NAME,
				type: 'n8n-nodes-aws-marketplace-metering.awsMarketplaceMetering',
				typeVersion: options.typeVersion ?? 1,
				position: [200, 0],
				parameters: options.parameters,
				credentials: Object.fromEntries(Object.keys(credentials).map((type) => [type, { id: type, name: `test ${type}` }])),
				onError: options.onError,
			},
		],
		connections: { [SOURCE_NAME]: { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] } },
	});

	const data = additionalData(credentials);
	data.hooks = new ExecutionLifecycleHooks('manual', 'test-execution', workflow as never);
	const run = await new WorkflowExecute(data, 'manual').run({
		workflow,
		startNode: workflow.getNode(SOURCE_NAME)!,
	});
	const taskData = run.data.resultData.runData[NODE_NAME]?.[0];
	const outputs = (taskData?.data?.main ?? []).map((output) => output ?? []);
	const error = run.data.resultData.error as NodeRun['error'];
	return { run, outputs, error };
}

function registry(types: Record<string, INodeType>): INodeTypes {
	return {
		getByName: (name) => types[name],
		getByNameAndVersion: (name) => types[name],
		getKnownTypes: () => ({}),
	};
}
