// Drives the AWS Marketplace Trigger on real n8n as AWS does: posts AWS Marketplace's documented seller events as an
// EventBridge API destination does (through the emulator, with the connection's API-key header) and legacy SNS
// messages the emulator signs, and finds what n8n started in the executions it stored (the trigger answers at once
// and runs the workflow in the background). Also builds the trigger's test copy and the server environment it needs.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { EXAMPLE_PRODUCT_CODE, TRIGGER_NODE_TYPE, triggerPath, type ExampleName, type Workflow } from './examples';
import { hasEnded, storedExecutions, type StoredExecution } from './executions';
import { nodeOutput, type N8nServer } from './n8n';
import { waitFor } from './proc';
import type { Stack } from './stack';

type Json = Record<string, unknown>;

export const TRIGGER_ALL_EVENTS_ID = 'mpTriggerAllEvents';
/** The trigger's name in the lifecycle example and its test copy. */
export const TRIGGER_NODE = 'AWS Marketplace event';
/** The legacy SNS topic the test copy accepts. */
export const SNS_TOPIC = `arn:aws:sns:us-east-1:123456789012:aws-mp-subscription-notification-${EXAMPLE_PRODUCT_CODE}`;

/**
 * AWS's seller events by detail-type (without the role), and the `event` the README says the trigger names them:
 * written out here rather than taken from the node, so that the tests check the node against its documentation.
 */
export const EVENT_NAMES: Record<string, string> = {
	'Purchase Agreement Created': 'agreementCreated',
	'Purchase Agreement Amended': 'agreementAmended',
	'Purchase Agreement Ended': 'agreementEnded',
	'License Updated': 'licenseUpdated',
	'License Deprovisioned': 'licenseDeprovisioned',
	'Purchase Agreement Ending': 'agreementEnding',
	'Purchase Agreement Renewal Terms Finalized': 'renewalTermsFinalized',
	'Purchase Agreement Renewal Upcoming': 'renewalUpcoming',
	'Purchase Agreement Advisory Issued': 'agreementAdvisoryIssued',
	'Purchase Agreement Advisory Resolved': 'agreementAdvisoryResolved',
	'Agreement Cancellation Request Pending Approval': 'cancellationRequestPendingApproval',
	'Agreement Cancellation Request Approved': 'cancellationRequestApproved',
	'Agreement Cancellation Request Rejected': 'cancellationRequestRejected',
	'Agreement Cancellation Request Cancelled': 'cancellationRequestCancelled',
	'Agreement Cancellation Request Validation Failed': 'cancellationRequestValidationFailed',
	'Purchase Agreement Billing Adjustment Completed': 'billingAdjustmentCompleted',
	'Purchase Agreement Billing Adjustment Failed': 'billingAdjustmentFailed',
};

/**
 * The environment of an n8n server whose trigger trusts the emulator as it trusts Amazon SNS (tests only): the
 * emulator's https loopback origin, and its self-signed TLS certificate added to the CAs Node trusts.
 */
export function snsTestEnvironment(stack: Stack): Record<string, string> {
	const certificateFile = join(stack.workDir, 'emulator-sns-tls.pem');
	writeFileSync(certificateFile, stack.emulator.snsTlsCertificatePem);
	return { AWS_MARKETPLACE_TRIGGER_TEST_SNS_ORIGIN: stack.emulator.snsOrigin, NODE_EXTRA_CA_CERTS: certificateFile };
}

/** A copy of the lifecycle example's trigger alone, taking every event type and the legacy SNS topic. */
export function triggerTestWorkflows(workflows: Record<ExampleName, Workflow>): Workflow[] {
	const trigger = structuredClone(workflows.lifecycle.nodes.find((candidate) => candidate.type === TRIGGER_NODE_TYPE)!);
	trigger.id = randomUUID();
	trigger.webhookId = randomUUID();
	// Deliveries only: no ledger, so that the events it takes (of licenses AWS does not know) change no license there.
	trigger.parameters = { ...trigger.parameters, events: [...Object.values(EVENT_NAMES), 'other'], ledger: 'none', acceptSns: true, snsTopicArns: SNS_TOPIC };
	return [{ id: TRIGGER_ALL_EVENTS_ID, name: 'AWS Marketplace Trigger (test: every event type, SNS)', nodes: [trigger], connections: {}, settings: { executionOrder: 'v1' } }];
}

