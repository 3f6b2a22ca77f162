// `npm run demo -- --editor [--port 5678]` builds the package, starts a local emulator of the AWS Marketplace
// Metering Service and real n8n with the package, its credentials and the example workflows, runs the examples
// once (the metering ledger's too: usage posted to a webhook, hourly runs, a late event, a license's final usage,
// the report; and the subscription lifecycle: AWS's License Updated and License Deprovisioned events posted to the
// AWS Marketplace Trigger as EventBridge does, usage between them) and prints what happened and what was metered.
// Then it leaves n8n's editor open, logged in as the demo's owner.

import { eventBridgeLicenseArn, EXAMPLE_CUSTOMERS, postJson, postRegistrationToken, triggerPath, usageEvent, webhookPath } from '../e2e/lib/examples';
import { nodeOutput, type N8nServer } from '../e2e/lib/n8n';
import { licenseEvent, message, TriggerDriver, triggerItem } from '../e2e/lib/trigger';
import { ownerEnv } from '../e2e/lib/owner';
import { portIsFree } from '../e2e/lib/proc';
import { prepareStack, type Stack } from '../e2e/lib/stack';
import { billedTable, customerName, hourText, recordedLine, reportTable, requestsTable } from './print';
import { demoUsage, hoursBack } from './usage';

const portFlag = process.argv.indexOf('--port');
const port = portFlag >= 0 ? Number(process.argv[portFlag + 1]) : 5678;

// A local demo instance only: it listens on loopback and lives as long as this process.
const OWNER = { email: 'demo@example.com', password: 'Metering-demo-1' };

const say = (message = '') => process.stdout.write(`${message}\n`);
const log = (message: string) => say(`- ${message}`);

const HOUR = 3_600_000;
type Json = Record<string, unknown>;

/** One line per key a ledger run sent: "Acme api_calls 2026-11-22 17:00: 150 Success". */
function keyLines(items: Json[]): string[] {
	return items.map((item) => {
		const key = (item.details ?? item) as Json;
		const record = key.usageRecord as Json | null;
		const reason = item.details ? `: ${String(item.error)}` : '';
		return `    ${customerName(key.licenseArn)} ${String(key.dimension)} ${hourText(key.hour)}: ${record ? String(record.Quantity) : '-'} ${String(key.status)}${reason}`;
	});
}

/**
 * The metering ledger examples, with n8n's server running: usage events posted to the ingest webhook, the
 * hourly workflow run twice (a late event in between), a license's final usage, and the metering report.
 * The events are 2 to 4 hours old, so that their hours have closed; the hourly example meters the hour before.
 */
async function runLedgerExamples(stack: Stack, server: N8nServer): Promise<void> {
	const { n8n, workflows } = stack;
	const { globex } = EXAMPLE_CUSTOMERS;
	const usage = demoUsage(hoursBack());
	const ingest = async (what: string, events: Json[]) => {
		log(`${what}: POST ${events.length} usage events to "${workflows.usage.name}"`);
		const { status, json, text } = await postJson(server.url, workflows.usage, events);
		if (status !== 200) {
			say(`  HTTP ${status}: ${text}`);
			return;
		}
		say(`  HTTP 200: ${String(json.recorded)} recorded, ${String(json.duplicates)} duplicates, ${String(json.afterFinalReport)} after the final report, ${String(json.invalid)} invalid`);
		for (const result of (json.results ?? []) as Json[]) say(recordedLine(result));
	};
	const meter = async (what: string) => {
		log(`${what}: running "${workflows.hourlyMetering.name}"`);
		const run = await n8n.execute(workflows.hourlyMetering.id);
		const billed = nodeOutput(run, 'Billed');
		const followUp = nodeOutput(run, 'Batch Meter Usage', 1);
		say(`  ${billed.length} customer-dimension-hours billed, ${followUp.length} sent to follow-up${billed.length + followUp.length ? ':' : ''}`);
		for (const line of keyLines([...billed, ...followUp])) say(line);
	};

	await ingest('Usage happens', usage.first);
	await meter('The hour closes');
	await ingest('More usage: one event late, for an hour already sent, and one sent again', usage.late);
	await meter('The next hourly run');
	await ingest('Globex uses the product in the hour in progress', usage.inProgress());
	log(`Globex cancels: AWS's License Deprovisioned event to "${workflows.lifecycle.name}"`);
	await server.waitForWebhook(triggerPath(workflows.lifecycle), 'POST');
	const driver = new TriggerDriver(stack, server);
	const final = await driver.eventBridge(workflows.lifecycle, 'License Deprovisioned - Manufacturer', {
		event: licenseEvent(eventBridgeLicenseArn(globex.licenseArn), globex.customerAWSAccountId, 'agmt-abcdexampleid'),
	});
	const finalRequestId = (final.sent.detail as Json).requestId;
	const finalRun = final.status === 200 ? (await driver.waitForExecutions(workflows.lifecycle.id, 'requestId', [finalRequestId])).get(finalRequestId)![0] : undefined;
	say(finalRun ? `  Notify: ${String(nodeOutput(finalRun, 'Notify')[0]?.message)}` : `  HTTP ${final.status}: ${message(final.answer)}`);
	await ingest('Globex usage after its final report', usage.afterFinalReport());

	log(`Running "${workflows.report.name}"`);
	const report = nodeOutput(await n8n.execute(workflows.report.id), 'Get Metering Report');
	say('');
	say(indent(reportTable(report, true)));
}

