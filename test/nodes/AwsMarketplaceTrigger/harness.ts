// Runs the AWS Marketplace Trigger the way n8n 2.41 serves an active workflow's production webhook,
// over real HTTP: it activates the node as n8n does (its webhook methods, through n8n-core's
// HookContext), then a tiny server parses the body as n8n's body parser does, builds the workflow
// from its stored static data (n8n reloads it for every request), calls the node's webhook()
// through n8n-core's own WebhookContext, answers as n8n's webhook helpers do, and runs the workflow
// it starts through n8n-core's WorkflowExecute into a node that keeps what it received. Static data
// is saved when n8n 2.41 saves it (packages/cli: LiveWebhooks.executeWebhook, WorkflowRunner.run).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rootCertificates } from 'node:tls';

import { OutboundHttp } from '@n8n/backend-network';
import { Container } from '@n8n/di';
import { ExecutionLifecycleHooks, HookContext, WebhookContext, WorkflowExecute } from 'n8n-core';
import {
	Workflow,
	createRunExecutionData,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type INodeCredentialsDetails,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
	type IWebhookData,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

// With its extension: tsx would otherwise resolve the codex file AwsMarketplaceTrigger.node.json.
import { AwsMarketplaceTrigger } from '../../../nodes/AwsMarketplaceTrigger/AwsMarketplaceTrigger.node.ts';
import { additionalData } from '../../helpers/additionalData';

const TRIGGER = 'AWS Marketplace Trigger';
const CAPTURE = 'Capture';
const TRIGGER_TYPE = 'n8n-nodes-aws-marketplace-metering.awsMarketplaceTrigger';

export const API_KEY = { header: 'x-api-key', value: 'trigger-test-secret-7f0c2a9e' };

export interface TriggerOptions {
	parameters?: INodeParameters;
	/** Decrypted credentials by type; default: the webhook credential with API_KEY. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	workflowId?: string;
	/** Static data as stored before the first request. */
	staticData?: IDataObject;
}

export interface TriggerServer {
	/** The production webhook URL. */
	url: string;
	/** The items each started execution passed on to the next node, in order. */
	runs: IDataObject[][];
	/** The workflow's static data as n8n's database holds it. */
	storedStaticData(): IDataObject;
	stop(): Promise<void>;
}

export async function startTrigger(options: TriggerOptions = {}): Promise<TriggerServer> {
	const trigger = new AwsMarketplaceTrigger();
	const nodeTypes = registry({ [TRIGGER_TYPE]: trigger, 'test.capture': captureNode() });
	const credentials = options.credentials ?? { awsMarketplaceWebhookApi: { headerName: API_KEY.header, apiKey: API_KEY.value } };
	const workflowId = options.workflowId ?? 'trigger-test';
	let stored: IDataObject = structuredClone(options.staticData ?? {});
	const runs: IDataObject[][] = [];

	const workflow = (staticData: IDataObject) =>
		new Workflow({
			id: workflowId,
			name: 'trigger test',
			active: true,
			nodeTypes,
			staticData,
			nodes: [
				{
					id: 'trigger-node',
					name: TRIGGER,
					type: TRIGGER_TYPE,
					typeVersion: 1,
					position: [0, 0],
					webhookId: 'a7c6f1d2-0c1e-4c39-9b54-3f1f8a0d1e11',
					parameters: structuredClone(options.parameters ?? {}),
					credentials: Object.fromEntries(Object.keys(credentials).map((type): [string, INodeCredentialsDetails] => [type, { id: type, name: type }])),
				},
				{ id: 'capture-node', name: CAPTURE, type: 'test.capture', typeVersion: 1, position: [200, 0], parameters: {} },
			],
			connections: { [TRIGGER]: { main: [[{ node: CAPTURE, type: 'main', index: 0 }]] } },
		});

	const saveStaticData = (target: Workflow) => {
		if (target.staticData.__dataChanged !== true) return;
		// As n8n stores it: JSON in the workflow's row.
		stored = JSON.parse(JSON.stringify(target.staticData)) as IDataObject;
		target.staticData.__dataChanged = false;
	};

	const webhookData = (node: INode, data: IWorkflowExecuteAdditionalData): IWebhookData => ({
		httpMethod: 'POST',
		node: TRIGGER,
		path: `${node.webhookId}/webhook`,
		webhookDescription: trigger.description.webhooks![0],
		workflowId,
		workflowExecuteAdditionalData: data,
	});

	// As n8n activates the workflow (WebhookService.createWebhookIfNotExists): checkExists, then create.
	const activated = workflow(structuredClone(stored));
	const activatedNode = activated.getNode(TRIGGER) as INode;
	const activationData = additionalData(credentials);
	const hook = new HookContext(activated, activatedNode, activationData, 'trigger', 'activate', webhookData(activatedNode, activationData));
	const methods = trigger.webhookMethods!.default;
	if (!(await methods.checkExists.call(hook))) await methods.create.call(hook);

	const handle = async (request: IncomingMessage, response: ServerResponse) => {
		const webhookWorkflow = workflow(structuredClone(stored));
		const node = webhookWorkflow.getNode(TRIGGER) as INode;
		const data = additionalData(credentials, { httpRequest: request, httpResponse: response });
		const context = new WebhookContext(webhookWorkflow, node, data, 'webhook', webhookData(node, data), [], null);
		let result;
		try {
			result = await trigger.webhook.call(context);
		} catch (error) {
			// n8n answers a failing webhook node with 500: EventBridge and SNS deliver again later.
			return respond(response, 500, { code: 0, message: (error as Error).message });
		}
		if (result.noWebhookResponse) return saveStaticData(webhookWorkflow);
		if (result.workflowData === undefined) {
			respond(response, 200, result.webhookResponse ?? { message: 'Webhook call received' });
			return saveStaticData(webhookWorkflow);
		}
		// WorkflowRunner.run wraps the same static data in a new Workflow before anything is saved
		// (establishContextForPersistence), which clears its changed flag, and runs the execution on
		// static data reloaded from the database.
		workflow(webhookWorkflow.staticData);
		const executionWorkflow = workflow(structuredClone(stored));
		respond(response, 200, { message: 'Workflow was started' });
		saveStaticData(webhookWorkflow);
		const runExecutionData = createRunExecutionData({
			executionData: { nodeExecutionStack: [{ node: executionWorkflow.getNode(TRIGGER) as INode, data: { main: result.workflowData }, source: null }] },
		});
		data.hooks = new ExecutionLifecycleHooks('webhook', `execution-${runs.length + 1}`, executionWorkflow as never);
		const run = await new WorkflowExecute(data, 'webhook', runExecutionData).processRunExecutionData(executionWorkflow);
		const received = run.data.resultData.runData[CAPTURE]?.[0]?.data?.main?.[0] ?? [];
		runs.push(received.map((item) => item.json));
		saveStaticData(executionWorkflow);
	};

	const pending = new Set<Promise<void>>();
	const server = createServer((request, response) => {
		const done = readBody(request)
			.then(() => handle(request, response))
			.catch((error: Error) => respond(response, 500, { message: error.message }))
			.finally(() => pending.delete(done));
		pending.add(done);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;

	return {
		url: `http://127.0.0.1:${port}/webhook/a7c6f1d2-0c1e-4c39-9b54-3f1f8a0d1e11/webhook`,
		runs,
		storedStaticData: () => structuredClone(stored),
		stop: async () => {
			await Promise.all(pending);
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

type ParsedRequest = IncomingMessage & { rawBody?: Buffer; body?: unknown; contentType?: string; params?: object; query?: object };

/** As n8n's rawBodyReader and bodyParser: JSON for application/json, a string for text/plain, else {}. */
async function readBody(request: ParsedRequest): Promise<void> {
	const chunks: Buffer[] = [];
	for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
	request.rawBody = Buffer.concat(chunks);
	// n8n's readRawBody reads the body once; later calls keep it.
	request.readRawBody = async () => {};
	request.contentType = request.headers['content-type']?.split(';')[0].trim().toLowerCase();
	request.params = {};
	request.query = {};
	const text = request.rawBody.toString('utf8');
	if (request.rawBody.length && request.contentType === 'application/json') request.body = JSON.parse(text);
	else if (request.rawBody.length && request.contentType === 'text/plain') request.body = text;
	else request.body = {};
}

function respond(response: ServerResponse, status: number, body: unknown) {
	if (response.headersSent) return;
	response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
	response.end(JSON.stringify(body));
}

function captureNode(): INodeType {
	return {
		description: {
			displayName: 'Capture',
			name: 'testCapture',
			group: ['transform'],
			version: 1,
			description: 'Passes its input on',
			defaults: { name: CAPTURE },
			inputs: ['main'],
			outputs: ['main'],
			properties: [],
		},
		async execute() {
			return [this.getInputData()];
		},
	};
}

function registry(types: Record<string, INodeType>): INodeTypes {
	return {
		getByName: (name) => types[name],
		getByNameAndVersion: (name) => types[name],
		getKnownTypes: () => ({}),
	};
}

/**
 * Makes n8n's outbound requests in this process trust `certificatePem` besides Node's own CAs, as
 * NODE_EXTRA_CA_CERTS makes an n8n process trust it (Node reads that variable only when a process
 * starts). Returns the undo.
 */
export function trustCertificate(certificatePem: string): () => void {
	const outbound = Container.get(OutboundHttp);
	const requests = outbound.requests;
	outbound.requests = (options) => {
		const client = requests.call(outbound, options);
		const ca = [...rootCertificates, certificatePem];
		return { ...client, request: async (request: Parameters<typeof client.request>[0]) => await client.request({ ...request, agentOptions: { ...request.agentOptions, ca } }) } as typeof client;
	};
	return () => {
		outbound.requests = requests;
	};
}
