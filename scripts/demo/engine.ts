// The demo through n8n's engine: the example workflows run by n8n-core's WorkflowExecute, in this process, against
// the emulator with its sample configuration; the package's nodes as n8n loads them, n8n's own nodes as n8nNodes.ts
// has them. Webhook workflows get the request a caller would send, the lifecycle workflow AWS's events as
// EventBridge posts them (the emulator posts them to the trigger over HTTP). It prints what each workflow did, then
// checks that the emulator billed exactly the usage the workflows recorded and said they billed.
import { randomBytes } from 'node:crypto';

import { Workflow, type ICredentialDataDecryptedObject, type IDataObject, type INode, type INodeType, type IRun } from 'n8n-workflow';

import { DEFAULT_TEST_CREDENTIAL, startEmulator, type Emulator } from '../../emulator';
import { loadSampleConfig } from '../../emulator/sampleConfig';
import { AwsMarketplaceMetering } from '../../nodes/AwsMarketplaceMetering/AwsMarketplaceMetering.node.ts';
import { executeWorkflow, METERING_NODE_TYPE, nodeTypeRegistry } from '../../test/helpers/engine';
import { postEvent, startTrigger } from '../../test/helpers/trigger';
import {
	eventBridgeLicenseArn,
	EXAMPLE_CUSTOMERS,
	EXAMPLE_PRODUCT_CODE,
	loadExamples,
	TRIGGER_NODE_TYPE,
	usageEvent,
	withPublicKey,
	type ExampleName,
	type Workflow as ExampleWorkflow,
} from '../e2e/lib/examples';
import { N8N_NODE_TYPES, NOT_RUN } from './n8nNodes';
import { billedTable, customerName, hourText, recordedLine, reportTable, requestsTable } from './print';
import { demoUsage, hoursBack } from './usage';

type Json = Record<string, unknown>;
type Say = (line?: string) => void;

const HOUR = 3_600_000;

/** Every item a node passed on at one output, over all its runs in the execution. */
export function nodeOutput(run: IRun, node: string, output = 0): Json[] {
	return (run.data.resultData.runData[node] ?? []).flatMap((task) => (task.data?.main[output] ?? []).map((item) => item.json));
}

/** The examples as the engine runs them, with the emulator's credentials. */
class Examples {
	readonly workflows: Record<ExampleName, ExampleWorkflow>;
	readonly credentials: Record<string, ICredentialDataDecryptedObject>;
	readonly apiKey = { header: 'x-api-key', value: randomBytes(32).toString('hex') };
	private readonly nodeTypes: Record<string, INodeType> = { ...N8N_NODE_TYPES, [METERING_NODE_TYPE]: new AwsMarketplaceMetering() };

	constructor(readonly emulator: Emulator) {
		const examples = loadExamples();
		// The container start example holds a placeholder for the product's public key: the emulator's signs.
		this.workflows = { ...examples, containerStart: withPublicKey(examples.containerStart, emulator.publicKeyPem) };
		const known = new Set([...Object.keys(this.nodeTypes), TRIGGER_NODE_TYPE, ...NOT_RUN]);
		const unknown = Object.values(this.workflows).flatMap((workflow) => workflow.nodes.filter((node) => !known.has(node.type)).map((node) => `${workflow.name}: ${node.type}`));
		if (unknown.length) throw new Error(`The demo has no node of these types: ${unknown.join(', ')}`);
		const { accessKeyId, secretAccessKey } = DEFAULT_TEST_CREDENTIAL;
		this.credentials = {
			awsMarketplaceMeteringApi: { region: emulator.region, credentialSource: 'accessKeys', accessKeyId, secretAccessKey, sessionToken: '', assumeRole: false, endpoint: emulator.url },
			awsMarketplaceWebhookApi: { headerName: this.apiKey.header, apiKey: this.apiKey.value },
		};
	}

	private workflow(name: ExampleName): Workflow {
		const { id, name: title, nodes, connections } = this.workflows[name];
		return new Workflow({ id, name: title, active: true, nodes: structuredClone(nodes) as unknown as INode[], connections: connections as never, nodeTypes: nodeTypeRegistry(this.nodeTypes), staticData: {} });
	}

	/** Runs a workflow from its manual trigger, as its button in the editor does. */
	async run(name: ExampleName, trigger: string): Promise<IRun> {
		return await this.executed(await executeWorkflow(this.workflow(name), { credentials: this.credentials, start: { node: trigger } }));
	}