const indent = (text: string) => text.replace(/^/gm, '  ');

/**
 * The subscription lifecycle example, with n8n's server running: AWS's License Updated event for Acme (posted by
 * the emulator as an EventBridge API destination does, with the connection's API key), usage in the hour in
 * progress, AWS's License Deprovisioned event, and the same delivery again. The trigger answers at once; what each
 * execution did is read from n8n's database.
 */
async function runLifecycleExample(stack: Stack, server: N8nServer): Promise<void> {
	const { workflows } = stack;
	const { acme } = EXAMPLE_CUSTOMERS;
	const driver = new TriggerDriver(stack, server);
	const event = licenseEvent(eventBridgeLicenseArn(acme.licenseArn), acme.customerAWSAccountId, 'agmt-4mwg1nevbokzw95eca5797ixs');
	const deliver = async (what: string, example: string, extra: Json = {}) => {
		log(`${what}: AWS's "${example}" event to "${workflows.lifecycle.name}" (EventBridge API destination, x-api-key header)`);
		const delivery = await driver.eventBridge(workflows.lifecycle, example, { event: { ...event, ...extra, detail: { ...(event.detail as Json), ...((extra.detail as Json | undefined) ?? {}) } } });
		const ignored = delivery.status !== 200 || (typeof delivery.answer === 'object' && /ignored/.test(message(delivery.answer)));
		say(`  HTTP ${delivery.status}${ignored ? `: ${message(delivery.answer)}` : ', the workflow started'}`);
		const requestId = (delivery.sent.detail as Json).requestId;
		if (ignored) return delivery;
		// The answer does not wait for the workflow: its execution is read from n8n's database once it ended.
		const execution = (await driver.waitForExecutions(workflows.lifecycle.id, 'requestId', [requestId])).get(requestId)![0];
		const item = triggerItem(execution) ?? {};
		say(`  Execution ${execution.id} (${execution.status}): event ${String(item.event)}, license ${String(item.licenseId)}, customer ${String(item.customerAWSAccountId)}`);
		const agreement = nodeOutput(execution, 'Describe Agreement')[0];
		if (agreement) say(`  Describe Agreement: ${agreement.error ? String(agreement.error) : `${String(agreement.agreementId)} ${String(agreement.status)}`}`);
		const notified = nodeOutput(execution, 'Notify')[0];
		if (notified) say(`  Notify: ${String(notified.message)}`);
		return delivery;
	};

	await server.waitForWebhook(triggerPath(workflows.lifecycle), 'POST');
	await deliver('Acme’s license is provisioned', 'License Updated - Manufacturer');
	log(`Acme uses the product: POST 2 usage events to "${workflows.usage.name}"`);
	const usage = await postJson(server.url, workflows.usage, [
		usageEvent('demo-lifecycle-1', acme, 'api_calls', 25, new Date(Date.now() - 1000)),
		usageEvent('demo-lifecycle-2', acme, 'users', 4, new Date(Date.now() - 1000)),
	]);
	say(`  HTTP ${usage.status}: ${String(usage.json.recorded)} recorded`);
	const deprovisioned = await deliver('Acme cancels', 'License Deprovisioned - Manufacturer');
	log('EventBridge delivers the same event again (at least once)');
	const repeat = await driver.eventBridge(workflows.lifecycle, 'License Deprovisioned - Manufacturer', {
		event: { ...event, id: deprovisioned.sent.id, detail: { ...(event.detail as Json), requestId: (deprovisioned.sent.detail as Json).requestId } },
	});
	say(`  HTTP ${repeat.status}: ${message(repeat.answer)}: no execution`);
	log('A request without the API key');
	const refused = await driver.eventBridge(workflows.lifecycle, 'License Deprovisioned - Manufacturer', { apiKey: null });
	say(`  HTTP ${refused.status}: ${message(refused.answer)}: no execution`);
}