export interface Delivery {
	/** HTTP status the trigger answered. */
	status: number;
	/** The trigger's answer, parsed when JSON. */
	answer: Json | string;
	/** What was posted: the EventBridge event, or the signed SNS message. */
	sent: Json;
}

/** Posts as EventBridge and SNS would, through the emulator, and finds what n8n started. */
export class TriggerDriver {
	constructor(
		private readonly stack: Stack,
		private readonly server: N8nServer,
	) {}

	url(workflow: Workflow): string {
		return `${this.server.url}${triggerPath(workflow)}`;
	}

	private async admin(path: string, body: Json): Promise<Json> {
		const response = await fetch(`${this.stack.emulator.url}${path}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(60_000) });
		const json = (await response.json()) as Json;
		if (!response.ok) throw new Error(`the emulator's ${path} answered HTTP ${response.status}: ${JSON.stringify(json)}`);
		return json;
	}

	private static delivery(reply: Json, sent: Json): Delivery {
		let answer: Json | string = String(reply.body);
		try {
			answer = JSON.parse(String(reply.body)) as Json;
		} catch {
			// Not JSON: kept as text.
		}
		return { status: Number(reply.status), answer, sent };
	}

	/** One of AWS's documented examples, as an API destination posts it (with `event` merged in). */
	async eventBridge(workflow: Workflow, example: string, options: { event?: Json; apiKey?: { header: string; value: string } | null } = {}): Promise<Delivery> {
		const apiKey = options.apiKey === undefined ? this.stack.webhookApiKey : options.apiKey;
		const reply = await this.admin('/_emulator/lifecycle/eventbridge', { url: this.url(workflow), example, ...(apiKey ? { apiKey } : {}), event: options.event ?? {} });
		return TriggerDriver.delivery(reply, reply.event as Json);
	}

	/** A message of a legacy SNS topic signed by the emulator (posted as text/plain, as SNS does). */
	async sns(workflow: Workflow, message: Json): Promise<Delivery> {
		const reply = await this.admin('/_emulator/lifecycle/sns', { url: this.url(workflow), ...message });
		return TriggerDriver.delivery(reply, reply.message as Json);
	}

	/** Posts a body as it is, with the connection's API key. */
	async raw(workflow: Workflow, body: string, contentType = 'application/json'): Promise<Delivery> {
		const { header, value } = this.stack.webhookApiKey;
		const response = await fetch(this.url(workflow), { method: 'POST', headers: { 'content-type': contentType, [header]: value }, body, signal: AbortSignal.timeout(30_000) });
		return TriggerDriver.delivery({ status: response.status, body: await response.text() }, {});
	}

	async executions(workflowId: string): Promise<StoredExecution[]> {
		return await storedExecutions(this.stack.n8n.n8nFolder, workflowId);
	}

	/** The executions whose trigger item has `key` = each of `values`, once all of them have ended. */
	async waitForExecutions(workflowId: string, key: string, values: unknown[]): Promise<Map<unknown, StoredExecution[]>> {
		return await waitFor(`executions of ${workflowId} with ${key} ${values.join(', ')} did not end`, 90_000, async () => {
			const byValue = indexBy(await this.executions(workflowId), key);
			const ended = values.every((value) => (byValue.get(value) ?? []).length > 0 && byValue.get(value)!.every(hasEnded));
			return ended ? byValue : undefined;
		});
	}
}

/** Executions by the value of a field of their trigger item. */
export function indexBy(executions: StoredExecution[], key: string): Map<unknown, StoredExecution[]> {
	const index = new Map<unknown, StoredExecution[]>();
	for (const execution of executions) {
		const value = triggerItem(execution)?.[key];
		index.set(value, [...(index.get(value) ?? []), execution]);
	}
	return index;
}

export const triggerItem = (execution: StoredExecution | undefined): Json | undefined => (execution ? nodeOutput(execution, TRIGGER_NODE)[0] : undefined);

export const message = (answer: Json | string) => (typeof answer === 'string' ? answer : String(answer.message));

/** The override that turns AWS's license example into a customer's: its license (as AWS prints it, without "arn:"), account and agreement. */
export function licenseEvent(licenseArn: string, customerAWSAccountId: string, agreementId: string): Json {
	return {
		detail: {
			agreement: { id: agreementId },
			license: { arn: licenseArn.replace(/^arn:/, '') },
			acceptor: { accountId: customerAWSAccountId },
			product: { code: EXAMPLE_PRODUCT_CODE },
		},
	};
}
