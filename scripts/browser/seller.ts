// A seller's first hour in the editor (issue 19): fields that stay in sight, options that apply, the credentials
// first, a run's hint and items, the trigger tried from the editor with the README's curl, docs links that open pages.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { credentialReference, node, TRIGGER_NODE_TYPE, WEBHOOK_CREDENTIAL_TYPE, type Workflow } from '../e2e/lib/examples';
import type { StackWorkflowName } from '../e2e/lib/stack';
import { ROOT } from '../e2e/lib/paths';
import type { Checks } from '../e2e/lib/report';
import type { Editor } from './lib/editor';

const RECORD_USAGE_ID = 'browserRecordUsage';
const TRIGGER_ID = 'browserTrigger';
const TRIGGER_WEBHOOK_ID = '6f1c2b7a-4d3e-4a9b-8c5d-0e1f2a3b4c5d';

/** The workflows this file opens: the hourly example's events into Record Usage (version 3), and a trigger of one event type. */
export function sellerWorkflows(workflows: Record<StackWorkflowName, Workflow>): Workflow[] {
	const record = structuredClone(workflows.inputItemsMetering);
	record.id = RECORD_USAGE_ID;
	record.name = 'Browser test: Record Usage (version 3)';
	const metering = node(record, 'Batch Meter Usage');
	metering.typeVersion = 3;
	// The seller's setup: the defaults of a new node but the operation and the ledger.
	metering.parameters = { resource: 'ledger', operation: 'recordUsage', ledger: 'embedded' };
	delete metering.onError;

	const trigger: Workflow = {
		id: TRIGGER_ID,
		name: 'Browser test: AWS Marketplace Trigger',
		nodes: [
			{
				name: 'AWS Marketplace event',
				type: TRIGGER_NODE_TYPE,
				typeVersion: 1,
				position: [0, 0],
				webhookId: TRIGGER_WEBHOOK_ID,
				parameters: { events: ['licenseUpdated'] },
				credentials: { [WEBHOOK_CREDENTIAL_TYPE]: credentialReference(Object.values(workflows), WEBHOOK_CREDENTIAL_TYPE) },
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	};
	return [record, trigger];
}

/** Ledger Embedded, Source Usage in the Ledger, Ledger None: nothing vanishes, and what is hidden says why. */
export async function checkFieldsStay(editor: Editor, checks: Checks): Promise<void> {
	await editor.choose('resource', 'Usage');
	await editor.choose('operation', 'Batch Meter Usage');
	await editor.choose('ledger', 'Embedded');
	await editor.choose('source', 'Usage in the Ledger');
	await editor.choose('ledger', 'None');
	let state = await editor.panelState();
	await editor.screenshot('batch-meter-usage-ledger-none-after-source-ledger');
	checks.check('Ledger Embedded, Source Usage in the Ledger, Ledger None: Source stays in sight', state.labels.includes('Source'), JSON.stringify(state.labels));
	checks.check('... with a notice saying Usage in the Ledger needs a ledger', state.notices.some((text) => /needs a Metering Ledger/.test(text)), JSON.stringify(state.notices));
	await editor.choose('source', 'Input Items');
	state = await editor.panelState();
	await editor.screenshot('batch-meter-usage-source-input-items-again');
	checks.check('... and Source Input Items brings Input Mode and the mapping fields back, without a reload', ['Input Mode', 'Quantity', 'Timestamp'].every((label) => state.labels.includes(label)), JSON.stringify(state.labels));
}

/** Options that do not apply stay out of the list; the report's Limit is in sight; Meter Open Hours Now says all it sends. */
export async function checkOptionsApply(editor: Editor, checks: Checks): Promise<void> {
	await editor.choose('resource', 'Usage');
	await editor.choose('operation', 'Batch Meter Usage');
	await editor.choose('ledger', 'Embedded');
	await editor.choose('source', 'Usage in the Ledger');
	await editor.addAllOptions();
	const fromLedger = await editor.panelState();
	await editor.screenshot('batch-meter-usage-from-the-ledger-options');
	const inapplicable = ['Aggregate Records', 'Truncate to the Hour', 'Max Record Age (Hours)', 'Output'].filter((label) => fromLedger.labels.includes(label));
	checks.equal('Batch Meter Usage from the ledger offers no Aggregate Records, Truncate to the Hour, Max Record Age or Output', inapplicable, []);

	await editor.choose('resource', 'Metering Ledger');
	await editor.choose('operation', 'Get Metering Report');
	await editor.addAllOptions();
	const report = await editor.panelState();
	await editor.screenshot('get-metering-report-limit');
	checks.check('Get Metering Report shows Return All and Limit in sight', report.labels.includes('Return All') && report.labels.filter((label) => label === 'Limit').length === 1, JSON.stringify(report.labels));
	checks.check('... and no Hour Closes After', !report.labels.includes('Hour Closes After (Minutes)'), JSON.stringify(report.labels));

	await editor.choose('operation', 'Meter Open Hours Now');
	const final = await editor.panelState();
	checks.check('Meter Open Hours Now says it also sends other licenses’ closed hours', final.notices.some((text) => /every closed hour of other licenses/.test(text)), JSON.stringify(final.notices));
}

/** The credentials above Resource and Operation, labels in full, the PostgreSQL ledger's too. */
export async function checkCredentialSlots(editor: Editor, checks: Checks): Promise<void> {
	await editor.choose('resource', 'Usage');
	await editor.choose('operation', 'Batch Meter Usage');
	await editor.choose('ledger', 'PostgreSQL');
	const state = await editor.panelState();
	await editor.screenshot('batch-meter-usage-postgresql-credentials');
	checks.equal('Batch Meter Usage with the PostgreSQL ledger: both credentials, first, in full', [state.credentialLabels, state.credentialsFirst, state.cutLabels, state.cutCredentials], [['AWS Credential', 'Ledger Credential'], true, [], []]);
	await editor.choose('ledger', 'None');
}

/** A version 3 Record Usage run on the hourly example's events: no red `undefined`, Recorded items that say what. */
export async function checkRecordedRun(editor: Editor, checks: Checks): Promise<void> {
	await editor.runWorkflow(RECORD_USAGE_ID, 'Meter now');
	await editor.openNode('Batch Meter Usage');
	const state = await editor.panelState();
	await editor.screenshot('record-usage-version-3-after-run');
	checks.equal('Record Usage (version 3) on input without usageAllocations or eventId: nothing red', [state.invalidExpressions, state.issues], [[], []]);
	await editor.output.getByTestId('radio-button-json').click();
	const json = await editor.output.getByTestId('ndv-data-container').filter({ hasText: '"Recorded"' }).innerText();
	await editor.screenshot('record-usage-version-3-output');
	checks.check('... and each Recorded item shows the customer, dimension and quantity', ['"customerAWSAccountId"', '"licenseArn"', '"dimension"', '"quantity"'].every((field) => json.includes(field)), json.slice(0, 400));
	await editor.closeNdv();
}

/** The hourly example (version 1) keeps reading the item's usageAllocations: the detection of red expressions sees it. */
export async function checkVersion1Expressions(editor: Editor, checks: Checks, workflow: Workflow): Promise<void> {
	// Run, so that the node's parameters are evaluated against its input.
	await editor.runWorkflow(workflow.id, 'Meter now');
	await editor.openNode('Batch Meter Usage');
	const state = await editor.panelState();
	checks.check('a saved version 1 node keeps its {{ $json.usageAllocations }} (red where the input lacks it: what version 3 leaves empty)', state.invalidExpressions.length > 0, JSON.stringify(state));
	await editor.closeNdv();
}

/** The trigger from the registry install: its subtitle, notice, panel, and the README's curl to the Test URL. */
export async function checkTrigger(editor: Editor, checks: Checks, apiKey: string): Promise<void> {
	await editor.goto(`/workflow/${TRIGGER_ID}`);
	const subtitle = (await editor.canvasNode('AWS Marketplace event').innerText()).trim();
	checks.check('the trigger’s subtitle says "1 event type"', /\b1 event type\b/.test(subtitle) && !/1 event types/.test(subtitle), subtitle);
	await editor.openNode('AWS Marketplace event');
	const links = await editor.ndv.getByTestId('node-parameters').locator('a[href]').evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute('href') ?? ''));
	checks.check('its notice links the README and the setup page, not an anchor', links.some((href) => href.endsWith('/README.md')) && links.some((href) => href.endsWith('/docs/trigger.md')) && links.every((href) => !href.includes('#')), JSON.stringify(links));
	const header = (await editor.ndv.getByTestId('trigger-header').innerText()).trim();
	checks.check('the trigger panel says to send an event to the Test URL', /Send an event to the Test URL/.test(header), header);
	await editor.ndv.getByText('When will this node trigger my flow?').click();
	const help = await editor.ndv.locator('a[href$="/README.md"]').filter({ hasText: 'README' }).count();
	await editor.screenshot('trigger-panel');
	checks.check('... and its help links the README’s ready curl command', help > 0, String(help));

	await editor.ndv.getByTestId('trigger-execute-button').first().click();
	await editor.ndv.getByTestId('trigger-listening').waitFor();
	const answer = await readmeCurl(`${editor.url}/webhook-test/${TRIGGER_WEBHOOK_ID}/webhook`, apiKey);
	checks.check('the README’s curl to the Test URL starts the workflow', /Workflow was started/.test(answer), answer);
	const output = editor.output.getByTestId('ndv-data-container');
	const shown = await output
		.filter({ hasText: 'licenseUpdated' })
		.innerText({ timeout: 20_000 })
		.catch(() => '');
	await editor.screenshot('trigger-test-event');
	checks.check('... and the panel shows the License Updated event', shown.includes('licenseUpdated'), shown.slice(0, 300));
	await editor.closeNdv();
}

/** The README's curl command, run as a seller runs it, with the Test URL and the API key in place. */
async function readmeCurl(testUrl: string, apiKey: string): Promise<string> {
	const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
	const command = /```bash\n(curl [^\n]*'<Test URL>'[\s\S]*?)```/.exec(readme)?.[1];
	if (!command) throw new Error('the README has no curl command to the Test URL');
	const { stdout } = await promisify(execFile)('bash', ['-c', command.replace('<Test URL>', testUrl).replace('<API Key>', apiKey)]);
	return stdout;
}

/** The credential's Need-help link opens a page: n8n appends its query after any `#fragment`. */
export async function docsLink(editor: Editor): Promise<string> {
	const link = editor.page.getByTestId('editCredential-modal').locator('a[href*="github.com"]').first();
	return (await link.getAttribute('href').catch(() => null)) ?? '';
}