	/**
	 * A POST to the workflow's Webhook node: the engine starts from the item n8n's Webhook node makes of the request;
	 * the answer is what Respond to Webhook sent, or the last node's first item.
	 */
	async post(name: ExampleName, body: unknown, contentType = 'application/json'): Promise<{ run: IRun; status: number; body: unknown }> {
		const workflow = this.workflow(name);
		const webhook = this.workflows[name].nodes.find((node) => node.type === 'n8n-nodes-base.webhook')!;
		const path = String(webhook.parameters.path);
		const item = {
			json: { headers: { host: 'localhost:5678', 'content-type': contentType }, params: {}, query: {}, body: body as IDataObject, webhookUrl: `http://localhost:5678/webhook/${path}`, executionMode: 'production' },
		};
		let answer: { statusCode?: number; body?: unknown } | undefined;
		const run = await executeWorkflow(workflow, {
			credentials: this.credentials,
			mode: 'webhook',
			start: { node: webhook.name, data: [[item]] },
			onHooks: (hooks) => hooks.addHandler('sendResponse', (response) => void (answer = response as typeof answer)),
		});
		await this.executed(run);
		if (webhook.parameters.responseMode === 'lastNode') {
			const last = run.data.resultData.lastNodeExecuted!;
			answer = { statusCode: 200, body: nodeOutput(run, last)[0] };
		}
		return { run, status: answer?.statusCode ?? 200, body: answer?.body };
	}

	/** The lifecycle workflow behind the trigger's production webhook, over HTTP. */
	async serveLifecycle() {
		const { id, nodes, connections } = this.workflows.lifecycle;
		return await startTrigger({
			workflowId: id,
			credentials: this.credentials,
			workflow: { nodes: nodes as unknown as INode[], connections: connections as never, nodeTypes: this.nodeTypes },
		});
	}

	private async executed(run: IRun): Promise<IRun> {
		const error = run.data.resultData.error;
		if (error) throw new Error(`The workflow stopped at ${String(run.data.resultData.lastNodeExecuted)}: ${error.message}`);
		return run;
	}
}

/** What the workflows recorded for AWS, per license, dimension and hour: what the emulator must have billed. */
class Expected {
	readonly quantities = new Map<string, number>();

	add(licenseArn: unknown, dimension: unknown, hour: unknown, quantity: unknown) {
		const key = `${String(licenseArn)}|${String(dimension)}|${new Date(typeof hour === 'number' ? hour : String(hour)).toISOString()}`;
		this.quantities.set(key, (this.quantities.get(key) ?? 0) + Number(quantity));
	}

	/** Differences between the emulator's billing and what the workflows recorded; none when they agree. */
	differences(emulator: Emulator): string[] {
		const billed = new Map<string, number>();
		for (const [key, { quantity }] of Object.entries(emulator.stats().billed)) {
			const [license, , dimension, hour] = key.split('|');
			billed.set(`${license}|${dimension}|${new Date(hour).toISOString()}`, quantity);
		}
		const keys = new Set([...billed.keys(), ...this.quantities.keys()]);
		return [...keys]
			.filter((key) => billed.get(key) !== this.quantities.get(key))
			.map((key) => `${key}: billed ${billed.get(key) ?? 'nothing'}, recorded ${this.quantities.get(key) ?? 'nothing'}`);
	}
}

/**
 * With the hourly example's Send Zero Usage for Idle Hours: a record of 0 for each listed dimension of each active
 * license in every hour closed at the run, from the hour the license started, within AWS's 24 hours (adding 0 to an
 * hour with usage changes nothing).
 */
function expectZeroUsage(examples: Examples, expected: Expected, active: Array<{ licenseArn: string; since: number }>, runAt: number) {
	const metering = examples.workflows.hourlyMetering.nodes.find((node) => node.type === METERING_NODE_TYPE)!.parameters;
	const products = (((metering.options as Json | undefined)?.zeroUsage as Json | undefined)?.products ?? []) as Array<{ productCode: string; dimensions: string }>;
	const dimensions = products.filter((product) => product.productCode === EXAMPLE_PRODUCT_CODE).flatMap((product) => product.dimensions.split(',').map((dimension) => dimension.trim()));
	const closeAfter = Number(metering.closeAfterMinutes) * 60_000;
	for (const { licenseArn, since } of active) {
		for (let hour = Math.max(Math.floor(since / HOUR) * HOUR, Math.floor(runAt / HOUR) * HOUR - 24 * HOUR); hour + HOUR + closeAfter <= runAt; hour += HOUR) {
			for (const dimension of dimensions) expected.add(licenseArn, dimension, hour, 0);
		}
	}
}

