import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { EXAMPLES_DIR, ROOT } from './paths';

export interface WorkflowNode {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	[key: string]: unknown;
}

export interface Workflow {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	[key: string]: unknown;
}

export const METERING_NODE_TYPE = 'n8n-nodes-aws-marketplace-metering.awsMarketplaceMetering';
export const CREDENTIAL_TYPE = 'awsMarketplaceMeteringApi';
export const TRIGGER_NODE_TYPE = 'n8n-nodes-aws-marketplace-metering.awsMarketplaceTrigger';
/** The AWS Marketplace Trigger's credential: the EventBridge connection's API-key header. */
export const WEBHOOK_CREDENTIAL_TYPE = 'awsMarketplaceWebhookApi';

/** The connected seller example (four workflows that meet through the metering ledger), then the other jobs. */
export const EXAMPLE_FILES = {
	signUp: 'seller-sign-up.json',
	usage: 'seller-usage.json',
	hourlyMetering: 'seller-hourly-metering.json',
	lifecycle: 'seller-lifecycle.json',
	report: 'ledger-report.json',
	containerStart: 'container-start.json',
} as const;

export type ExampleName = keyof typeof EXAMPLE_FILES;

export function loadExample(name: ExampleName): Workflow {
	return JSON.parse(readFileSync(join(EXAMPLES_DIR, EXAMPLE_FILES[name]), 'utf8')) as Workflow;
}

export function loadExamples(): Record<ExampleName, Workflow> {
	return Object.fromEntries((Object.keys(EXAMPLE_FILES) as ExampleName[]).map((name) => [name, loadExample(name)])) as Record<ExampleName, Workflow>;
}

/**
 * Batch Meter Usage from input items (no ledger) on a version 1 node, as saved workflows hold it: a Code node's usage
 * events of subscribed and unsubscribed customers. A test workflow, no longer an example.
 */
export function loadInputItemsMetering(): Workflow {
	return JSON.parse(readFileSync(join(ROOT, 'scripts', 'e2e', 'workflows', 'hourly-from-input-items.json'), 'utf8')) as Workflow;
}

export function node(workflow: Workflow, name: string): WorkflowNode {
	const found = workflow.nodes.find((candidate) => candidate.name === name);
	if (!found) throw new Error(`workflow "${workflow.name}" has no node "${name}"`);
	return found;
}

/** The credential of a type the examples reference, which an import must provide under the same ID and name. */
export function credentialReference(workflows: Workflow[], type: string = CREDENTIAL_TYPE): { id: string; name: string } {
	const references = workflows.flatMap((workflow) => workflow.nodes.flatMap((candidate) => (candidate.credentials?.[type] ? [candidate.credentials[type]] : [])));
	const distinct = new Set(references.map((reference) => JSON.stringify(reference)));
	if (distinct.size !== 1) throw new Error(`the examples must reference exactly one ${type} credential, not ${distinct.size}`);
	return references[0];
}

/** A copy whose Register Usage nodes verify signatures with `publicKeyPem` (the example holds a placeholder). */
export function withPublicKey(workflow: Workflow, publicKeyPem: string, id = workflow.id, name = workflow.name): Workflow {
	const copy = structuredClone(workflow);
	copy.id = id;
	copy.name = name;
	for (const candidate of copy.nodes) {
		if (candidate.type === METERING_NODE_TYPE && candidate.parameters.operation === 'registerUsage') {
			candidate.parameters.options = { ...(candidate.parameters.options as object), publicKey: publicKeyPem };
		}
	}
	return copy;
}

/**
 * A copy whose metering nodes that use a ledger get these parameters: `closeAfterMinutes` (Hour Closes After),
 * and `options` merged into Batch Meter Usage's options (for example short resend times, for a shorter lease).
 */
export function withLedgerSettings(
	workflow: Workflow,
	settings: { closeAfterMinutes?: number; options?: Record<string, unknown> },
): Workflow {
	const copy = structuredClone(workflow);
	for (const candidate of copy.nodes) {
		if (candidate.type !== METERING_NODE_TYPE || candidate.parameters.ledger === undefined) continue;
		if (settings.closeAfterMinutes !== undefined && candidate.parameters.operation !== 'recordUsage') {
			candidate.parameters.closeAfterMinutes = settings.closeAfterMinutes;
		}
		if (settings.options && candidate.parameters.operation === 'batchMeterUsage') {
			candidate.parameters.options = { ...(candidate.parameters.options as object), ...settings.options };
		}
	}
	return copy;
}

