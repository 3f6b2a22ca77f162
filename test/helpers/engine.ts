// n8n-core's WorkflowExecute around a workflow, for the tests, the benchmark and the demo: node types by name,
// credentials by type, a run from a start node or from the items a webhook or trigger node received. No node of
// this package is imported here, so that the benchmark can run the compiled one.
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	NodeHelpers,
	Workflow,
	createRunExecutionData,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IVersionedNodeType,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { additionalData } from './additionalData';

export const NODE_NAME = 'AWS Marketplace Metering';
export const METERING_NODE_TYPE = 'n8n-nodes-aws-marketplace-metering.awsMarketplaceMetering';
const SOURCE_NAME = 'Source';

/** Node types by name, each at the version a workflow's node asks for. */
export function nodeTypeRegistry(types: Record<string, INodeType | IVersionedNodeType>): INodeTypes {
	return {
		getByName: (name) => types[name],
		getByNameAndVersion: (name, version) => (types[name] ? NodeHelpers.getVersionedNodeType(types[name], version) : (undefined as never)),
		getKnownTypes: () => ({}),
	};
}

export interface ExecuteOptions {
	/** Decrypted credentials by type. */
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/**
	 * Where the run starts: a node run without input (a manual trigger), or, with `data`, a webhook or trigger node
	 * whose webhook() received that data, as n8n runs an execution a request started.
	 */
	start: { node: string; data?: INodeExecutionData[][] };
	mode?: WorkflowExecuteMode;
	executionId?: string;
	/** The request and response of the webhook call that started the run. */
	http?: { httpRequest?: unknown; httpResponse?: unknown };
	/** Adds handlers to the run's lifecycle hooks, such as 'sendResponse' for Respond to Webhook. */
	onHooks?: (hooks: ExecutionLifecycleHooks) => void;
}

/** Runs a workflow through n8n-core's WorkflowExecute. */
export async function executeWorkflow(workflow: Workflow, options: ExecuteOptions): Promise<IRun> {
	const mode = options.mode ?? 'manual';
	const data = additionalData(options.credentials, options.http);
	data.hooks = new ExecutionLifecycleHooks(mode, options.executionId ?? 'test-execution', workflow as never);
	options.onHooks?.(data.hooks);
	const node = workflow.getNode(options.start.node);
	if (!node) throw new Error(`The workflow has no node "${options.start.node}"`);
	if (!options.start.data) return await new WorkflowExecute(data, mode).run({ workflow, startNode: node });
	const runExecutionData = createRunExecutionData({
		executionData: { nodeExecutionStack: [{ node, data: { main: options.start.data }, source: null }] },
	});
	return await new WorkflowExecute(data, mode, runExecutionData).processRunExecutionData(workflow);
}

export type OnError = 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';

export interface NodeTypeRunOptions {
	parameters: INodeParameters;
	/** Decrypted credentials by type; the node gets a reference to each. */
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** The JSON of the items the node receives. */
	items?: Record<string, unknown>[];
	onError?: OnError;
	nodeType: INodeType;
	/** The node's version; default 1, as saved workflows have it. */
	typeVersion?: number;
}

export interface NodeRun {
	run: IRun;
	/** The node's outputs: [main] or, with continueErrorOutput, [main, error]. */
	outputs: INodeExecutionData[][];
	/** The node's error when the workflow stopped on it. */
	error?: { message: string; description?: string | null; [key: string]: unknown };
}

/**
 * Runs a metering node the way n8n does: a two-node workflow (a source node emitting `items`, then the node)
 * executed by WorkflowExecute, with expressions, credentials, paired items and error routing all going through
 * n8n's own code.
 */
export async function runNodeType(options: NodeTypeRunOptions): Promise<NodeRun> {
	const items = options.items ?? [{}];
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
	const workflow = new Workflow({
		id: 'test',
		name: 'test',
		active: false,
		nodeTypes: nodeTypeRegistry({ 'test.source': source, [METERING_NODE_TYPE]: options.nodeType }),
		nodes: [
			{ id: '1', name: SOURCE_NAME, type: 'test.source', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: '2',
				name: NODE_NAME,
				type: METERING_NODE_TYPE,
				typeVersion: options.typeVersion ?? 1,
				position: [200, 0],
				parameters: options.parameters,
				credentials: Object.fromEntries(Object.keys(options.credentials).map((type) => [type, { id: type, name: `test ${type}` }])),
				onError: options.onError,
			},
		],
		connections: { [SOURCE_NAME]: { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] } },
	});
	const run = await executeWorkflow(workflow, { credentials: options.credentials, start: { node: SOURCE_NAME } });
	const taskData = run.data.resultData.runData[NODE_NAME]?.[0];
	const outputs = (taskData?.data?.main ?? []).map((output) => output ?? []);
	const error = run.data.resultData.error as NodeRun['error'];
	return { run, outputs, error };
}
