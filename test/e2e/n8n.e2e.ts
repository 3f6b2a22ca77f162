// The end-to-end run on real n8n (`npm run test:e2e`; n8n 1.x: `npm run test:e2e:n8n1`, which sets
// N8N_VERSION=1.123.81; E2E_KEEP=1 keeps the temporary folder): installs n8n under Node 24 (cached in .e2e-cache),
// installs this package's `npm pack` tarball as a community package with the README's command, imports a
// credential for a local emulator of AWS, the trigger's API-key credential and the example workflows, runs them
// with n8n's CLI and webhooks (the trigger's through the emulator's EventBridge and SNS posts), and checks their
// outcome in n8n's output, in the executions n8n stored, and in what the emulator received and billed.
import { generateKeyPairSync } from 'node:crypto';

import { node, postRegistrationToken, webhookPath, withPublicKey, type Workflow } from '../../scripts/e2e/lib/examples';
import { installedN8nVersion, nodeOutput, type N8nRun } from '../../scripts/e2e/lib/n8n';
import { prepareStack } from '../../scripts/e2e/lib/stack';
import { snsTestEnvironment, TRIGGER_ALL_EVENTS_ID, triggerTestWorkflows } from '../../scripts/e2e/lib/trigger';
import { HOUR_MS, log, outcomes, requests, type E2e, type Json } from './n8n/context';
import { ledgerFlows, ledgerTestWorkflows } from './n8n/ledger';
import { describeLifecycleExample } from './n8n/lifecycle';
import { describeRetriedExecution, retryTestWorkflow } from './n8n/retry';
import { describeTriggerDeliveries } from './n8n/trigger';

/** A first run installs n8n (about 5 minutes) before it builds, packs and installs the package. */
const STACK_SETUP_MS = 20 * 60_000;
const WRONG_KEY_WORKFLOW_ID = 'mpContainerWrongKey';

const e2e = {} as E2e;
let triggerTest: Workflow;

beforeAll(async () => {
	e2e.stack = await prepareStack({
		log,
		keep: process.env.E2E_KEEP === '1',
		publish: ['signUp', 'usage', 'lifecycle', { id: TRIGGER_ALL_EVENTS_ID }],
		extraWorkflows: (workflows) => {
			const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
			const foreignKey = publicKey.export({ type: 'spki', format: 'pem' }).toString();
			const { containerStart } = workflows;
			[triggerTest] = triggerTestWorkflows(workflows);
			return [
				withPublicKey(containerStart, foreignKey, WRONG_KEY_WORKFLOW_ID, `${containerStart.name} (wrong public key)`),
				...ledgerTestWorkflows(workflows),
				retryTestWorkflow(Object.values(workflows)),
				triggerTest,
			];
		},
	});
	log(`n8n ${installedN8nVersion()}`);
}, STACK_SETUP_MS);

afterAll(async () => await e2e.stack?.stop());

const hourOf = (timestamp: unknown) => new Date(String(timestamp)).toISOString().slice(0, 13);

