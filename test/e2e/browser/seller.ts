// A seller's first hour in the editor (issue 19): fields that stay in sight, options that apply, the credentials
// first, a run's hint and items, the trigger tried from the editor with the README's curl, docs links that open pages.
import { RECORD_USAGE_ID, TRIGGER_ID, TRIGGER_NODE_NAME, TRIGGER_WEBHOOK_ID } from '../../../scripts/browser/workflows';
import { readmeCurl } from './readme';
import { editorTest, fromEarlierCase, session } from './session';

/** Ledger Embedded, Source Usage in the Ledger, Ledger None: nothing vanishes, and what is hidden says why. */
export function describeFieldsStay(): void {
	describe('Fields stay in sight', () => {
		let ledgerNone: true | undefined;
		editorTest('Ledger Embedded, Source Usage in the Ledger, Ledger None: Source stays in sight, with a notice saying Usage in the Ledger needs a ledger', async (editor) => {
			await editor.choose('resource', 'Usage');
			await editor.choose('operation', 'Batch Meter Usage');
			await editor.choose('ledger', 'Embedded');
			await editor.choose('source', 'Usage in the Ledger');
			await editor.choose('ledger', 'None');
			ledgerNone = true;
			const state = await editor.panelState();
			await editor.screenshot('batch-meter-usage-ledger-none-after-source-ledger');
			expect(state.labels).toContain('Source');
			expect(state.notices).toContainEqual(expect.stringMatching(/needs a Metering Ledger/));
		});

		editorTest('... and Source Input Items brings Input Mode and the mapping fields back, without a reload', async (editor) => {
			fromEarlierCase(ledgerNone, 'Ledger None after Source Usage in the Ledger is not chosen');
			await editor.choose('source', 'Input Items');
			const state = await editor.panelState();
			await editor.screenshot('batch-meter-usage-source-input-items-again');
			expect(state.labels).toEqual(expect.arrayContaining(['Input Mode', 'Quantity', 'Timestamp']));
		});
	});
}

/** Options that do not apply stay out of the list; the report's Limit is in sight; Meter Open Hours Now says all it sends. */
export function describeOptionsApply(): void {
	describe('Options that apply', () => {
		editorTest('Batch Meter Usage from the ledger offers no Aggregate Records, Truncate to the Hour, Max Record Age or Output', async (editor) => {
			await editor.choose('resource', 'Usage');
			await editor.choose('operation', 'Batch Meter Usage');
			await editor.choose('ledger', 'Embedded');
			await editor.choose('source', 'Usage in the Ledger');
			await editor.addAllOptions();
			const state = await editor.panelState();
			await editor.screenshot('batch-meter-usage-from-the-ledger-options');
			expect(['Aggregate Records', 'Truncate to the Hour', 'Max Record Age (Hours)', 'Output'].filter((label) => state.labels.includes(label))).toEqual([]);
		});

		editorTest('Get Metering Report shows Return All and Limit in sight, and no Hour Closes After', async (editor) => {
			await editor.choose('resource', 'Metering Ledger');
			await editor.choose('operation', 'Get Metering Report');
			await editor.addAllOptions();
			const state = await editor.panelState();
			await editor.screenshot('get-metering-report-limit');
			expect(state.labels).toContain('Return All');
			expect(state.labels.filter((label) => label === 'Limit')).toHaveLength(1);
			expect(state.labels).not.toContain('Hour Closes After (Minutes)');
		});

		editorTest('Meter Open Hours Now says it also sends other licenses’ closed hours', async (editor) => {
			await editor.choose('resource', 'Metering Ledger');
			await editor.choose('operation', 'Meter Open Hours Now');
			const state = await editor.panelState();
			expect(state.notices).toContainEqual(expect.stringMatching(/every closed hour of other licenses/));
		});
	});
}

/** The credentials above Resource and Operation, labels in full, the PostgreSQL ledger's too. */
export function describeCredentialSlots(): void {
	describe('The credentials first', () => {
		editorTest('Batch Meter Usage with the PostgreSQL ledger: both credentials, first, in full', async (editor) => {
			await editor.choose('resource', 'Usage');
			await editor.choose('operation', 'Batch Meter Usage');
			await editor.choose('ledger', 'PostgreSQL');
			const { credentialLabels, credentialsFirst, cutLabels, cutCredentials } = await editor.panelState();
			await editor.screenshot('batch-meter-usage-postgresql-credentials');
			await editor.choose('ledger', 'None');
			expect({ credentialLabels, credentialsFirst, cutLabels, cutCredentials }).toEqual({
				credentialLabels: ['AWS Credential', 'Ledger Credential'],
				credentialsFirst: true,
				cutLabels: [],
				cutCredentials: [],
			});
		});
	});
}

