// The AWS Marketplace Trigger on real n8n: published workflows receive AWS Marketplace's documented seller events
// as an EventBridge API destination posts them (the emulator's lifecycle endpoint, with the connection's API-key
// header), and legacy SNS messages signed by the emulator. The trigger answers at once and starts the workflow
// in the background, so what it started is read from the executions n8n stored in its database.
//
// 1. Deliveries (a copy of the trigger that takes every event type, and SNS): each documented event type starts
//    one execution whose item has the normalized fields; a wrong, missing or misplaced API key is answered 401 and
//    starts nothing; with the right key, a body without EventBridge's envelope, another service's event (EC2, the
//    Marketplace Catalog API) and a 5 MB body are answered 400/413 and start nothing, "Other" selected or not; a
//    repeated delivery starts nothing; SNS: the subscription is confirmed (n8n fetches from the emulator's https
//    loopback origin, trusting its certificate through NODE_EXTRA_CA_CERTS), a signed notification posted as
//    text/plain starts one execution, a repeat or a tampered message or a foreign topic starts nothing.
// 2. The lifecycle example (examples/seller-lifecycle.json as shipped): License Updated (its ARN as EventBridge
//    spells it) is enriched by Describe Agreement; usage recorded through the usage example; License Deprovisioned
//    sends the license's open hour at once (the emulator bills it); a repeat starts nothing; usage after it is
//    AfterFinalReport; a cancellation request pending approval waits for a person at the review form.
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { FOREIGN_EVENTS } from '../../emulator/foreignEvents';
import { LIFECYCLE_EXAMPLES } from '../../emulator/lifecycleExamples';

import { eventBridgeLicenseArn, EXAMPLE_CUSTOMERS, EXAMPLE_PRODUCT_CODE, node, postJson, TRIGGER_NODE_TYPE, triggerPath, usageEvent, type ExampleName, type Workflow } from './lib/examples';
import { hasEnded, storedExecutions, type StoredExecution } from './lib/executions';
import { nodeOutput, type N8nServer } from './lib/n8n';
import { waitFor } from './lib/proc';
import type { Checks } from './lib/report';
import type { Stack } from './lib/stack';

type Json = Record<string, unknown>;

export const TRIGGER_ALL_EVENTS_ID = 'mpTriggerAllEvents';
const TRIGGER_NODE = 'AWS Marketplace event';
/** The legacy SNS topic the test copy accepts. */
const SNS_TOPIC = `arn:aws:sns:us-east-1:123456789012:aws-mp-subscription-notification-${EXAMPLE_PRODUCT_CODE}`;

/**
 * AWS's seller events by detail-type (without the role), and the `event` the README says the trigger names them:
 * written out here rather than taken from the node, so that the test checks the node against its documentation.
 */
