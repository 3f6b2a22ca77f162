// The browser test (`npm run test:browser`): the real n8n of the end-to-end test (2.41.1, the packed package installed
// as a community package, the emulator, the examples), its editor driven in Debian's Chromium by playwright-core as
// a seller uses it. The cases run in order in one editor page, each going on from where the one before left the
// editor. Screenshots of every step go to artifacts/browser/ (a failed case's as NN-failed-<case>.png), which CI keeps;
// the pictures of the examples go to docs/examples/, committed, for the examples' README. E2E_KEEP=1 keeps n8n's
// temporary folder.
import { rmSync } from 'node:fs';
import { join } from 'node:path';

import type { Browser } from 'playwright-core';

import { launchChromium } from '../../scripts/browser/lib/chromium';
import { Editor } from '../../scripts/browser/lib/editor';
import { browserWorkflows } from '../../scripts/browser/workflows';
import type { N8nServer } from '../../scripts/e2e/lib/n8n';
import { ownerEnv } from '../../scripts/e2e/lib/owner';
import { ROOT } from '../../scripts/e2e/lib/paths';
import { prepareStack, type Stack } from '../../scripts/e2e/lib/stack';
import { describeCredential } from './browser/credentials';
import { describeExamplePictures } from './browser/examples';
import { describeEmptyAllocations, describeNodesPanel, describeOperations, describeProductCodes, describeRetryDescriptions } from './browser/parameters';
import { describeErrorTitle, describeResolveCustomerOutput, describeWorkflowRun } from './browser/runs';
import { describeCredentialSlots, describeFieldsStay, describeOptionsApply, describeRecordedRun, describeTrigger, describeVersion1Expressions } from './browser/seller';
import { startSession } from './browser/session';

const ARTIFACTS_DIR = join(ROOT, 'artifacts', 'browser');
const OWNER = { email: 'browser-test@example.com', password: 'Browser-test-1' };

let stack: Stack | undefined;
let server: N8nServer | undefined;
let browser: Browser | undefined;

// n8n is cached by the end-to-end run before this one; a first run installs it (about 7 minutes).
beforeAll(async () => {
	rmSync(ARTIFACTS_DIR, { recursive: true, force: true });
	// A progress line: jest prints the cases' names only once the file has ended.
	stack = await prepareStack({ log: (message) => process.stdout.write(`== ${message}\n`), keep: process.env.E2E_KEEP === '1', extraWorkflows: browserWorkflows });
	server = await stack.n8n.start({ env: ownerEnv(OWNER) });
	browser = await launchChromium();
	startSession({ stack, editor: await Editor.open(browser, server.url, OWNER, ARTIFACTS_DIR) });
}, 15 * 60_000);

afterAll(async () => {
	await browser?.close();
	await server?.stop();
	await stack?.stop();
	process.stdout.write(`Screenshots in ${ARTIFACTS_DIR}\n`);
});

describeNodesPanel();
describeOperations();
describeProductCodes();
describeEmptyAllocations();
describeRetryDescriptions();
describeFieldsStay();
describeOptionsApply();
describeCredentialSlots();
describeCredential();
describeWorkflowRun();
describeErrorTitle();
describeResolveCustomerOutput();
describeVersion1Expressions();
describeRecordedRun();
describeTrigger();
describeExamplePictures();
