import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { EXAMPLES_DIR } from './paths';

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

export const EXAMPLE_FILES = {
	signUp: 'saas-sign-up.json',
	hourlyMetering: 'hourly-metering.json',
	containerStart: 'container-start.json',
} as const;

export type ExampleName = keyof typeof EXAMPLE_FILES;

export function loadExample(name: ExampleName): Workflow {
	return JSON.parse(readFileSync(join(EXAMPLES_DIR, EXAMPLE_FILES[name]), 'utf8')) as Workflow;
}

export function loadExamples(): Record<ExampleName, Workflow> {
	return {
		signUp: loadExample('signUp'),
		hourlyMetering: loadExample('hourlyMetering'),
		containerStart: loadExample('containerStart'),
	};
}

export function node(workflow: Workflow, name: string): WorkflowNode {
	const found = workflow.nodes.find((candidate) => candidate.name === name);
	if (!found) throw new Error(`workflow "${workflow.name}" has no node "${name}"`);
	return found;
}

/** The credential the examples reference, which an import must provide under the same ID and name. */
export function credentialReference(workflows: Workflow[]): { id: string; name: string } {
	const references = workflows.flatMap((workflow) =>
		workflow.nodes.flatMap((candidate) => (candidate.credentials?.[CREDENTIAL_TYPE] ? [candidate.credentials[CREDENTIAL_TYPE]] : [])),
	);
	const distinct = new Set(references.map((reference) => JSON.stringify(reference)));
	if (distinct.size !== 1) throw new Error(`the examples must reference exactly one ${CREDENTIAL_TYPE} credential, not ${distinct.size}`);
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

/** The production URL path of a workflow's Webhook node. */
export function webhookPath(workflow: Workflow): string {
	const webhook = workflow.nodes.find((candidate) => candidate.type === 'n8n-nodes-base.webhook');
	if (!webhook) throw new Error(`workflow "${workflow.name}" has no Webhook node`);
	return `/webhook/${String(webhook.parameters.path)}`;
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