/** The production URL path of a workflow's Webhook node. */
export function webhookPath(workflow: Workflow): string {
	const webhook = workflow.nodes.find((candidate) => candidate.type === 'n8n-nodes-base.webhook');
	if (!webhook) throw new Error(`workflow "${workflow.name}" has no Webhook node`);
	return `/webhook/${String(webhook.parameters.path)}`;
}

/**
 * The production URL path of a workflow's AWS Marketplace Trigger: `/webhook/<webhookId>/webhook` (the node's
 * webhook path is `webhook`, and n8n puts the node's webhookId before it).
 */
export function triggerPath(workflow: Workflow): string {
	const trigger = workflow.nodes.find((candidate) => candidate.type === TRIGGER_NODE_TYPE);
	if (!trigger) throw new Error(`workflow "${workflow.name}" has no AWS Marketplace Trigger node`);
	if (typeof trigger.webhookId !== 'string') throw new Error(`the trigger of workflow "${workflow.name}" has no webhookId`);
	return `/webhook/${trigger.webhookId}/webhook`;
}

/** What AWS Marketplace does when a buyer subscribes: the buyer's browser posts the registration token. */
export async function postRegistrationToken(
	n8nUrl: string,
	signUp: Workflow,
	token: string,
): Promise<{ status: number; contentType: string; body: string }> {
	const response = await fetch(`${n8nUrl}${webhookPath(signUp)}`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ 'x-amzn-marketplace-token': token }).toString(),
		signal: AbortSignal.timeout(60_000),
	});
	return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: await response.text() };
}

/** POSTs JSON to a workflow's production webhook; answers the status and the parsed JSON answer (or the text). */
export async function postJson(n8nUrl: string, workflow: Workflow, body: unknown): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
	const response = await fetch(`${n8nUrl}${webhookPath(workflow)}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(120_000),
	});
	const text = await response.text();
	let json: Record<string, unknown> = {};
	try {
		json = JSON.parse(text) as Record<string, unknown>;
	} catch {
		// Not JSON: the caller reads `text`.
	}
	return { status: response.status, json, text };
}

/** A customer of the examples: those of emulator/sample-config.json, and one whose license AWS does not know. */
export interface ExampleCustomer {
	name: string;
	customerAWSAccountId: string;
	licenseArn: string;
}

export const EXAMPLE_PRODUCT_CODE = 'saas-analytics';

export const EXAMPLE_CUSTOMERS = {
	acme: {
		name: 'Acme',
		customerAWSAccountId: '111122223333',
		licenseArn: 'arn:aws:license-manager::123456789012:license:l-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
	},
	globex: {
		name: 'Globex',
		customerAWSAccountId: '444455556666',
		licenseArn: 'arn:aws:license-manager::123456789012:license:l-1a2b3c4d5e6f70819203a4b5c6d7e8f9',
	},
	// Not in the emulator's configuration: AWS refuses its license (InvalidLicenseException).
	initech: {
		name: 'Initech',
		customerAWSAccountId: '999988887777',
		licenseArn: 'arn:aws:license-manager::123456789012:license:l-9f8e7d6c5b4a39281706f5e4d3c2b1a0',
	},
} as const satisfies Record<string, ExampleCustomer>;

/** A usage event as the usage example's webhook takes it. */
export function usageEvent(eventId: string, customer: ExampleCustomer, dimension: string, quantity: number, timestamp: Date): Record<string, unknown> {
	return {
		eventId,
		customerAWSAccountId: customer.customerAWSAccountId,
		licenseArn: customer.licenseArn,
		productCode: EXAMPLE_PRODUCT_CODE,
		dimension,
		quantity,
		timestamp: timestamp.toISOString(),
	};
}

/** A license ARN as AWS Marketplace's EventBridge events spell it: `aws:license-manager:<Region>:<account>:l-…`. */
export const eventBridgeLicenseArn = (licenseArn: string) => licenseArn.replace(/^arn:aws:license-manager::(\d+):license[:/]/, 'aws:license-manager:us-east-1:$1:');
