// The n8n nodes the example workflows use besides this package's, for the demo's run through n8n-core's engine.
// n8n's own (n8n-nodes-base) come with n8n itself, a 3 GB install this package does not depend on; these do what
// n8n's do with the parameters the examples set, and nothing more: expressions, filters (If, Switch), paired items
// and the webhook's answer all go through n8n-core and n8n-workflow. `npm run demo -- --editor` runs the examples
// on real n8n instead.
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookResponseData,
	WAIT_INDEFINITELY,
} from 'n8n-workflow';

const describe = (name: string, displayName: string, properties: INodeProperties[], rest: Partial<INodeTypeDescription> = {}): INodeTypeDescription => ({
	displayName,
	name,
	group: ['transform'],
	version: 1,
	description: displayName,
	defaults: { name: displayName },
	inputs: ['main'],
	outputs: ['main'],
	properties,
	...rest,
});

const string = (name: string, value = ''): INodeProperties => ({ displayName: name, name, type: 'string', default: value });
const filter = (name: string): INodeProperties => ({ displayName: name, name, type: 'filter', default: {} });
const collection = (name: string, options: INodeProperties[]): INodeProperties => ({ displayName: name, name, type: 'collection', default: {}, options });

/** Manual Trigger: starts a run with one empty item. */
const manualTrigger: INodeType = {
	description: describe('manualTrigger', 'Manual Trigger', [], { group: ['trigger'], inputs: [] }),
	async execute() {
		return [this.getInputData()];
	},
};

/** Webhook: the engine passes the request's item on (the demo builds it as n8n's Webhook node does). */
const webhook: INodeType = {
	description: describe('webhook', 'Webhook', [string('httpMethod', 'GET'), string('path'), string('responseMode', 'onReceived'), collection('options', [])], {
		group: ['trigger'],
		inputs: [],
	}),
	async webhook(): Promise<IWebhookResponseData> {
		throw new Error('The demo hands the Webhook node its request item');
	},
};

/** No Operation: passes its items on. */
const noOp: INodeType = {
	description: describe('noOp', 'No Operation, do nothing', []),
	async execute() {
		return [this.getInputData()];
	},
};

/**
 * Code (JavaScript, Run Once for All Items): runs the code with what n8n's Code node gives it (the workflow data
 * proxy: $input, $, $json, $now; $getWorkflowStaticData; items) and wraps returned objects that lack `json`.
 */
const code: INodeType = {
	description: describe('code', 'Code', [string('mode', 'runOnceForAllItems'), string('language', 'javaScript'), string('jsCode')]),
	async execute(this: IExecuteFunctions) {
		const mode = this.getNodeParameter('mode', 0) as string;
		const language = this.getNodeParameter('language', 0) as string;
		if (mode !== 'runOnceForAllItems' || language !== 'javaScript') {
			throw new NodeOperationError(this.getNode(), `The demo runs JavaScript once for all items, not ${language} ${mode}`);
		}
		const proxy = this.getWorkflowDataProxy(0) as unknown as Record<string, unknown>;
		const context: Record<string, unknown> = {
			...Object.fromEntries(Object.keys(proxy).filter((key) => /^[$A-Za-z_][$\w]*$/.test(key)).map((key) => [key, proxy[key]])),
			$getWorkflowStaticData: (type: string) => this.getWorkflowStaticData(type),
			items: this.getInputData(),
		};
		const run = new Function(...Object.keys(context), `return (async () => {\n${this.getNodeParameter('jsCode', 0) as string}\n})();`) as (
			...values: unknown[]
		) => Promise<unknown>;
		const result = await run(...Object.values(context));
		const returned = Array.isArray(result) ? result : [result];
		return [
			returned.map((item) => {
				if (item === null || typeof item !== 'object') throw new NodeOperationError(this.getNode(), 'Code doesn’t return items properly: each must be an object');
				return 'json' in item ? (item as INodeExecutionData) : { json: item as IDataObject };
			}),
		];
	},
};

/** If: the filter's verdict per item, true to the first output and false to the second. */
const ifNode: INodeType = {
	description: describe('if', 'If', [filter('conditions'), { displayName: 'Loose', name: 'looseTypeValidation', type: 'boolean', default: false }, collection('options', [])], {
		outputs: ['main', 'main'],
	}),
	async execute(this: IExecuteFunctions) {
		const outputs: INodeExecutionData[][] = [[], []];
		this.getInputData().forEach((item, index) => {
			const pass = this.getNodeParameter('conditions', index, false, { extractValue: true }) as boolean;
			outputs[pass ? 0 : 1].push({ ...item, pairedItem: { item: index } });
		});
		return outputs;
	},
};