const EVENT_NAMES: Record<string, string> = {
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

/** What the README's output table says the trigger puts out for an EventBridge event. */
function expectedItem(event: Json): Json {
	const detail = (event.detail ?? {}) as Record<string, Record<string, unknown> | undefined>;
	const detailType = String(event['detail-type']);
	const [, name, role] = /^(.*?)(?: - (Proposer|Manufacturer|Acceptor))?$/.exec(detailType) ?? [];
	const eventName = EVENT_NAMES[name] ?? 'other';
	const status = (detail.agreement?.status as string | undefined) ?? null;
	const arn = (detail.license?.arn as string | undefined) ?? null;
	return {
		source: 'eventBridge',
		event: eventName,
		role: role ? role.toLowerCase() : null,
		detailType,
		eventId: event.id,
		requestId: (detail as Json).requestId,
		time: event.time,
		agreementId: detail.agreement?.id ?? null,
		status,
		isCancellation: eventName === 'agreementEnded' && status !== 'RENEWED' && status !== 'REPLACED',
		licenseArn: arn === null ? null : resolveCustomerSpelling(arn),
		licenseId: arn === null ? null : (/(l-[0-9a-zA-Z]+)$/.exec(arn)?.[1] ?? null),
		productCode: detail.product?.code ?? null,
		customerAWSAccountId: detail.acceptor?.accountId ?? detail.agreement?.acceptorId ?? null,
		raw: event,
	};
}

/** A license ARN as Resolve Customer spells it (AWS's license events write aws:license-manager:<region>:<account>:l-…). */
function resolveCustomerSpelling(arn: string): string {
	const parts = /^(?:arn:)?(aws[a-zA-Z-]*):license-manager:[a-z0-9-]*:(\d{12}):(?:license[:/])?(l-[0-9a-zA-Z]+)$/.exec(arn);
	return parts ? `arn:${parts[1]}:license-manager::${parts[2]}:license:${parts[3]}` : arn.startsWith('arn:') ? arn : `arn:${arn}`;
}

const project = (item: Json | undefined, like: Json) => Object.fromEntries(Object.keys(like).map((key) => [key, item?.[key] ?? null]));

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
function indexBy(executions: StoredExecution[], key: string): Map<unknown, StoredExecution[]> {
	const index = new Map<unknown, StoredExecution[]>();
	for (const execution of executions) {
		const value = triggerItem(execution)?.[key];
		index.set(value, [...(index.get(value) ?? []), execution]);
	}
	return index;
}

export const triggerItem = (execution: StoredExecution | undefined): Json | undefined => (execution ? nodeOutput(execution, TRIGGER_NODE)[0] : undefined);

export const message = (answer: Json | string) => (typeof answer === 'string' ? answer : String(answer.message));

const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));

/**
 * Part 1: the trigger's deliveries, on the copy that takes every event type and SNS. Needs n8n's server started
 * with snsTestEnvironment, and the copy published.
 */
