// The ledger scenarios' runner: test/helpers/workflow.ts's runNode sets one credential on the node
// (awsMarketplaceMeteringApi) and answers every credential type with its data, so the node cannot
// read a PostgreSQL ledger credential through it. This is the same two-node workflow, executed by
// n8n-core's WorkflowExecute, with one credential per type.
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	ICredentialsHelper,
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INodeCredentials,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

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
	const additionalData = executeAdditionalData(options.credentials);
	additionalData.hooks = new ExecutionLifecycleHooks('manual', 'bench-execution', workflow as never);
	const run = await new WorkflowExecute(additionalData, 'manual').run({ workflow, startNode: workflow.getNode(SOURCE_NAME)! });
	const taskData = run.data.resultData.runData[NODE_NAME]?.[0];
	return {
		outputs: (taskData?.data?.main ?? []).map((output) => output ?? []),
		error: run.data.resultData.error as WorkflowRun['error'],
	};
}

class CredentialsHelper extends ICredentialsHelper {
	constructor(private readonly byType: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes() {
		return [];
	}

	isCredentialUsableByNode() {
		return true;
	}

	async authenticate(_c: unknown, _t: string, requestOptions: never) {
		return requestOptions;
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used by the node');
	}

	async getDecrypted(_additionalData: unknown, _nodeCredentials: unknown, type: string) {
		const data = this.byType[type];
		if (!data) throw new Error(`no ${type} credential in this benchmark run`);
		return { ...data };
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties() {
		return [];
	}
}

function executeAdditionalData(credentials: Record<string, ICredentialDataDecryptedObject>): IWorkflowExecuteAdditionalData {
	const url = 'http://localhost:5678/';
	return {
		credentialsHelper: new CredentialsHelper(credentials),
		executeWorkflow: async () => {
			throw new Error('not used by the node');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		currentNodeExecutionIndex: 0,
		restApiUrl: url,
		instanceBaseUrl: url,
		formBaseUrl: url,
		formWaitingBaseUrl: url,
		formTestBaseUrl: url,
		webhookBaseUrl: url,
		webhookWaitingBaseUrl: url,
		webhookTestBaseUrl: url,
		mcpBaseUrl: url,
		mcpTestBaseUrl: url,
		variables: {},
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('not used by the node');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}
