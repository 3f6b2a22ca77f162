// The AWS Marketplace Trigger's deliveries on real n8n, on a copy of the lifecycle example's trigger that takes
// every event type and a legacy SNS topic: each documented event type starts one execution whose item has the
// normalized fields; a wrong, missing or misplaced API key is answered 401 and starts nothing; with the right key, a
// body without EventBridge's envelope, another service's event (EC2, the Marketplace Catalog API) and a 5 MB body
// are answered 400/413 and start nothing; a repeated delivery starts nothing. SNS: the subscription is confirmed (n8n
// fetches from the emulator's https loopback origin, trusting its certificate through NODE_EXTRA_CA_CERTS), a signed
// notification posted as text/plain starts one execution, a repeat, a tampered message or a foreign topic nothing.
import { randomUUID } from 'node:crypto';

import { FOREIGN_EVENTS } from '../../../emulator/foreignEvents';
import { LIFECYCLE_EXAMPLES } from '../../../emulator/lifecycleExamples';
import { EXAMPLE_PRODUCT_CODE, triggerPath, type Workflow } from '../../../scripts/e2e/lib/examples';
import type { StoredExecution } from '../../../scripts/e2e/lib/executions';
import { EVENT_NAMES, indexBy, message, SNS_TOPIC, TriggerDriver, triggerItem, type Delivery } from '../../../scripts/e2e/lib/trigger';
import { log, sleep, type E2e, type Json } from './context';

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

/** The fields of `like`, from `item` (null where it lacks one). */
export const project = (item: Json | undefined, like: Json) => Object.fromEntries(Object.keys(like).map((key) => [key, item?.[key] ?? null]));

/** Time for an execution a delivery should not have started to show up, had it started. */
export const settle = () => sleep(1500);

const requestIdOf = (delivery: Delivery) => (delivery.sent.detail as Json).requestId;