export async function checkTriggerDeliveries(stack: Stack, server: N8nServer, checks: Checks, log: (message: string) => void, workflow: Workflow): Promise<void> {
	const driver = new TriggerDriver(stack, server);
	log(`AWS Marketplace Trigger: AWS's documented EventBridge events to "${workflow.name}" (production URL ${triggerPath(workflow)})`);
	await server.waitForWebhook(triggerPath(workflow), 'POST');

	const examples = (await (await fetch(`${stack.emulator.url}/_emulator/lifecycle/examples`)).json()) as string[];
	const deliveries: Array<{ example: string; delivery: Delivery }> = [];
	for (const example of examples) deliveries.push({ example, delivery: await driver.eventBridge(workflow, example) });
	// A detail-type AWS may add later: event "other", with its fields.
	const unknown = await driver.eventBridge(workflow, 'Purchase Agreement Amended - Proposer', { event: { 'detail-type': 'Purchase Agreement Reinstated - Proposer' } });
	deliveries.push({ example: 'a detail-type the node does not know (Purchase Agreement Reinstated - Proposer)', delivery: unknown });
	checks.equal(
		`each of the ${examples.length} documented examples, and an unknown detail-type, is answered HTTP 200 "Workflow was started" with the connection's API key`,
		deliveries
			.filter(({ delivery }) => delivery.status !== 200 || message(delivery.answer) !== 'Workflow was started')
			.map(({ example, delivery }) => `${example}: ${delivery.status} ${JSON.stringify(delivery.answer)}`),
		[],
	);
	const documentedTypes = new Set(examples.map((example) => EVENT_NAMES[example.replace(/ - (Proposer|Manufacturer|Acceptor).*$/, '')]));
	checks.equal(
		'the documented examples cover every event type the README lists',
		Object.values(EVENT_NAMES).filter((name) => !documentedTypes.has(name)),
		[],
	);

	// Refused deliveries: a wrong key, no key, the right key under another header name, a body that is no event.
	const { header, value } = stack.webhookApiKey;
	// The key is random: change its last character into one it is not.
	const wrongKey = await driver.eventBridge(workflow, 'License Updated - Manufacturer', { apiKey: { header, value: `${value.slice(0, -1)}${value.endsWith('0') ? '1' : '0'}` } });
	const noKey = await driver.eventBridge(workflow, 'License Updated - Manufacturer', { apiKey: null });
	const otherHeader = await driver.eventBridge(workflow, 'License Updated - Manufacturer', { apiKey: { header: 'authorization', value } });
	checks.equal('a wrong API key is answered HTTP 401', [wrongKey.status, message(wrongKey.answer)], [401, 'Missing or wrong API key']);
	checks.equal('no API key is answered HTTP 401', [noKey.status, message(noKey.answer)], [401, 'Missing or wrong API key']);
	checks.equal('the right key under another header is answered HTTP 401', otherHeader.status, 401);
	const notAnEvent = await driver.raw(workflow, JSON.stringify({ hello: 'world' }));
	checks.equal('a body that is not an EventBridge event is answered HTTP 400', notAnEvent.status, 400);
	// With the right key: what is not an AWS Marketplace seller event, though the copy takes "Other".
	const noEnvelope = await driver.raw(workflow, JSON.stringify({ 'detail-type': 'License Updated - Manufacturer', source: 'aws.agreement-marketplace' }));
	const noEnvelopeAgain = await driver.raw(workflow, JSON.stringify({ 'detail-type': 'License Updated - Manufacturer', source: 'aws.agreement-marketplace' }));
	checks.equal(
		'a body with a detail-type and source but no id, time or detail is answered HTTP 400, each time it comes',
		[noEnvelope, noEnvelopeAgain].map((delivery) => [delivery.status, message(delivery.answer)]),
		[0, 1].map(() => [400, 'The body is not an EventBridge event: "version" must be a string']),
	);
	const otherServices = await Promise.all(Object.values(FOREIGN_EVENTS).map(async (event) => [event.source, await driver.raw(workflow, JSON.stringify(event))] as const));
	checks.equal(
		'an EC2 instance state change and a Marketplace Catalog API Offer Released are answered HTTP 400: not AWS Marketplace seller events',
		otherServices.map(([source, delivery]) => [source, delivery.status, message(delivery.answer)]),
		otherServices.map(([source]) => [source, 400, 'The event is not an AWS Marketplace seller event: its source must be aws.agreement-marketplace or aws.marketplace']),
	);
	const license = LIFECYCLE_EXAMPLES['License Updated - Manufacturer'];
	const fiveMegabytes = await driver.raw(workflow, JSON.stringify({ ...license, id: randomUUID(), detail: { ...license.detail, requestId: randomUUID(), padding: 'x'.repeat(5 * 1024 * 1024) } }));
	checks.equal('a 5 MB body (EventBridge delivers 256 KB at most) is answered HTTP 413', [fiveMegabytes.status, message(fiveMegabytes.answer)], [413, 'The body is larger than an EventBridge event can be (256 KB)']);

	// A repeated delivery: the same event (id and requestId) again, as EventBridge may send it.
	const first = deliveries.find(({ example }) => example === 'License Deprovisioned - Manufacturer')!.delivery;
	const repeat = await driver.eventBridge(workflow, 'License Deprovisioned - Manufacturer', { event: { id: first.sent.id, detail: { requestId: (first.sent.detail as Json).requestId } } });
	checks.equal('a repeated delivery (same id and requestId) is answered HTTP 200 "Repeated delivery: ignored"', [repeat.status, message(repeat.answer)], [200, 'Repeated delivery: ignored']);

	const requestIds = deliveries.map(({ delivery }) => (delivery.sent.detail as Json).requestId);
	const byRequest = await driver.waitForExecutions(workflow.id, 'requestId', requestIds);
	await settle();
	const all = indexBy(await driver.executions(workflow.id), 'requestId');
	checks.equal(
		`each delivery started exactly one execution, which succeeded (${requestIds.length} executions)`,
		deliveries
			.map(({ example, delivery }) => [example, (all.get((delivery.sent.detail as Json).requestId) ?? []).map((execution) => `${execution.mode} ${execution.status}`)])
			.filter(([, runs]) => JSON.stringify(runs) !== JSON.stringify(['webhook success'])),
		[],
	);
	const fieldMismatches = deliveries.flatMap(({ example, delivery }) => {
		const expected = expectedItem(delivery.sent);
		const actual = project(triggerItem(byRequest.get(expected.requestId)?.[0]), expected);
		return JSON.stringify(actual) === JSON.stringify(expected) ? [] : [{ example, expected, actual }];
	});
	checks.equal('each execution’s item has the normalized fields (event, role, IDs, agreement, status, isCancellation, license ARN as Resolve Customer spells it, licenseId, product, customer, raw event)', fieldMismatches, []);
	const eventsStarted = deliveries.map(({ delivery }) => triggerItem(byRequest.get((delivery.sent.detail as Json).requestId)?.[0])?.event);
	checks.equal('the executions name every event type once or more, and "other" for the unknown detail-type', [...new Set(eventsStarted)].sort(), [...Object.values(EVENT_NAMES), 'other'].sort());
	const cancellations = deliveries.filter(({ delivery }) => triggerItem(byRequest.get((delivery.sent.detail as Json).requestId)?.[0])?.isCancellation === true);
	checks.equal('isCancellation is true for the Purchase Agreement Ended (CANCELLED) events only', cancellations.map(({ example }) => example).sort(), ['Purchase Agreement Ended - Manufacturer', 'Purchase Agreement Ended - Proposer']);
	const refusedIds = [wrongKey, noKey, otherHeader].map((delivery) => (delivery.sent.detail as Json).requestId);
	checks.equal('the refused deliveries (wrong, missing, misplaced key) started nothing', refusedIds.map((id) => (all.get(id) ?? []).length), [0, 0, 0]);
	checks.equal(
		'no other execution started: none for the repeat, the body that is no event, the one without an envelope, the EC2 and catalog events, the 5 MB body',
		[...all.values()].flat().length,
		deliveries.length,
	);

	// Legacy SNS: signature checked with the certificate n8n fetches from the emulator (the test origin), text/plain body.
	log('AWS Marketplace Trigger: legacy SNS messages signed by the emulator (n8n started with AWS_MARKETPLACE_TRIGGER_TEST_SNS_ORIGIN)');
	const confirmationsBefore = ((await (await fetch(`${stack.emulator.url}/_emulator/lifecycle/confirmations`)).json()) as Json[]).length;
	const confirmation = await driver.sns(workflow, { topicArn: SNS_TOPIC, type: 'SubscriptionConfirmation' });
	checks.equal('an SNS subscription confirmation is answered HTTP 200 "Subscription confirmed"', [confirmation.status, message(confirmation.answer)], [200, 'Subscription confirmed']);
	const confirmations = (await (await fetch(`${stack.emulator.url}/_emulator/lifecycle/confirmations`)).json()) as Json[];
	checks.equal(
		'... n8n confirmed it by fetching its SubscribeURL from the emulator’s loopback origin',
		confirmations.slice(confirmationsBefore).map((entry) => [entry.topicArn, entry.token]),
		[[SNS_TOPIC, confirmation.sent.Token]],
	);
	const snsMessage = { action: 'subscribe-success', 'customer-identifier': 'X01EXAMPLEX', 'product-code': EXAMPLE_PRODUCT_CODE, 'offer-identifier': 'offer-1234567890123', isFreeTrialTermPresent: 'true' };
	const notification = await driver.sns(workflow, { topicArn: SNS_TOPIC, message: snsMessage, signatureVersion: '2' });
	const entitlement = await driver.sns(workflow, { topicArn: SNS_TOPIC, message: { action: 'entitlement-updated', 'customer-identifier': 'X01EXAMPLEX', 'product-code': EXAMPLE_PRODUCT_CODE }, signatureVersion: '1' });
	checks.equal('signed SNS notifications (SignatureVersion 2 and 1, posted as text/plain) are answered HTTP 200', [notification.status, entitlement.status], [200, 200]);
	const snsRepeat = await driver.sns(workflow, { topicArn: SNS_TOPIC, message: snsMessage, messageId: notification.sent.MessageId });
	checks.equal('the same SNS message again (same MessageId) is answered "Repeated delivery: ignored"', [snsRepeat.status, message(snsRepeat.answer)], [200, 'Repeated delivery: ignored']);
	const tampered = await driver.sns(workflow, { topicArn: SNS_TOPIC, message: snsMessage, tamper: true });
	const foreign = await driver.sns(workflow, { topicArn: 'arn:aws:sns:us-east-1:999999999999:some-other-topic', message: snsMessage });
	checks.equal('a tampered SNS message and one of a foreign topic are answered HTTP 403', [tampered.status, foreign.status], [403, 403]);
	const messageIds = [notification, entitlement].map((delivery) => delivery.sent.MessageId);
	const bySnsMessage = await driver.waitForExecutions(workflow.id, 'messageId', messageIds);
	await settle();
	const allSns = indexBy(await driver.executions(workflow.id), 'messageId');
	checks.equal(
		'each SNS notification started one execution; the confirmation, the repeat, the tampered and the foreign message none',
		[notification, entitlement, tampered, foreign, confirmation].map((delivery) => (allSns.get(delivery.sent.MessageId) ?? []).map((execution) => execution.status)),
		[['success'], ['success'], [], [], []],
	);
	const snsItem = triggerItem(bySnsMessage.get(notification.sent.MessageId)?.[0]);
	checks.equal(
		'... its item has the SNS fields, the message parsed from the text/plain body',
		project(snsItem, { source: 0, action: 0, customerIdentifier: 0, productCode: 0, offerIdentifier: 0, isFreeTrialTermPresent: 0, topicArn: 0, messageId: 0 }),
		{ source: 'sns', action: 'subscribe-success', customerIdentifier: 'X01EXAMPLEX', productCode: EXAMPLE_PRODUCT_CODE, offerIdentifier: 'offer-1234567890123', isFreeTrialTermPresent: true, topicArn: SNS_TOPIC, messageId: notification.sent.MessageId },
	);
}