describe('Batch Meter Usage of input items (n8n execute)', () => {
	let first: N8nRun;
	let events: Json[];
	let logStart: number;
	/** What AWS answers for an event, by the emulator's configuration: a subscribed customer's usage is billed. */
	const expectedStatus = (event: Json) =>
		(e2e.stack.emulatorConfig.customers ?? []).some((customer) => customer.customerAWSAccountId === event.customerAWSAccountId && customer.licenseArn === event.licenseArn)
			? 'Success'
			: 'Rejected';
	/** What the events add up to per customer, dimension and hour: what AWS must have billed, and nothing else. */
	const groups = () => {
		const byKey = new Map<string, { customer: string; dimension: string; quantity: number; status: string }>();
		for (const event of events) {
			const key = `${event.customerAWSAccountId}|${event.dimension}|${hourOf(event.timestamp)}`;
			const group = byKey.get(key) ?? { customer: String(event.customerAWSAccountId), dimension: String(event.dimension), quantity: 0, status: expectedStatus(event) };
			group.quantity += Number(event.quantity);
			byKey.set(key, group);
		}
		return [...byKey.values()];
	};

	test('the run succeeds with usage events of subscribed and of unsubscribed customers', async () => {
		log(`Workflow "${e2e.stack.workflows.inputItemsMetering.name}"`);
		logStart = e2e.stack.emulator.log.length;
		first = await e2e.stack.n8n.execute(e2e.stack.workflows.inputItemsMetering.id);
		expect(first.status).toBe('success');
		events = nodeOutput(first, 'Usage events');
		expect(events.filter((event) => expectedStatus(event) === 'Success').length).toBeGreaterThan(0);
		expect(events.filter((event) => expectedStatus(event) !== 'Success').length).toBeGreaterThan(0);
	});

	test('the emulator billed each subscribed customer-dimension-hour the sum of its events, and nothing to the others', () => {
		const stats = e2e.stack.emulator.stats();
		const billed = groups().map(({ customer, dimension, status }) => `${customer} ${dimension} ${status}: ${stats.meteredQuantity({ customer, dimension })}`);
		expect(billed).toEqual(groups().map(({ customer, dimension, quantity, status }) => `${customer} ${dimension} ${status}: ${status === 'Success' ? quantity : 0}`));
	});

	test('every event of a subscribed customer is routed to "Metered" with status Success', () => {
		const billable = events.filter((event) => expectedStatus(event) === 'Success');
		expect(nodeOutput(first, 'Metered').map((item) => item.status)).toEqual(billable.map(() => 'Success'));
	});

	test('every event of an unsubscribed customer is routed to "Follow up" with AWS’s answer and why', () => {
		const followUp = nodeOutput(first, 'Follow up');
		expect(followUp.map((item) => [item.customer, item.dimension, item.quantity, item.status])).toEqual(
			events.filter((event) => expectedStatus(event) !== 'Success').map((event) => [event.customer, event.dimension, event.quantity, expectedStatus(event)]),
		);
		for (const item of followUp) expect(item.reason).toEqual(expect.stringMatching(/.+/));
	});

	test('the emulator refused BatchMeterUsage only for a license not granted for the product, after the node isolated the record', () => {
		const batches = requests(e2e.stack.emulator.log.slice(logStart), 'BatchMeterUsage');
		expect(Object.keys(outcomes(batches)).sort()).toEqual(['200', 'InvalidLicenseException']);
	});

	test('the events went out aggregated: one usage record per customer, dimension and hour', () => {
		const accepted = requests(e2e.stack.emulator.log.slice(logStart), 'BatchMeterUsage').filter((entry) => entry.httpStatus === 200);
		const records = accepted.reduce((total, entry) => total + (entry.records ?? 0), 0);
		expect(records).toBe(groups().filter((group) => group.status !== 'Rejected').length);
		expect(records).toBeLessThan(events.length);
	});

	test('a rerun within the hour gets the same metering record IDs and bills nothing more', async () => {
		// Should the hour change between two runs, the next two compare: they are seconds apart.
		let previous = first;
		for (let attempt = 0; attempt < 2; attempt++) {
			const billedBefore = JSON.stringify(e2e.stack.emulator.stats().billed);
			const rerun = await e2e.stack.n8n.execute(e2e.stack.workflows.inputItemsMetering.id);
			expect(rerun.status).toBe('success');
			if (hourOf(nodeOutput(rerun, 'Usage events')[0]?.timestamp) === hourOf(nodeOutput(previous, 'Usage events')[0]?.timestamp)) {
				expect(nodeOutput(rerun, 'Metered').map((item) => item.meteringRecordId)).toEqual(nodeOutput(previous, 'Metered').map((item) => item.meteringRecordId));
				expect(JSON.stringify(e2e.stack.emulator.stats().billed)).toBe(billedBefore);
				return;
			}
			previous = rerun;
		}
		throw new Error(`the hour changed between each of three runs (${HOUR_MS / 60_000} minutes apart at least?)`);
	});
});

