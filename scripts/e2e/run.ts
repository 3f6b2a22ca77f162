// The end-to-end test on real n8n (`npm run test:e2e [-- --keep]`): installs n8n 2.41.1 under Node 24 (cached; n8n 1.x:
// `npm run test:e2e:n8n1`, which sets N8N_VERSION=1.123.81; scripts/e2e/lib/paths.ts),
// installs this package's `npm pack` tarball as a community package, imports a credential for a local
// emulator of the Metering Service, the AWS Marketplace Trigger's API-key credential and the example workflows,
// runs them with n8n's CLI and webhooks (the trigger's through the emulator's EventBridge and SNS posts), and
// checks their outcome in n8n's output, in the executions n8n stored, and in what the emulator received and billed.
import { generateKeyPairSync } from 'node:crypto';

import type { RequestLogEntry } from '../../emulator';
import { checkLedgerFlows, ledgerTestWorkflows } from './ledger';
import { checkRetriedExecution, retryTestWorkflow } from './retry';
import { node, postRegistrationToken, webhookPath, withPublicKey, type Workflow } from './lib/examples';
import { installedN8nVersion, nodeOutput, type N8nRun, type N8nServer } from './lib/n8n';
import { runMain } from './lib/main';
import { Checks } from './lib/report';
import { prepareStack, type Stack } from './lib/stack';
import { checkLifecycleExample, checkTriggerDeliveries, snsTestEnvironment, TRIGGER_ALL_EVENTS_ID, triggerTestWorkflows } from './lifecycle';

// A first run installs n8n (about 5 minutes); later runs take about 5 (of which 95 s wait for a killed run's lease,
// used by the trigger's delivery checks).
const TIME_LIMIT_MS = 25 * 60_000;
const WRONG_KEY_WORKFLOW_ID = 'mpContainerWrongKey';

const log = (message: string) => process.stdout.write(`\n== ${message}\n`);

type Json = Record<string, unknown>;

function requests(entries: RequestLogEntry[], operation: string): RequestLogEntry[] {
	return entries.filter((entry) => entry.operation === operation);
}

function outcomes(entries: RequestLogEntry[]): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const entry of entries) {
		const outcome = entry.errorType ?? String(entry.httpStatus);
		counts[outcome] = (counts[outcome] ?? 0) + 1;
	}
	return counts;
}

const hourOf = (timestamp: unknown) => new Date(String(timestamp)).toISOString().slice(0, 13);