async function containerStart(examples: Examples, say: Say) {
	say(`- "${examples.workflows.containerStart.name}": the container starts`);
	const run = await examples.run('containerStart', 'Container starts');
	const [registered] = nodeOutput(run, 'Register Usage');
	say(`  Register Usage: signature ${registered?.verified ? 'verified' : 'NOT verified'} for product ${String((registered?.claims as Json | undefined)?.ProductCode)}`);
	if (!registered?.verified) throw new Error('Register Usage did not verify the signature');
}

/**
 * The connected seller example: Acme signs up (its license recorded in the ledger), Globex's license arrives by
 * AWS's License Updated event, both use the product (usage posted to the usage webhook between hourly runs, a late
 * event and a repeated one), a cancellation request for Globex's agreement waits for a person, Globex's license is
 * deprovisioned (its final usage sent at once, found by the event's spelling of the license ARN), and the report.
 * The usage events are 2 to 4 hours old, so that their hours have closed.
 */
async function seller(examples: Examples, expected: Expected, say: Say) {
	const { acme, globex } = EXAMPLE_CUSTOMERS;
	const { workflows, emulator, apiKey } = examples;
	const at = hoursBack();
	const usage = demoUsage(at);
	const now = () => new Date(Date.now() - 1000);
	const sampleConfig = loadSampleConfig();

	const signedUpAt = Date.now();
	for (const [what, token] of [
		['Acme signs up', sampleConfig.registrationTokens?.find((candidate) => !candidate.expired)?.token],
		['An old sign-up link', sampleConfig.registrationTokens?.find((candidate) => candidate.expired)?.token],
	] as const) {
		say(`- ${what}: POST x-amzn-marketplace-token=${String(token)} to "${workflows.signUp.name}"`);
		const answer = await examples.post('signUp', { 'x-amzn-marketplace-token': token }, 'application/x-www-form-urlencoded');
		const page = /<body>([\s\S]*)<\/body>/.exec(String(answer.body))?.[1] ?? String(answer.body);
		say(`  HTTP ${answer.status}: ${page.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()}`);
		const license = nodeOutput(answer.run, 'Resolve Customer')[0]?.license as Json | undefined;
		if (license) say(`  Resolve Customer recorded license ${String(license.licenseId)} in the ledger: ${String(license.state)} (${String(license.licenseResult)})`);
	}

	// The licenses active in the ledger, from the hour they started: Acme's by its sign-up, Globex's by AWS's event.
	const active: Array<{ licenseArn: string; since: number }> = [{ licenseArn: acme.licenseArn, since: signedUpAt }];
	const trigger = await examples.serveLifecycle();
	try {
		const deliver = async (what: string, example: string, options: { event?: Json; apiKey?: typeof apiKey | null } = {}) => {
			say(`- ${what}: AWS's "${example}" event to "${workflows.lifecycle.name}" (EventBridge API destination)`);
			const before = trigger.executions.length;
			const delivery = await postEvent(emulator, { url: trigger.url, example, apiKey: options.apiKey === null ? undefined : apiKey, event: options.event });
			await trigger.idle();
			const execution = trigger.executions[before];
			say(`  HTTP ${delivery.status}: ${String(delivery.body.message)}${execution ? '' : ': no execution'}`);
			if (execution) {
				const ran = Object.keys(execution.data.resultData.runData);
				const agreement = nodeOutput(execution, 'Describe Agreement')[0];
				say(`  Describe Agreement: ${agreement?.error ? String(agreement.error) : `${String(agreement?.agreementId)} ${String(agreement?.status)}, buyer ${String(agreement?.customerAWSAccountId)}`}`);
				for (const item of nodeOutput(execution, 'Notify')) say(`  Notify: ${String(item.message)}`);
				if (execution.status === 'waiting') say(`  The execution waits at "${String(execution.data.resultData.lastNodeExecuted)}" for a person to answer its form`);
				else say(`  Ran: ${ran.join(' → ')}`);
			}
			return delivery;
		};
		const globexLicense = (time: Date) => ({
			time: time.toISOString(),
			detail: {
				agreement: { id: 'agmt-abcdexampleid' },
				license: { arn: eventBridgeLicenseArn(globex.licenseArn) },
				acceptor: { accountId: globex.customerAWSAccountId },
				product: { code: EXAMPLE_PRODUCT_CODE },
			},
		});
		await deliver('Globex’s license is provisioned, 5 hours ago', 'License Updated - Manufacturer', { event: globexLicense(at(5, 0)) });
		active.push({ licenseArn: globex.licenseArn, since: at(5, 0).getTime() });

		const ingest = async (what: string, events: Json[]) => {
			say(`- ${what}: POST ${events.length} usage events to "${workflows.usage.name}"`);
			const { status, body } = await examples.post('usage', events);
			const answer = body as Json;
			say(`  HTTP ${status}: ${String(answer.recorded)} recorded, ${String(answer.duplicates)} duplicates, ${String(answer.afterFinalReport)} after the final report, ${String(answer.invalid)} invalid`);
			for (const [index, result] of ((answer.results ?? []) as Json[]).entries()) {
				say(recordedLine(result));
				if (result.status === 'Recorded') expected.add(events[index].licenseArn, events[index].dimension, result.hour, events[index].quantity);
			}
		};
		const meter = async (what: string) => {
			say(`- ${what}: "${workflows.hourlyMetering.name}", Meter now`);
			const runAt = Date.now();
			const run = await examples.run('hourlyMetering', 'Meter now');
			expectZeroUsage(examples, expected, active, runAt);
			const billed = nodeOutput(run, 'Billed');
			const followUp = nodeOutput(run, 'Follow up');
			say(`  ${billed.length} customer-dimension-hours billed, ${followUp.length} sent to Follow up${billed.length ? ':' : ''}`);
			for (const key of billed) say(`    ${customerName(key.licenseArn)} ${String(key.dimension)} ${hourText(key.hour)}: ${String((key.usageRecord as Json).Quantity)} ${String(key.status)}`);
			for (const item of followUp) say(`    ${customerName(item.licenseArn)} ${String(item.dimension)} ${hourText(item.hour)}: ${String(item.status)}: ${String(item.reason)}`);
		};

		await ingest('Usage happens', [
			...usage.first,
			usageEvent('demo-bad', globex, 'api_calls', -5, at(2, 30)),
		]);
		await meter('The hours close');
		await ingest('More usage: one event late, for an hour already sent, and one sent again', usage.late);
		await meter('The next hourly run');

		await deliver('Your request to cancel Globex’s agreement awaits the buyer', 'Agreement Cancellation Request Pending Approval - Proposer');
		await ingest('Globex uses the product in the hour in progress', usage.inProgress());
		const ended = await deliver('The buyer approved: Globex’s license is deprovisioned (the event spells its ARN its own way)', 'License Deprovisioned - Manufacturer', { event: globexLicense(now()) });
		await deliver('EventBridge delivers the same event again (at least once)', 'License Deprovisioned - Manufacturer', {
			event: { ...globexLicense(now()), id: (ended.sent.event as Json).id, detail: { ...globexLicense(now()).detail, requestId: ((ended.sent.event as Json).detail as Json).requestId } },
		});
		await deliver('A request without the API key', 'License Deprovisioned - Manufacturer', { event: globexLicense(now()), apiKey: null });
		await ingest('Globex usage after its final report', usage.afterFinalReport());
	} finally {
		await trigger.stop();
	}

	say(`- "${workflows.report.name}": Run report`);
	const report = nodeOutput(await examples.run('report', 'Run report'), 'Get Metering Report');
say(reportTable(report).replace(/^/gm, '    '));
}

function emulatorTables(emulator: Emulator, say: Say) {
	say('\nWhat the emulator billed:\n');
	say(billedTable(emulator));
	say('\nRequests the emulator answered:\n');
	say(requestsTable(emulator));
}

/** Runs every example and prints what each did; fails when the emulator did not bill exactly what was recorded. */
export async function runEngineDemo(say: Say): Promise<void> {
	const emulator = await startEmulator({ ...loadSampleConfig(), port: 0 });
	try {
		say(`Emulator of AWS Marketplace's services on ${emulator.url}, with emulator/sample-config.json`);
		const examples = new Examples(emulator);
		const expected = new Expected();
		await seller(examples, expected, say);
		await containerStart(examples, say);
		emulatorTables(emulator, say);
		const differences = expected.differences(emulator);
		if (differences.length) throw new Error(`The emulator's billing differs from the usage the workflows recorded:\n${differences.join('\n')}`);
		say('\nThe emulator billed exactly the usage the workflows recorded, each customer, dimension and hour once.');
	} finally {
		await emulator.stop();
	}
}
