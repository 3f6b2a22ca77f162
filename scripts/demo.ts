// The one-command demo: `npm run demo` builds the package, starts a local emulator of the AWS Marketplace
// Metering Service and real n8n with the package, a credential and the example workflows, runs the examples
// once and prints what was metered. `npm run demo -- --serve [--port 5678]` then leaves n8n's editor open.
import { createRequire } from 'node:module';
import { join } from 'node:path';

import type { Emulator } from '../emulator';
import { postRegistrationToken, webhookPath } from './e2e/lib/examples';
import { nodeOutput } from './e2e/lib/n8n';
import { N8N_INSTALL_DIR } from './e2e/lib/paths';
import { portIsFree } from './e2e/lib/proc';
import { table } from './e2e/lib/report';
import { prepareStack } from './e2e/lib/stack';

const serve = process.argv.includes('--serve');
const portFlag = process.argv.indexOf('--port');
const port = portFlag >= 0 ? Number(process.argv[portFlag + 1]) : 5678;

// A local demo instance only: it listens on loopback and lives as long as this process.
const OWNER = { email: 'demo@example.com', password: 'Metering-demo-1' };

const say = (message = '') => process.stdout.write(`${message}\n`);
const log = (message: string) => say(`- ${message}`);

/** The owner account, created by n8n at start-up from environment variables, so the editor opens on its login. */
function ownerEnv(): Record<string, string> {
	const bcrypt = createRequire(join(N8N_INSTALL_DIR, 'package.json'))('bcryptjs') as { hashSync(text: string, rounds: number): string };
	return {
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
		N8N_INSTANCE_OWNER_FIRST_NAME: 'Demo',
		N8N_INSTANCE_OWNER_LAST_NAME: 'Seller',
		N8N_INSTANCE_OWNER_PASSWORD_HASH: bcrypt.hashSync(OWNER.password, 10),
	};
}

function meteredTable(emulator: Emulator): string {
	const rows = Object.entries(emulator.stats().billed).map(([key, { quantity, meteringRecordId }]) => {
		const [product, customer, dimension, hour] = key.split('|');
		// A license ARN ends in the license ID, which is enough to tell customers apart here.
		return [product.split(':').pop() ?? product, customer, dimension, hour.slice(0, 16).replace('T', ' '), String(quantity), meteringRecordId];
	});
	return rows.length ? table(['Product / license', 'Customer', 'Dimension', 'Hour (UTC)', 'Quantity', 'Metering record ID'], rows) : '(nothing)';
}

function requestsTable(emulator: Emulator): string {
	const rows = Object.entries(emulator.stats().requests).flatMap(([operation, outcomes]) =>
		Object.entries(outcomes).map(([outcome, count]) => [operation, outcome, String(count)]),
	);
	return table(['Operation', 'Answer', 'Requests'], rows);
}

async function main(): Promise<void> {
	if (serve && !(await portIsFree(port))) {
		throw new Error(`port ${port} is in use: stop what runs there or choose another with --port N`);
	}
	const { emulator, n8n, workflows, emulatorConfig } = await prepareStack({ log, publish: ['signUp'] });

	log(`Running "${workflows.hourlyMetering.name}"`);
	const hourly = await n8n.execute(workflows.hourlyMetering.id);
	const events = nodeOutput(hourly, 'Usage events');
	say(`  ${events.length} usage events, ${nodeOutput(hourly, 'Metered').length} metered, ${nodeOutput(hourly, 'Follow up').length} sent to follow-up:`);
	for (const item of nodeOutput(hourly, 'Follow up')) say(`    ${item.customer} ${item.dimension} ${item.quantity}: ${item.status}. ${item.reason}`);

	log(`Running "${workflows.containerStart.name}"`);
	const container = await n8n.execute(workflows.containerStart.id);
	const registered = nodeOutput(container, 'Register Usage')[0];
	say(
		registered
			? `  Register Usage: signature ${registered.verified ? 'verified' : 'NOT verified'} for product ${String((registered.claims as { ProductCode?: string }).ProductCode)}`
			: `  failed: ${container.data.resultData.error?.message ?? container.status}`,
	);

	log('Starting n8n');
	const server = await n8n.start(serve ? { port, env: { ...ownerEnv(), WEBHOOK_URL: `http://localhost:${port}/` } } : {});
	await server.waitForWebhook(webhookPath(workflows.signUp), 'POST');
	const token = (emulatorConfig.registrationTokens ?? []).find((candidate) => !candidate.expired);
	if (token) {
		log(`A buyer signs up: POST x-amzn-marketplace-token=${token.token} to "${workflows.signUp.name}"`);
		const answer = await postRegistrationToken(server.url, workflows.signUp, token.token);
		const page = /<body>([\s\S]*)<\/body>/.exec(answer.body)?.[1] ?? answer.body;
		const text = page.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
		say(`  HTTP ${answer.status}: ${text}`);
	}

	say('\nWhat the emulator billed:\n');
	say(meteredTable(emulator));
	say('\nRequests the emulator answered:\n');
	say(requestsTable(emulator));

	if (!serve) {
		await server.stop();
		await emulator.stop();
		say('\nRun `npm run demo -- --serve` to open these workflows in n8n’s editor.');
		return;
	}
	const base = `http://localhost:${port}`;
	say(`
n8n is running with the package, the credential and the example workflows:

  Editor:    ${base}
  Log in:    ${OWNER.email} / ${OWNER.password}
  Sign-up:   curl -d x-amzn-marketplace-token=${token?.token ?? 'TOKEN'} ${base}${webhookPath(workflows.signUp)}
  Emulator:  ${emulator.url} (GET /_emulator/stats, /_emulator/log)

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