async function checkHourlyMetering(stack: Stack, checks: Checks): Promise<void> {
	const { emulator, n8n, workflows } = stack;
	log(`Workflow "${workflows.inputItemsMetering.name}"`);
	// What AWS answers for an event, by the emulator's configuration: a subscribed customer's usage is billed.
	// A license not granted to the record's account (unknown, or another account's) makes AWS refuse the whole
	// request, and the node, after isolating the record, reports it as Rejected.
	const customers = stack.emulatorConfig.customers ?? [];
	const expectedStatus = (event: Json) =>
		customers.some((customer) => customer.customerAWSAccountId === event.customerAWSAccountId && customer.licenseArn === event.licenseArn)
			? 'Success'
			: 'Rejected';

	const logStart = emulator.log.length;
	const first = await n8n.execute(workflows.inputItemsMetering.id);
	checks.equal('the run succeeds', first.status, 'success');
	const events = nodeOutput(first, 'Usage events');
	const metered = nodeOutput(first, 'Metered');
	const followUp = nodeOutput(first, 'Follow up');
	checks.check(`the source produced usage events (${events.length})`, events.length > 0);

	// What the events add up to per customer, dimension and hour: what AWS must have billed, and nothing else.
	const groups = new Map<string, { customer: string; dimension: string; quantity: number; status: string }>();
	for (const event of events) {
		const key = `${event.customerAWSAccountId}|${event.dimension}|${hourOf(event.timestamp)}`;
		const group = groups.get(key) ?? {
			customer: String(event.customerAWSAccountId),
			dimension: String(event.dimension),
			quantity: 0,
			status: expectedStatus(event),
		};
		group.quantity += Number(event.quantity);
		groups.set(key, group);
	}
	const stats = emulator.stats();
	for (const { customer, dimension, quantity, status } of groups.values()) {
		const expected = status === 'Success' ? quantity : 0;
		checks.equal(
			`the emulator billed ${expected} ${dimension} to ${customer}${status === 'Success' ? '' : ` (not subscribed: ${status})`}`,
			stats.meteredQuantity({ customer, dimension }),
			expected,
		);
	}
	const billable = events.filter((event) => expectedStatus(event) === 'Success');
	const notBillable = events.filter((event) => expectedStatus(event) !== 'Success');
	checks.check('the example has events of subscribed and of unsubscribed customers', billable.length > 0 && notBillable.length > 0);
	checks.equal(
		'every event of a subscribed customer is routed to "Metered" with status Success',
		metered.map((item) => item.status),
		billable.map(() => 'Success'),
	);
	checks.equal(
		'every event of an unsubscribed customer is routed to "Follow up" with AWS’s answer',
		followUp.map((item) => [item.customer, item.dimension, item.quantity, item.status]),
		notBillable.map((event) => [event.customer, event.dimension, event.quantity, expectedStatus(event)]),
	);
	checks.check(
		'"Follow up" says why',
		followUp.every((item) => typeof item.reason === 'string' && item.reason.length > 0),
		JSON.stringify(followUp.map((item) => item.reason)),
	);
	const batches = requests(emulator.log.slice(logStart), 'BatchMeterUsage');
	const accepted = batches.filter((entry) => entry.httpStatus === 200);
	const rejected = [...groups.values()].some((group) => group.status === 'Rejected');
	checks.equal(
		'the emulator refused BatchMeterUsage requests only for a license not granted for the product',
		Object.keys(outcomes(batches)).sort(),
		rejected ? ['200', 'InvalidLicenseException'] : ['200'],
	);
	checks.equal(
		`the events went out aggregated: one usage record per customer, dimension and hour (${events.length} events)`,
		accepted.reduce((total, entry) => total + (entry.records ?? 0), 0),
		[...groups.values()].filter((group) => group.status !== 'Rejected').length,
	);

	// A rerun of the same hour must not bill again: the same records get the same metering record IDs.
	const billedBefore = JSON.stringify(emulator.stats().billed);
	const second = await n8n.execute(workflows.inputItemsMetering.id);
	checks.equal('a rerun succeeds', second.status, 'success');
	const sameHour = hourOf(nodeOutput(second, 'Usage events')[0]?.timestamp) === hourOf(events[0]?.timestamp);
	if (!sameHour) {
		process.stdout.write('SKIP  rerun idempotency: the hour changed between the two runs\n');
		return;
	}
	checks.equal(
		'a rerun within the hour gets the same metering record IDs',
		nodeOutput(second, 'Metered').map((item) => item.meteringRecordId),
		metered.map((item) => item.meteringRecordId),
	);
	checks.check('a rerun within the hour bills nothing more', JSON.stringify(emulator.stats().billed) === billedBefore);
}

function registerUsageItem(run: N8nRun): Json {
	return nodeOutput(run, 'Register Usage')[0] ?? {};
}

async function checkContainerStart(stack: Stack, checks: Checks): Promise<void> {
	const { emulator, n8n, workflows } = stack;
	log(`Workflow "${workflows.containerStart.name}"`);
	const logStart = emulator.log.length;
	const run = await n8n.execute(workflows.containerStart.id);
	checks.equal('the run succeeds', run.status, 'success');
	const registered = registerUsageItem(run);
	const claims = (registered.claims ?? {}) as Json;
	const productCode = node(workflows.containerStart, 'Register Usage').parameters.registerUsageProductCode;
	checks.equal('Register Usage verified the signature with the emulator’s public key', registered.verified, true);
	checks.equal('the signed claims name the product, key version and nonce', [claims.ProductCode, claims.PublicKeyVersion, claims.Nonce], [productCode, 1, registered.nonce]);
	checks.equal('the paid features start', nodeOutput(run, 'Start paid features').length, 1);
	checks.equal('the emulator answered one RegisterUsage with HTTP 200', outcomes(requests(emulator.log.slice(logStart), 'RegisterUsage')), { 200: 1 });

	const forged = await n8n.execute(WRONG_KEY_WORKFLOW_ID);
	checks.equal('with another public key the run fails', forged.status, 'error');
	checks.check(
		'... because the signature does not verify',
		/did not verify/.test(forged.data.resultData.error?.message ?? ''),
		forged.data.resultData.error?.message,
	);
	checks.equal('... and the paid features do not start', nodeOutput(forged, 'Start paid features').length, 0);
}