async function main(): Promise<void> {
	if (!(await portIsFree(port))) {
		throw new Error(`port ${port} is in use: stop what runs there or choose another with --port N`);
	}
	const stack = await prepareStack({ log, publish: ['signUp', 'usage', 'lifecycle'] });
	const { emulator, n8n, workflows, emulatorConfig } = stack;

	log(`Running "${workflows.containerStart.name}"`);
	const container = await n8n.execute(workflows.containerStart.id);
	const registered = nodeOutput(container, 'Register Usage')[0];
	say(
		registered
			? `  Register Usage: signature ${registered.verified ? 'verified' : 'NOT verified'} for product ${String((registered.claims as { ProductCode?: string }).ProductCode)}`
			: `  failed: ${container.data.resultData.error?.message ?? container.status}`,
	);

	log('Starting n8n');
	const server = await n8n.start({ port, env: { ...ownerEnv(OWNER), WEBHOOK_URL: `http://localhost:${port}/` } });
	await server.waitForWebhook(webhookPath(workflows.signUp), 'POST');
	const token = (emulatorConfig.registrationTokens ?? []).find((candidate) => !candidate.expired);
	if (token) {
		log(`A buyer signs up: POST x-amzn-marketplace-token=${token.token} to "${workflows.signUp.name}"`);
		const answer = await postRegistrationToken(server.url, workflows.signUp, token.token);
		const page = /<body>([\s\S]*)<\/body>/.exec(answer.body)?.[1] ?? answer.body;
		const text = page.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
		say(`  HTTP ${answer.status}: ${text}`);
	}

	await server.waitForWebhook(webhookPath(workflows.usage), 'POST');
	await runLedgerExamples(stack, server);
	await runLifecycleExample(stack, server);

	say('\nWhat the emulator billed:\n');
	say(billedTable(emulator));
	say('\nRequests the emulator answered:\n');
	say(requestsTable(emulator));

	const base = `http://localhost:${port}`;
	say(`
n8n is running with the package, its credentials and the example workflows:

  Editor:    ${base}
  Log in:    ${OWNER.email} / ${OWNER.password}
  Sign-up:   curl -d x-amzn-marketplace-token=${token?.token ?? 'TOKEN'} ${base}${webhookPath(workflows.signUp)}
  Usage:     curl -H 'content-type: application/json' -d '${JSON.stringify(usageEvent('my-event-1', EXAMPLE_CUSTOMERS.acme, 'api_calls', 5, new Date(Math.floor(Date.now() / HOUR) * HOUR)))}' ${base}${webhookPath(workflows.usage)}
  Events:    curl -d '${JSON.stringify({ url: `${base}${triggerPath(workflows.lifecycle)}`, example: 'License Updated - Manufacturer', apiKey: stack.webhookApiKey })}' ${emulator.url}/_emulator/lifecycle/eventbridge
             (AWS's documented example event, posted with the API key of the credential "AWS Marketplace Webhook account")
  Emulator:  ${emulator.url} (GET /_emulator/stats, /_emulator/log, /_emulator/lifecycle/examples)

Stop with Ctrl+C.`);
	await new Promise<never>(() => undefined);
}

main().then(
	() => process.exit(0),
	(error: Error) => {
		process.stderr.write(`\nThe demo failed: ${error.message}\n`);
		process.exit(1);
	},
);