export function describeTriggerDeliveries(e2e: E2e, workflow: () => Workflow): void {
	describe('The AWS Marketplace Trigger: AWS’s documented EventBridge events', () => {
		let driver: TriggerDriver;
		const deliveries: Array<{ example: string; delivery: Delivery }> = [];
		let examples: string[];
		let refused: Delivery[];
		let byRequest: Map<unknown, StoredExecution[]>;
		let all: Map<unknown, StoredExecution[]>;
		const executionOf = (delivery: Delivery) => byRequest.get(requestIdOf(delivery))?.[0];

		beforeAll(async () => {
			driver = new TriggerDriver(e2e.stack, e2e.server);
			log(`AWS Marketplace Trigger: AWS's documented EventBridge events to "${workflow().name}" (production URL ${triggerPath(workflow())})`);
			await e2e.server.waitForWebhook(triggerPath(workflow()), 'POST');
		});

		test('each documented example, and an unknown detail-type, is answered HTTP 200 "Workflow was started" with the connection’s API key', async () => {
			examples = (await (await fetch(`${e2e.stack.emulator.url}/_emulator/lifecycle/examples`)).json()) as string[];
			for (const example of examples) deliveries.push({ example, delivery: await driver.eventBridge(workflow(), example) });
			// A detail-type AWS may add later: event "other", with its fields.
			const unknown = await driver.eventBridge(workflow(), 'Purchase Agreement Amended - Proposer', { event: { 'detail-type': 'Purchase Agreement Reinstated - Proposer' } });
			deliveries.push({ example: 'a detail-type the node does not know (Purchase Agreement Reinstated - Proposer)', delivery: unknown });
			expect(
				deliveries
					.filter(({ delivery }) => delivery.status !== 200 || message(delivery.answer) !== 'Workflow was started')
					.map(({ example, delivery }) => `${example}: ${delivery.status} ${JSON.stringify(delivery.answer)}`),
			).toEqual([]);
		});

		test('the documented examples cover every event type the README lists', () => {
			const documentedTypes = new Set(examples.map((example) => EVENT_NAMES[example.replace(/ - (Proposer|Manufacturer|Acceptor).*$/, '')]));
			expect(Object.values(EVENT_NAMES).filter((name) => !documentedTypes.has(name))).toEqual([]);
		});

		test('a wrong API key, no API key, and the right key under another header are answered HTTP 401', async () => {
			const { header, value } = e2e.stack.webhookApiKey;
			// The key is random: change its last character into one it is not.
			const wrongKey = await driver.eventBridge(workflow(), 'License Updated - Manufacturer', { apiKey: { header, value: `${value.slice(0, -1)}${value.endsWith('0') ? '1' : '0'}` } });
			const noKey = await driver.eventBridge(workflow(), 'License Updated - Manufacturer', { apiKey: null });
			const otherHeader = await driver.eventBridge(workflow(), 'License Updated - Manufacturer', { apiKey: { header: 'authorization', value } });
			refused = [wrongKey, noKey, otherHeader];
			expect([wrongKey, noKey].map((delivery) => [delivery.status, message(delivery.answer)])).toEqual([0, 1].map(() => [401, 'Missing or wrong API key']));
			expect(otherHeader.status).toBe(401);
		});

		test('a body that is not an EventBridge event is answered HTTP 400', async () => {
			expect((await driver.raw(workflow(), JSON.stringify({ hello: 'world' }))).status).toBe(400);
		});

		// With the right key: what is not an AWS Marketplace seller event, though the copy takes "Other".
		test('a body with a detail-type and source but no id, time or detail is answered HTTP 400, each time it comes', async () => {
			const body = JSON.stringify({ 'detail-type': 'License Updated - Manufacturer', source: 'aws.agreement-marketplace' });
			const answers = [await driver.raw(workflow(), body), await driver.raw(workflow(), body)];
			expect(answers.map((delivery) => [delivery.status, message(delivery.answer)])).toEqual([0, 1].map(() => [400, 'The body is not an EventBridge event: "version" must be a string']));
		});

		test('an EC2 instance state change and a Marketplace Catalog API Offer Released are answered HTTP 400: not AWS Marketplace seller events', async () => {
			const otherServices = await Promise.all(Object.values(FOREIGN_EVENTS).map(async (event) => [event.source, await driver.raw(workflow(), JSON.stringify(event))] as const));
			expect(otherServices.map(([source, delivery]) => [source, delivery.status, message(delivery.answer)])).toEqual(
				otherServices.map(([source]) => [source, 400, 'The event is not an AWS Marketplace seller event: its source must be aws.agreement-marketplace or aws.marketplace']),
			);
		});

		test('a 5 MB body (EventBridge delivers 256 KB at most) is answered HTTP 413', async () => {
			const license = LIFECYCLE_EXAMPLES['License Updated - Manufacturer'];
			const fiveMegabytes = await driver.raw(workflow(), JSON.stringify({ ...license, id: randomUUID(), detail: { ...license.detail, requestId: randomUUID(), padding: 'x'.repeat(5 * 1024 * 1024) } }));
			expect([fiveMegabytes.status, message(fiveMegabytes.answer)]).toEqual([413, 'The body is larger than an EventBridge event can be (256 KB)']);
		});

		test('a repeated delivery (same id and requestId, as EventBridge may send it) is answered HTTP 200 "Repeated delivery: ignored"', async () => {
			const first = deliveries.find(({ example }) => example === 'License Deprovisioned - Manufacturer')!.delivery;
			const repeat = await driver.eventBridge(workflow(), 'License Deprovisioned - Manufacturer', { event: { id: first.sent.id, detail: { requestId: requestIdOf(first) } } });
			expect([repeat.status, message(repeat.answer)]).toEqual([200, 'Repeated delivery: ignored']);
		});

		test('each delivery started exactly one execution, which succeeded', async () => {
			byRequest = await driver.waitForExecutions(workflow().id, 'requestId', deliveries.map(({ delivery }) => requestIdOf(delivery)));
			await settle();
			all = indexBy(await driver.executions(workflow().id), 'requestId');
			expect(
				deliveries
					.map(({ example, delivery }) => [example, (all.get(requestIdOf(delivery)) ?? []).map((execution) => `${execution.mode} ${execution.status}`)])
					.filter(([, runs]) => JSON.stringify(runs) !== JSON.stringify(['webhook success'])),
			).toEqual([]);
		});

		test('each execution’s item has the normalized fields (event, role, IDs, agreement, status, isCancellation, license ARN as Resolve Customer spells it, licenseId, product, customer, raw event)', () => {
			const mismatches = deliveries.flatMap(({ example, delivery }) => {
				const expected = expectedItem(delivery.sent);
				const actual = project(triggerItem(executionOf(delivery)), expected);
				return JSON.stringify(actual) === JSON.stringify(expected) ? [] : [{ example, expected, actual }];
			});
			expect(mismatches).toEqual([]);
		});

		test('the executions name every event type once or more, and "other" for the unknown detail-type', () => {
			const eventsStarted = deliveries.map(({ delivery }) => triggerItem(executionOf(delivery))?.event);
			expect([...new Set(eventsStarted)].sort()).toEqual([...Object.values(EVENT_NAMES), 'other'].sort());
		});

		test('isCancellation is true for the Purchase Agreement Ended (CANCELLED) events only', () => {
			const cancellations = deliveries.filter(({ delivery }) => triggerItem(executionOf(delivery))?.isCancellation === true);
			expect(cancellations.map(({ example }) => example).sort()).toEqual(['Purchase Agreement Ended - Manufacturer', 'Purchase Agreement Ended - Proposer']);
		});

		test('the refused deliveries (wrong, missing, misplaced key) started nothing', () => {
			expect(refused.map((delivery) => (all.get(requestIdOf(delivery)) ?? []).length)).toEqual([0, 0, 0]);
		});

		test('no other execution started: none for the repeat, the body that is no event, the one without an envelope, the EC2 and catalog events, the 5 MB body', () => {
			expect([...all.values()].flat()).toHaveLength(deliveries.length);
		});
	});

	describe('The AWS Marketplace Trigger: legacy SNS messages signed by the emulator', () => {
		let driver: TriggerDriver;
		const snsMessage = { action: 'subscribe-success', 'customer-identifier': 'X01EXAMPLEX', 'product-code': EXAMPLE_PRODUCT_CODE, 'offer-identifier': 'offer-1234567890123', isFreeTrialTermPresent: 'true' };
		let confirmation: Delivery;
		let notification: Delivery;
		let entitlement: Delivery;
		let tampered: Delivery;
		let foreign: Delivery;
		const confirmations = async () => (await (await fetch(`${e2e.stack.emulator.url}/_emulator/lifecycle/confirmations`)).json()) as Json[];

		beforeAll(() => {
			driver = new TriggerDriver(e2e.stack, e2e.server);
			log('AWS Marketplace Trigger: legacy SNS messages (n8n started with AWS_MARKETPLACE_TRIGGER_TEST_SNS_ORIGIN)');
		});

		test('an SNS subscription confirmation is answered HTTP 200 "Subscription confirmed": n8n fetched its SubscribeURL from the emulator’s loopback origin', async () => {
			const before = (await confirmations()).length;
			confirmation = await driver.sns(workflow(), { topicArn: SNS_TOPIC, type: 'SubscriptionConfirmation' });
			expect([confirmation.status, message(confirmation.answer)]).toEqual([200, 'Subscription confirmed']);
			expect((await confirmations()).slice(before).map((entry) => [entry.topicArn, entry.token])).toEqual([[SNS_TOPIC, confirmation.sent.Token]]);
		});

		test('signed SNS notifications (SignatureVersion 2 and 1, posted as text/plain) are answered HTTP 200', async () => {
			notification = await driver.sns(workflow(), { topicArn: SNS_TOPIC, message: snsMessage, signatureVersion: '2' });
			entitlement = await driver.sns(workflow(), { topicArn: SNS_TOPIC, message: { action: 'entitlement-updated', 'customer-identifier': 'X01EXAMPLEX', 'product-code': EXAMPLE_PRODUCT_CODE }, signatureVersion: '1' });
			expect([notification.status, entitlement.status]).toEqual([200, 200]);
		});

		test('the same SNS message again (same MessageId) is answered "Repeated delivery: ignored"', async () => {
			const repeat = await driver.sns(workflow(), { topicArn: SNS_TOPIC, message: snsMessage, messageId: notification.sent.MessageId });
			expect([repeat.status, message(repeat.answer)]).toEqual([200, 'Repeated delivery: ignored']);
		});

		test('a tampered SNS message and one of a foreign topic are answered HTTP 403', async () => {
			tampered = await driver.sns(workflow(), { topicArn: SNS_TOPIC, message: snsMessage, tamper: true });
			foreign = await driver.sns(workflow(), { topicArn: 'arn:aws:sns:us-east-1:999999999999:some-other-topic', message: snsMessage });
			expect([tampered.status, foreign.status]).toEqual([403, 403]);
		});

		test('each SNS notification started one execution, its item the SNS fields parsed from the text/plain body; the confirmation, the repeat, the tampered and the foreign message none', async () => {
			const byMessage = await driver.waitForExecutions(workflow().id, 'messageId', [notification, entitlement].map((delivery) => delivery.sent.MessageId));
			await settle();
			const all = indexBy(await driver.executions(workflow().id), 'messageId');
			expect([notification, entitlement, tampered, foreign, confirmation].map((delivery) => (all.get(delivery.sent.MessageId) ?? []).map((execution) => execution.status))).toEqual([
				['success'],
				['success'],
				[],
				[],
				[],
			]);
			expect(project(triggerItem(byMessage.get(notification.sent.MessageId)?.[0]), { source: 0, action: 0, customerIdentifier: 0, productCode: 0, offerIdentifier: 0, isFreeTrialTermPresent: 0, topicArn: 0, messageId: 0 })).toEqual({
				source: 'sns',
				action: 'subscribe-success',
				customerIdentifier: 'X01EXAMPLEX',
				productCode: EXAMPLE_PRODUCT_CODE,
				offerIdentifier: 'offer-1234567890123',
				isFreeTrialTermPresent: true,
				topicArn: SNS_TOPIC,
				messageId: notification.sent.MessageId,
			});
		});
	});
}