/** The hourly example (version 1) keeps reading the item's usageAllocations: the detection of red expressions sees it. */
export function describeVersion1Expressions(): void {
	describe('A saved version 1 node’s expressions', () => {
		editorTest('a saved version 1 node keeps its {{ $json.usageAllocations }} (red where the input lacks it: what version 3 leaves empty)', async (editor) => {
			// Run, so that the node's parameters are evaluated against its input.
			await editor.runWorkflow(session().stack.workflows.inputItemsMetering.id, 'Meter now');
			await editor.openNode('Batch Meter Usage');
			const state = await editor.panelState();
			await editor.closeNdv();
			expect(state.invalidExpressions).not.toEqual([]);
		});
	});
}

/** A version 3 Record Usage run on the hourly example's events: no red `undefined`, Recorded items that say what. */
export function describeRecordedRun(): void {
	describe('Record Usage (version 3) run from the editor', () => {
		let opened: true | undefined;
		editorTest('on input without usageAllocations or eventId: nothing red', async (editor) => {
			await editor.runWorkflow(RECORD_USAGE_ID, 'Meter now');
			await editor.openNode('Batch Meter Usage');
			opened = true;
			const { invalidExpressions, issues } = await editor.panelState();
			await editor.screenshot('record-usage-version-3-after-run');
			expect({ invalidExpressions, issues }).toEqual({ invalidExpressions: [], issues: [] });
		});

		editorTest('... and each Recorded item shows the customer, dimension and quantity', async (editor) => {
			fromEarlierCase(opened, 'the node that ran is not open');
			await editor.output.getByTestId('radio-button-json').click();
			const json = await editor.output.getByTestId('ndv-data-container').filter({ hasText: '"Recorded"' }).innerText();
			await editor.screenshot('record-usage-version-3-output');
			await editor.closeNdv();
			expect(['"customerAWSAccountId"', '"licenseArn"', '"dimension"', '"quantity"'].filter((field) => !json.includes(field))).toEqual([]);
		});
	});
}

/** The trigger from the registry install: its subtitle, notice, panel, and the README's curl to the Test URL. */
export function describeTrigger(): void {
	describe('The trigger tried from the editor', () => {
		let onCanvas: true | undefined;
		let opened: true | undefined;
		editorTest('the trigger’s subtitle says "1 event type"', async (editor) => {
			await editor.goto(`/workflow/${TRIGGER_ID}`);
			onCanvas = true;
			const subtitle = (await editor.canvasNode(TRIGGER_NODE_NAME).innerText()).trim();
			expect(subtitle).toMatch(/\b1 event type\b/);
			expect(subtitle).not.toMatch(/1 event types/);
		});

		editorTest('its notice links the README and the setup page, not an anchor; its panel says to send an event to the Test URL and its help links the README’s ready curl command', async (editor) => {
			fromEarlierCase(onCanvas, 'the trigger’s workflow is not open');
			await editor.openNode(TRIGGER_NODE_NAME);
			opened = true;
			const links = await editor.ndv.getByTestId('node-parameters').locator('a[href]').evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute('href') ?? ''));
			const header = (await editor.ndv.getByTestId('trigger-header').innerText()).trim();
			await editor.ndv.getByText('When will this node trigger my flow?').click();
			const help = await editor.ndv.locator('a[href$="/README.md"]').filter({ hasText: 'README' }).count();
			await editor.screenshot('trigger-panel');
			expect(links).toContainEqual(expect.stringMatching(/\/README\.md$/));
			expect(links).toContainEqual(expect.stringMatching(/\/docs\/trigger\.md$/));
			expect(links.filter((href) => href.includes('#'))).toEqual([]);
			expect(header).toMatch(/Send an event to the Test URL/);
			expect(help).toBeGreaterThan(0);
		});

		editorTest('the README’s curl to the Test URL starts the workflow, and the panel shows the License Updated event', async (editor) => {
			fromEarlierCase(opened, 'the trigger is not open');
			await editor.ndv.getByTestId('trigger-execute-button').first().click();
			await editor.ndv.getByTestId('trigger-listening').waitFor();
			const answer = await readmeCurl(`${editor.url}/webhook-test/${TRIGGER_WEBHOOK_ID}/webhook`, session().stack.webhookApiKey.value);
			const shown = await editor.output
				.getByTestId('ndv-data-container')
				.filter({ hasText: 'licenseUpdated' })
				.innerText({ timeout: 20_000 })
				.catch(() => '');
			await editor.screenshot('trigger-test-event');
			await editor.closeNdv();
			expect(answer).toMatch(/Workflow was started/);
			expect(shown).toContain('licenseUpdated');
		});
	});
}
