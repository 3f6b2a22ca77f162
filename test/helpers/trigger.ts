// Runs a workflow starting at the AWS Marketplace Trigger the way n8n 2.41 serves an active workflow's production
// webhook, over real HTTP: it activates the node as n8n does (its webhook methods, through n8n-core's HookContext),
// then a tiny server parses the body as n8n's body parser does, builds the workflow from its stored static data (n8n
// reloads it for every request), calls the node's webhook() through n8n-core's own WebhookContext, answers as n8n's
// webhook helpers do, and runs the workflow it starts through n8n-core's WorkflowExecute (by default into a node that
// keeps what it received). Static data is saved when n8n 2.41 saves it (packages/cli: LiveWebhooks.executeWebhook,
// WorkflowRunner.run). The emulator's lifecycle endpoints post AWS's events to it (postEvent, postSnsMessage).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rootCertificates } from 'node:tls';

import { OutboundHttp } from '@n8n/backend-network';
import { Container } from '@n8n/di';
import { HookContext, WebhookContext } from 'n8n-core';
import {
	Workflow,
	type IConnections,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type INodeCredentialsDetails,
	type INodeParameters,
	type INodeType,
	type IRun,
	type IWebhookData,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import type { Emulator } from '../../emulator';
// With its extension: tsx would otherwise resolve the codex file AwsMarketplaceTrigger.node.json.
import { AwsMarketplaceTrigger } from '../../nodes/AwsMarketplaceTrigger/AwsMarketplaceTrigger.node.ts';
import { additionalData } from './additionalData';
import { executeWorkflow, nodeTypeRegistry } from './engine';

const TRIGGER = 'AWS Marketplace Trigger';
const CAPTURE = 'Capture';
const WEBHOOK_ID = 'a7c6f1d2-0c1e-4c39-9b54-3f1f8a0d1e11';
export const TRIGGER_TYPE = 'n8n-nodes-aws-marketplace-metering.awsMarketplaceTrigger';

export const API_KEY = { header: 'x-api-key', value: 'trigger-test-secret-7f0c2a9e' };

export interface TriggerOptions {
	parameters?: INodeParameters;
	/** Decrypted credentials by type; default: the webhook credential with API_KEY. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	workflowId?: string;
	/** Static data as stored before the first request. */
	staticData?: IDataObject;
	/**
	 * The workflow to run instead of the trigger and a node keeping what it received: its nodes (one of them of
	 * TRIGGER_TYPE, with a webhookId), connections and the node types besides the trigger's.
	 */
	workflow?: { nodes: INode[]; connections: IConnections; nodeTypes: Record<string, INodeType> };
}

export interface TriggerServer {
	/** The production webhook URL. */
	url: string;
	/** The items each started execution's trigger passed on, in order. */
	runs: IDataObject[][];
	/** Each started execution, in order. */
	executions: IRun[];
	/** Resolves once every request so far was answered and the executions it started ended. */
	idle(): Promise<void>;
	/** The workflow's static data as n8n's database holds it. */
	storedStaticData(): IDataObject;
	stop(): Promise<void>;
}

export async function startTrigger(options: TriggerOptions = {}): Promise<TriggerServer> {
	const trigger = new AwsMarketplaceTrigger();
	const credentials = options.credentials ?? { awsMarketplaceWebhookApi: { headerName: API_KEY.header, apiKey: API_KEY.value } };
	const credentialReferences = Object.fromEntries(Object.keys(credentials).map((type): [string, INodeCredentialsDetails] => [type, { id: type, name: type }]));
	const shape = options.workflow ?? {
		nodes: [
			{
				id: 'trigger-node',
				name: TRIGGER,
				type: TRIGGER_TYPE,
				typeVersion: 1,
				position: [0, 0] as [number, number],
				webhookId: WEBHOOK_ID,
				parameters: options.parameters ?? {},
				credentials: credentialReferences,
			},
			{ id: 'capture-node', name: CAPTURE, type: 'test.capture', typeVersion: 1, position: [200, 0] as [number, number], parameters: {} },
		],
		connections: { [TRIGGER]: { main: [[{ node: CAPTURE, type: 'main' as const, index: 0 }]] } },
		nodeTypes: { 'test.capture': captureNode() },
	};
	const triggerNode = shape.nodes.find((node) => node.type === TRIGGER_TYPE);
	if (!triggerNode?.webhookId) throw new Error(`The workflow needs a node of type ${TRIGGER_TYPE} with a webhookId`);
	const nodeTypes = nodeTypeRegistry({ ...shape.nodeTypes, [TRIGGER_TYPE]: trigger });
	const workflowId = options.workflowId ?? 'trigger-test';
	let stored: IDataObject = structuredClone(options.staticData ?? {});
	const runs: IDataObject[][] = [];
	const executions: IRun[] = [];

	const workflow = (staticData: IDataObject) =>
		new Workflow({ id: workflowId, name: 'trigger test', active: true, nodeTypes, staticData, nodes: structuredClone(shape.nodes), connections: shape.connections });

	const saveStaticData = (target: Workflow) => {
		if (target.staticData.__dataChanged !== true) return;
		// As n8n stores it: JSON in the workflow's row.
		stored = JSON.parse(JSON.stringify(target.staticData)) as IDataObject;
		target.staticData.__dataChanged = false;
	};

	const webhookData = (node: INode, data: IWorkflowExecuteAdditionalData): IWebhookData => ({
		httpMethod: 'POST',
		node: node.name,
		path: `${node.webhookId}/webhook`,
		webhookDescription: trigger.description.webhooks![0],
		workflowId,
		workflowExecuteAdditionalData: data,
	});

	// As n8n activates the workflow (WebhookService.createWebhookIfNotExists): checkExists, then create.
	const activated = workflow(structuredClone(stored));
	const activatedNode = activated.getNode(triggerNode.name) as INode;
	const activationData = additionalData(credentials);
	const hook = new HookContext(activated, activatedNode, activationData, 'trigger', 'activate', webhookData(activatedNode, activationData));
	const methods = trigger.webhookMethods!.default;
	if (!(await methods.checkExists.call(hook))) await methods.create.call(hook);

	const handle = async (request: IncomingMessage, response: ServerResponse) => {
		const webhookWorkflow = workflow(structuredClone(stored));
		const node = webhookWorkflow.getNode(triggerNode.name) as INode;
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
		const run = await executeWorkflow(executionWorkflow, {
			credentials,
			start: { node: triggerNode.name, data: result.workflowData },
			mode: 'webhook',
			executionId: `execution-${executions.length + 1}`,
			http: { httpRequest: request, httpResponse: response },
		});
		executions.push(run);
		runs.push((run.data.resultData.runData[triggerNode.name]?.[0]?.data?.main?.[0] ?? []).map((item) => item.json));
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
		url: `http://127.0.0.1:${port}/webhook/${triggerNode.webhookId}/webhook`,
		runs,
		executions,
		idle: async () => {
			await Promise.all(pending);
		},
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

export interface Delivery {
	/** The trigger's answer. */
	status: number;
	body: Record<string, unknown>;
	/** What the emulator posted. */
	sent: Record<string, unknown>;
}

async function admin(emulator: Emulator, path: string, input: unknown): Promise<Delivery> {
	const response = await fetch(`${emulator.url}/_emulator/lifecycle/${path}`, { method: 'POST', body: JSON.stringify(input) });
	const answer = (await response.json()) as Record<string, unknown>;
	if (response.status !== 200) throw new Error(`The emulator answered ${response.status}: ${JSON.stringify(answer)}`);
	const { status, body, ...sent } = answer;
	return { status: status as number, body: body ? (JSON.parse(body as string) as Record<string, unknown>) : {}, sent };
}

export const postEvent = (emulator: Emulator, input: { url: string; example: string; apiKey?: { header: string; value: string }; event?: unknown }) =>
	admin(emulator, 'eventbridge', input);

export const postSnsMessage = (
	emulator: Emulator,
	input: {
		url: string;
		topicArn: string;
		type?: string;
		message?: unknown;
		signatureVersion?: '1' | '2';
		messageId?: string;
		timestamp?: string;
		signingCertUrl?: string;
		subscribeUrl?: string;
		tamper?: boolean;
	},
) => admin(emulator, 'sns', input);