const HOUR = 3_600_000;
/** A usage record's timestamp as the SDK sent it (epoch seconds), in ISO form. */
const timestampOf = (value: unknown) => (typeof value === 'number' ? new Date(value * 1000) : new Date(String(value))).toISOString();
const hourOf = (time: Date) => new Date(Math.floor(time.getTime() / HOUR) * HOUR).toISOString();

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

/**
 * Part 2: the lifecycle example as shipped. Needs n8n's server with the lifecycle and usage examples published;
 * run after the ledger's checks (its Meter Open Hours Now sends from the same embedded ledger, and the checks look
 * at the emulator's billing for one license only).
 */
export async function checkLifecycleExample(stack: Stack, server: N8nServer, checks: Checks, log: (message: string) => void): Promise<void> {
	const { emulator, workflows } = stack;
	const lifecycle = workflows.lifecycle;
	const driver = new TriggerDriver(stack, server);
	const { acme } = EXAMPLE_CUSTOMERS;
	// Acme's agreement in the emulator's configuration, which Describe Agreement finds.
	const acmeAgreement = 'agmt-4mwg1nevbokzw95eca5797ixs';
	const acmeEvent = licenseEvent(eventBridgeLicenseArn(acme.licenseArn), acme.customerAWSAccountId, acmeAgreement);
	log(`"${lifecycle.name}": Acme's license updated, usage, deprovisioned; a cancellation request (production URL ${triggerPath(lifecycle)})`);
	await server.waitForWebhook(triggerPath(lifecycle), 'POST');

	/** Posts an event and waits for the execution it started, ended or waiting. */
	const deliver = async (what: string, example: string, event?: Json) => {
		const logStart = emulator.log.length;
		const delivery = await driver.eventBridge(lifecycle, example, { event });
		checks.equal(`${what}: answered HTTP 200`, delivery.status, 200);
		const requestId = (delivery.sent.detail as Json).requestId;
		const execution = await waitFor(`the execution of ${requestId} did not end or wait`, 90_000, async () =>
			(await driver.executions(lifecycle.id)).find((candidate) => triggerItem(candidate)?.requestId === requestId && (hasEnded(candidate) || candidate.status === 'waiting')),
		);
		return { delivery, execution, requestId, logStart };
	};
	const sentRecords = (logStart: number) =>
		emulator.log
			.slice(logStart)
			.filter((entry) => entry.operation === 'BatchMeterUsage')
			.flatMap((entry) => ((entry.body as { UsageRecords?: Json[] } | undefined)?.UsageRecords ?? []).map((record) => `${String(record.LicenseArn)} ${String(record.Dimension)} ${timestampOf(record.Timestamp)} ${String(record.Quantity)}`));
	const ran = (execution: StoredExecution) => Object.keys(execution.data.resultData.runData).filter((name) => name !== TRIGGER_NODE);

	// An event type the example does not select: answered, nothing started.
	// Its own agreement: the trigger keeps the ledger's licenses current from every event it is given, and AWS's example
	// names Acme's agreement, which would date Acme's license from the example's time.
	const notSelected = await driver.eventBridge(lifecycle, 'Purchase Agreement Created - Proposer', { event: { detail: { agreement: { id: `agmt-${randomBytes(8).toString('hex')}` } } } });
	checks.equal('Purchase Agreement Created (not selected in the example) is answered HTTP 200 "Event type not selected: ignored"', [notSelected.status, message(notSelected.answer)], [200, 'Event type not selected: ignored']);

	// License Updated: the trigger records the license, provisioned 3 hours ago; Describe Agreement enriches the event.
	const provisionedAt = new Date(Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR + 5 * 60_000);
	const updated = await deliver('License Updated for Acme (its ARN as EventBridge spells it), 3 hours ago', 'License Updated - Manufacturer', { ...acmeEvent, time: provisionedAt.toISOString() });
	checks.equal(
		'License Updated: one execution, its item says licenseUpdated with Acme’s license in Resolve Customer’s spelling, licenseId, customer and agreement',
		[updated.execution.status, ...Object.values(project(triggerItem(updated.execution), { event: 0, licenseArn: 0, licenseId: 0, customerAWSAccountId: 0, agreementId: 0 }))],
		['success', 'licenseUpdated', acme.licenseArn, acme.licenseArn.split(':').pop(), acme.customerAWSAccountId, acmeAgreement],
	);
	const agreement = nodeOutput(updated.execution, 'Describe Agreement')[0] ?? {};
	checks.equal(
		'... Describe Agreement adds the agreement’s status and buyer; the event goes to "Subscription changed", nothing metered',
		[agreement.status, agreement.customerAWSAccountId, ran(updated.execution)],
		['ACTIVE', acme.customerAWSAccountId, ['Describe Agreement', 'Which event?', 'Subscription changed']],
	);

	// The hourly example as shipped: a record of 0 users for each closed hour of Acme's license without users usage,
	// from the hour it started (the ledger's checks recorded no users for Acme).
	const zeroLogStart = emulator.log.length;
	const hourlyAt = Date.now();
	const hourly = await stack.n8n.execute(workflows.hourlyMetering.id);
	const closeAfter = Number(node(workflows.hourlyMetering, 'Batch Meter Usage').parameters.closeAfterMinutes) * 60_000;
	const idleHours: string[] = [];
	for (let hour = Math.floor(provisionedAt.getTime() / HOUR) * HOUR; hour + HOUR + closeAfter <= hourlyAt; hour += HOUR) idleHours.push(timestampOf(new Date(hour).toISOString()));
	checks.equal(
		`the hourly example sends Acme a record of 0 users for each closed hour since its license started (${idleHours.length}), once`,
		[hourly.status, sentRecords(zeroLogStart).filter((record) => record.startsWith(`${acme.licenseArn} users `))],
		['success', idleHours.map((hour) => `${acme.licenseArn} users ${hour} 0`)],
	);
	checks.equal(
		'... and the emulator billed them: 0 each',
		idleHours.map((hour) => emulator.stats().billed[`${acme.licenseArn}|${acme.customerAWSAccountId}|users|${new Date(hour).toISOString()}`]?.quantity ?? null),
		idleHours.map(() => 0),
	);

	// Usage in the hour in progress, through the usage example.
	const usageAt = new Date();
	const eventId = `lifecycle-${randomBytes(4).toString('hex')}`;
	const ingest = await postJson(server.url, workflows.usage, usageEvent(eventId, acme, 'api_calls', 7, usageAt));
	checks.equal('Acme’s usage in the hour in progress is recorded in the ledger (usage webhook)', [ingest.status, ingest.json.recorded], [200, 1]);

	// License Deprovisioned: the license's open hour is sent at once, found by the event's spelling of its ARN.
	const deprovisioned = await deliver('License Deprovisioned for Acme', 'License Deprovisioned - Manufacturer', { ...acmeEvent, time: new Date().toISOString() });
	checks.equal(
		'License Deprovisioned: one execution, its item says licenseDeprovisioned; it ran Meter Open Hours Now and Notify',
		[deprovisioned.execution.status, triggerItem(deprovisioned.execution)?.event, ran(deprovisioned.execution)],
		['success', 'licenseDeprovisioned', ['Describe Agreement', 'Which event?', 'Meter Open Hours Now', 'Notify']],
	);
	const openHour = hourOf(usageAt);
	checks.equal('Meter Open Hours Now sent Acme’s open hour at once (usage recorded under Resolve Customer’s ARN), and nothing else', sentRecords(deprovisioned.logStart), [`${acme.licenseArn} api_calls ${openHour} 7`]);
	const billedKey = `${acme.licenseArn}|${acme.customerAWSAccountId}|api_calls|${openHour}`;
	checks.equal('the emulator billed that open hour: 7 api_calls', emulator.stats().billed[billedKey]?.quantity, 7);
	const notified = nodeOutput(deprovisioned.execution, 'Notify')[0] ?? {};
	checks.check('Notify names the license and its final usage', String(notified.message).includes(`${acme.licenseArn.split(':').pop()} deprovisioned`) && String(notified.message).includes('7 api_calls'), String(notified.message));

	// A repeat of that delivery: nothing started.
	const repeat = await driver.eventBridge(lifecycle, 'License Deprovisioned - Manufacturer', {
		event: { ...acmeEvent, id: deprovisioned.delivery.sent.id, detail: { ...(acmeEvent.detail as Json), requestId: deprovisioned.requestId } },
	});
	checks.equal('the same License Deprovisioned again is answered "Repeated delivery: ignored"', [repeat.status, message(repeat.answer)], [200, 'Repeated delivery: ignored']);

	// Usage after the final report: never sent.
	const late = await postJson(server.url, workflows.usage, usageEvent(`${eventId}-late`, acme, 'api_calls', 3, new Date()));
	checks.equal('Acme’s usage after the final report is answered AfterFinalReport', ((late.json.results ?? []) as Json[]).map((result) => result.status), ['AfterFinalReport']);

	// A cancellation request awaiting the buyer: the execution waits for a person at the review form.
	const pending = await deliver('Agreement Cancellation Request Pending Approval', 'Agreement Cancellation Request Pending Approval - Proposer');
	checks.equal(
		'a cancellation request pending approval: the execution waits at "Review the request" for a person, nothing withdrawn',
		[pending.execution.status, pending.execution.data.resultData.lastNodeExecuted, ran(pending.execution).includes('Cancel Agreement Cancellation Request')],
		['waiting', 'Review the request', false],
	);

	await settle();
	const byRequest = indexBy(await driver.executions(lifecycle.id), 'requestId');
	checks.equal(
		'the example started one execution per delivered event: none for the event type not selected, none for the repeat',
		[(notSelected.sent.detail as Json).requestId, deprovisioned.requestId].map((id) => (byRequest.get(id) ?? []).length),
		[0, 1],
	);
}