async function checkSignUp(stack: Stack, server: N8nServer, checks: Checks): Promise<void> {
	const { emulator, workflows, emulatorConfig } = stack;
	log(`Workflow "${workflows.signUp.name}" (n8n start, production webhook)`);
	await server.waitForWebhook(webhookPath(workflows.signUp), 'POST');
	const logStart = emulator.log.length;
	const token = (emulatorConfig.registrationTokens ?? []).find((candidate) => !candidate.expired);
	const expired = (emulatorConfig.registrationTokens ?? []).find((candidate) => candidate.expired);
	if (!token || !expired) throw new Error('the emulator configuration needs a valid and an expired registration token');

	const welcome = await postRegistrationToken(server.url, workflows.signUp, token.token);
	checks.equal('a valid registration token is answered HTTP 200', welcome.status, 200);
	checks.check('... with an HTML page', welcome.contentType.startsWith('text/html'), welcome.contentType);
	checks.check(
		`... naming the buyer's account ${token.customerAWSAccountId} and product ${token.productCode}`,
		welcome.body.includes(token.customerAWSAccountId) && welcome.body.includes(token.productCode),
		welcome.body,
	);
	const late = await postRegistrationToken(server.url, workflows.signUp, expired.token);
	checks.equal('an expired registration token is answered HTTP 400', late.status, 400);
	checks.check('... with the sign-up failed page', late.body.includes('not valid'), late.body);
	const unknown = await postRegistrationToken(server.url, workflows.signUp, 'token-nobody-issued');
	checks.equal('an unknown registration token is answered HTTP 400', unknown.status, 400);
	checks.equal(
		'the emulator resolved one token and refused the expired and the unknown one',
		outcomes(requests(emulator.log.slice(logStart), 'ResolveCustomer')),
		{ 200: 1, ExpiredTokenException: 1, InvalidTokenException: 1 },
	);
}

async function main(): Promise<number> {
	const started = Date.now();
	const checks = new Checks();
	let triggerTest: Workflow | undefined;
	const stack = await prepareStack({
		log,
		keep: process.argv.includes('--keep'),
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
	const version = installedN8nVersion();
	log(`n8n ${version}`);
	await checkHourlyMetering(stack, checks);
	await checkContainerStart(stack, checks);
	// The server serves the published webhooks; `n8n execute` runs beside it, as a second process on the same database.
	// It trusts the emulator as it trusts Amazon SNS (for signing certificates and subscription confirmations): tests only.
	const server = await stack.n8n.start({ env: snsTestEnvironment(stack) });
	try {
		await checkSignUp(stack, server, checks);
		// The ledger's checks compare the emulator's whole billing with the events they post.
		stack.emulator.reset();
		await server.waitForWebhook(webhookPath(stack.workflows.usage), 'POST');
		// The trigger's deliveries bill nothing: they run while the ledger's checks wait for a killed run's lease.
		await checkLedgerFlows(stack, server, checks, log, async () => {
			// A failure here must not keep the ledger's checks from finishing.
			await checkTriggerDeliveries(stack, server, checks, log, triggerTest!).catch((error: Error) => checks.check('the trigger’s delivery checks ran to the end', false, error.stack ?? error.message));
		});
		// The lifecycle example's final usage comes from the same embedded ledger: after the ledger's checks.
		await checkLifecycleExample(stack, server, checks, log);
	} finally {
		await server.stop();
	}
	// Last: its keys in the embedded ledger would stand among those the ledger's checks compare with AWS's billing.
	await checkRetriedExecution(stack, checks, log);
	await stack.emulator.stop();
	process.stdout.write(`\nEnd-to-end on real n8n ${version}: ${checks.summary()} in ${Math.round((Date.now() - started) / 1000)} s\n`);
	return checks.failed === 0 ? 0 : 1;
}

runMain(TIME_LIMIT_MS, main);
