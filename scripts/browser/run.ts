// The browser test (`npm run test:browser`): the real n8n of the end-to-end test (2.41.1, the packed package installed
// as a community package, the emulator, the examples), its editor driven in Debian's Chromium by playwright-core as
// a seller uses it. Screenshots of every step go to artifacts/browser/, which CI keeps; the pictures of the examples
// go to docs/examples/, committed, for the examples' README.
import { rmSync } from 'node:fs';
import { join } from 'node:path';

import { checkCredential } from './credentials';
import { pictureExamples } from './examples';
import { Editor } from './lib/editor';
import { launchChromium } from './lib/chromium';
import { checkEmptyAllocations, checkNodesPanel, checkOperations, checkProductCodes, checkRetryDescriptions } from './parameters';
import { browserWorkflows, checkErrorTitle, checkResolveCustomerOutput, checkWorkflowRun } from './runs';
import { checkCredentialSlots, checkFieldsStay, checkOptionsApply, checkRecordedRun, checkTrigger, checkVersion1Expressions, sellerWorkflows } from './seller';
import { runMain } from '../e2e/lib/main';
import { ownerEnv } from '../e2e/lib/owner';
import { ROOT } from '../e2e/lib/paths';
import { Checks } from '../e2e/lib/report';
import { prepareStack } from '../e2e/lib/stack';

const ARTIFACTS_DIR = join(ROOT, 'artifacts', 'browser');

// n8n is cached by the end-to-end run before this one; a first run installs it (about 7 minutes).
const TIME_LIMIT_MS = 20 * 60_000;
const OWNER = { email: 'browser-test@example.com', password: 'Browser-test-1' };

const log = (message: string) => process.stdout.write(`\n== ${message}\n`);

async function main(): Promise<number> {
	const started = Date.now();
	const checks = new Checks();
	rmSync(ARTIFACTS_DIR, { recursive: true, force: true });
	const stack = await prepareStack({ log, keep: process.argv.includes('--keep'), extraWorkflows: (...args) => [...browserWorkflows(...args), ...sellerWorkflows(args[0])] });
	const server = await stack.n8n.start({ env: ownerEnv(OWNER) });
	const browser = await launchChromium();
	try {
		const editor = await Editor.open(browser, server.url, OWNER, ARTIFACTS_DIR);
		const steps: Array<[string, () => Promise<void>]> = [
			['The nodes panel', () => checkNodesPanel(editor, checks)],
			['Each operation’s parameters', () => checkOperations(editor, checks)],
			['Fields of one operation stay out of another', () => checkProductCodes(editor, checks)],
			['An empty Usage Allocations', () => checkEmptyAllocations(editor, checks)],
			['The retry settings’ help', () => checkRetryDescriptions(editor, checks)],
			['Fields stay in sight', () => checkFieldsStay(editor, checks)],
			['Options that apply', () => checkOptionsApply(editor, checks)],
			['The credentials first', () => checkCredentialSlots(editor, checks)],
			['The credential and its Test button', () => checkCredential(editor, checks, stack.emulator.url)],
			['A workflow run from the editor', () => checkWorkflowRun(editor, checks, stack.workflows.inputItemsMetering)],
			['The error title', () => checkErrorTitle(editor, checks)],
			['Resolve Customer’s output', () => checkResolveCustomerOutput(editor, checks)],
			['A saved version 1 node’s expressions', () => checkVersion1Expressions(editor, checks, stack.workflows.inputItemsMetering)],
			['Record Usage (version 3) run from the editor', () => checkRecordedRun(editor, checks)],
			['The trigger tried from the editor', () => checkTrigger(editor, checks, stack.webhookApiKey.value)],
			['The examples’ pictures', () => pictureExamples(editor, checks, stack.workflows)],
		];
		for (const [title, step] of steps) {
			log(title);
			// One step failing must not hide what the others see: its screenshot shows where it stopped.
			await step().catch(async (error: Error) => {
				checks.check(`${title}: the step ran to the end`, false, error.message.split('\n')[0]);
				await editor.screenshot('failed-step').catch(() => undefined);
			});
		}
	} finally {
		await browser.close();
		await server.stop();
		await stack.emulator.stop();
	}
	process.stdout.write(`\nBrowser test on real n8n: ${checks.summary()} in ${Math.round((Date.now() - started) / 1000)} s; screenshots in ${ARTIFACTS_DIR}\n`);
	return checks.failed === 0 ? 0 : 1;
}

runMain(TIME_LIMIT_MS, main);