/** Switch (Rules): each item to the first rule it matches, else to the fallback output ('extra': after the rules). */
const switchNode: INodeType = {
	description: describe(
		'switch',
		'Switch',
		[
			string('mode', 'rules'),
			{
				displayName: 'Routing Rules',
				name: 'rules',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				options: [{ displayName: 'Values', name: 'values', values: [filter('conditions'), { displayName: 'Rename', name: 'renameOutput', type: 'boolean', default: false }, string('outputKey')] }],
			},
			collection('options', [string('fallbackOutput', 'none'), string('renameFallbackOutput')]),
		],
		{ outputs: ['main', 'main', 'main', 'main'] },
	),
	async execute(this: IExecuteFunctions) {
		const rules = this.getNodeParameter('rules.values', 0, []) as unknown[];
		const fallback = this.getNodeParameter('options.fallbackOutput', 0, 'none') as string | number;
		const outputs: INodeExecutionData[][] = Array.from({ length: rules.length + (fallback === 'extra' ? 1 : 0) }, () => []);
		this.getInputData().forEach((item, index) => {
			const rule = rules.findIndex((_, ruleIndex) => this.getNodeParameter(`rules.values[${ruleIndex}].conditions`, index, false, { extractValue: true }));
			const output = rule >= 0 ? rule : fallback === 'extra' ? rules.length : typeof fallback === 'number' ? fallback : -1;
			if (output >= 0) outputs[output].push({ ...item, pairedItem: { item: index } });
		});
		return outputs;
	},
};

interface Assignment {
	name: string;
	value: unknown;
	type: string;
}

/** Edit Fields (Set), manual mapping: each item becomes the assigned fields, each converted to its type. */
const set: INodeType = {
	description: describe('set', 'Edit Fields (Set)', [
		{ displayName: 'Fields to Set', name: 'assignments', type: 'assignmentCollection', default: {} },
		collection('options', []),
	]),
	async execute(this: IExecuteFunctions) {
		return [
			this.getInputData().map((_, index) => {
				const assignments = this.getNodeParameter('assignments.assignments', index, []) as Assignment[];
				const json = Object.fromEntries(assignments.map(({ name, value, type }) => [name, convert(this, name, value, type, index)])) as IDataObject;
				return { json, pairedItem: { item: index } };
			}),
		];
	},
};
/** As n8n's Edit Fields converts an assignment to its type: null stays null, objects become JSON text. */
function convert(context: IExecuteFunctions, name: string, value: unknown, type: string, index: number): unknown {
	if (value === undefined || value === null) return null;
	if (type === 'string') return typeof value === 'object' ? JSON.stringify(value) : String(value);
	if (type === 'number') {
		const number = Number(value);
		if (Number.isNaN(number)) throw new NodeOperationError(context.getNode(), `'${name}' expects a number but we got '${String(value)}'`, { itemIndex: index });
		return number;
	}
	return value;
}

/** Respond to Webhook: sends the first item's JSON or a text (with the response code and headers) as the answer. */
const respondToWebhook: INodeType = {
	description: describe('respondToWebhook', 'Respond to Webhook', [
		string('respondWith', 'firstIncomingItem'),
		string('responseBody'),
		collection('options', [
			{ displayName: 'Response Code', name: 'responseCode', type: 'number', default: 200 },
			{
				displayName: 'Response Headers',
				name: 'responseHeaders',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				options: [{ displayName: 'Entries', name: 'entries', values: [string('name'), string('value')] }],
			},
		]),
	]),
	async execute(this: IExecuteFunctions) {
		const items = this.getInputData();
		const respondWith = this.getNodeParameter('respondWith', 0) as string;
		if (respondWith !== 'text' && respondWith !== 'firstIncomingItem') throw new NodeOperationError(this.getNode(), `The demo answers with text or the first item, not ${respondWith}`);
		const entries = this.getNodeParameter('options.responseHeaders.entries', 0, []) as Array<{ name: string; value: string }>;
		await this.sendResponse({
			body: respondWith === 'text' ? (this.getNodeParameter('responseBody', 0) as string) : items[0]?.json,
			headers: Object.fromEntries(entries.map(({ name, value }) => [name.toLowerCase(), value])),
			statusCode: this.getNodeParameter('options.responseCode', 0, 200) as number,
		});
		return [items];
	},
};

/**
 * Wait (resume on a form submission): the execution waits, as n8n's Wait node makes it wait for a person to answer
 * the form at its resume URL. The demo answers no form: the execution ends waiting there.
 */
const wait: INodeType = {
	description: describe('wait', 'Wait', [string('resume', 'timeInterval'), string('formTitle'), string('formDescription'), collection('options', [])]),
	async execute(this: IExecuteFunctions) {
		const resume = this.getNodeParameter('resume', 0) as string;
		if (resume !== 'form') throw new NodeOperationError(this.getNode(), `The demo waits for a form, not ${resume}`);
		await this.putExecutionToWait(new Date(WAIT_INDEFINITELY));
		return [this.getInputData()];
	},
};

/** The node types by the names workflows give them. */
export const N8N_NODE_TYPES: Record<string, INodeType> = {
	'n8n-nodes-base.manualTrigger': manualTrigger,
	'n8n-nodes-base.webhook': webhook,
	'n8n-nodes-base.noOp': noOp,
	'n8n-nodes-base.code': code,
	'n8n-nodes-base.if': ifNode,
	'n8n-nodes-base.switch': switchNode,
	'n8n-nodes-base.set': set,
	'n8n-nodes-base.respondToWebhook': respondToWebhook,
	'n8n-nodes-base.wait': wait,
};

/** Types the examples hold that never run in the demo: notes, and the schedules it replaces by running them now. */
export const NOT_RUN = new Set(['n8n-nodes-base.stickyNote', 'n8n-nodes-base.scheduleTrigger']);