describe('Register Usage at a container start (n8n execute)', () => {
	test('Register Usage verifies the signature with the emulator’s public key, and the paid features start', async () => {
		const { emulator, n8n, workflows } = e2e.stack;
		log(`Workflow "${workflows.containerStart.name}"`);
		const logStart = emulator.log.length;
		const run = await n8n.execute(workflows.containerStart.id);
		expect(run.status).toBe('success');
		const registered = nodeOutput(run, 'Register Usage')[0] ?? {};
		const claims = (registered.claims ?? {}) as Json;
		expect(registered.verified).toBe(true);
		expect([claims.ProductCode, claims.PublicKeyVersion, claims.Nonce]).toEqual([node(workflows.containerStart, 'Register Usage').parameters.registerUsageProductCode, 1, registered.nonce]);
		expect(nodeOutput(run, 'Start paid features')).toHaveLength(1);
		expect(outcomes(requests(emulator.log.slice(logStart), 'RegisterUsage'))).toEqual({ 200: 1 });
	});

	test('with another public key the run fails because the signature does not verify, and the paid features do not start', async () => {
		const forged = await e2e.stack.n8n.execute(WRONG_KEY_WORKFLOW_ID);
		expect(forged.status).toBe('error');
		expect(forged.data.resultData.error?.message).toMatch(/did not verify/);
		expect(nodeOutput(forged, 'Start paid features')).toHaveLength(0);
	});
});

// The server serves the published webhooks; `n8n execute` runs beside it, as a second process on the same database.
// It trusts the emulator as it trusts Amazon SNS (for signing certificates and subscription confirmations): tests only.
describe('n8n’s server with the examples published', () => {
	beforeAll(async () => {
		e2e.server = await e2e.stack.n8n.start({ env: snsTestEnvironment(e2e.stack) });
	}, 5 * 60_000);
	afterAll(async () => await e2e.server?.stop());

	describe('The sign-up page (production webhook)', () => {
		let logStart: number;
		const tokens = () => {
			const all = e2e.stack.emulatorConfig.registrationTokens ?? [];
			const [valid, expired] = [all.find((token) => !token.expired), all.find((token) => token.expired)];
			if (!valid || !expired) throw new Error('the emulator configuration needs a valid and an expired registration token');
			return { valid, expired };
		};
		const post = (token: string) => postRegistrationToken(e2e.server.url, e2e.stack.workflows.signUp, token);

		beforeAll(async () => {
			log(`Workflow "${e2e.stack.workflows.signUp.name}" (n8n start, production webhook)`);
			await e2e.server.waitForWebhook(webhookPath(e2e.stack.workflows.signUp), 'POST');
			logStart = e2e.stack.emulator.log.length;
		});

		test('a valid registration token is answered HTTP 200 with a page naming the buyer’s account and product', async () => {
			const { valid } = tokens();
			const welcome = await post(valid.token);
			expect(welcome.status).toBe(200);
			expect(welcome.contentType).toMatch(/^text\/html/);
			expect(welcome.body).toContain(valid.customerAWSAccountId);
			expect(welcome.body).toContain(valid.productCode);
		});

		test('an expired registration token is answered HTTP 400 with the sign-up failed page', async () => {
			const late = await post(tokens().expired.token);
			expect(late.status).toBe(400);
			expect(late.body).toContain('not valid');
		});

		test('an unknown registration token is answered HTTP 400', async () => {
			expect((await post('token-nobody-issued')).status).toBe(400);
		});

		test('the emulator resolved one token and refused the expired and the unknown one', () => {
			expect(outcomes(requests(e2e.stack.emulator.log.slice(logStart), 'ResolveCustomer'))).toEqual({ 200: 1, ExpiredTokenException: 1, InvalidTokenException: 1 });
		});
	});

	// The ledger's cases compare the emulator's whole billing with the events they post. The trigger's deliveries bill
	// nothing: they run while the ledger's cases wait for a killed run's lease to lapse.
	const ledger = ledgerFlows(e2e);
	ledger.describeUntilLease();
	describeTriggerDeliveries(e2e, () => triggerTest);
	ledger.describeAfterLease();
	// The lifecycle example's final usage comes from the same embedded ledger: after the ledger's cases.
	describeLifecycleExample(e2e);
});

// Last: its keys in the embedded ledger would stand among those the ledger's cases compare with AWS's billing.
describeRetriedExecution(e2e);
