// Workflows run from the editor, as a seller runs them: the output, the error output, the error title (issue 12,
// items 9, 13 and 15).
import type { Emulator, EmulatorOptions } from '../../emulator';
import { credentialReference, METERING_NODE_TYPE, node, type Workflow } from '../e2e/lib/examples';
import type { StackWorkflowName } from '../e2e/lib/stack';
import type { Checks } from '../e2e/lib/report';
import type { Editor } from './lib/editor';

const STOP_ON_ERROR_ID = 'browserStopOnError';
const RESOLVE_CUSTOMER_ID = 'browserResolveCustomer';

/** The workflows the browser test opens besides the examples. */
export function browserWorkflows(workflows: Record<StackWorkflowName, Workflow>, _emulator: Emulator, { registrationTokens }: EmulatorOptions): Workflow[] {
	// The hourly example with Batch Meter Usage's n8n default: stop the workflow on an error.
	const stopOnError = structuredClone(workflows.inputItemsMetering);
	stopOnError.id = STOP_ON_ERROR_ID;
	stopOnError.name = `${stopOnError.name} (stops on error)`;
	delete node(stopOnError, 'Batch Meter Usage').onError;

	const token = registrationTokens?.find((candidate) => !candidate.expired && candidate.licenseArn);
	if (!token) throw new Error('the emulator configuration needs a registration token of a new product');
	const resolveCustomer: Workflow = {
		id: RESOLVE_CUSTOMER_ID,
		name: 'Browser test: Resolve Customer',
		nodes: [
			{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				name: 'Resolve Customer',
				type: METERING_NODE_TYPE,
				typeVersion: 2,
				position: [220, 0],
				parameters: { operation: 'resolveCustomer', registrationToken: token.token },
				credentials: { awsMarketplaceMeteringApi: credentialReference(Object.values(workflows)) },
			},
		],
		connections: { Start: { main: [[{ node: 'Resolve Customer', type: 'main', index: 0 }]] } },
		settings: {},
	};
	return [stopOnError, resolveCustomer];
}

/** The hourly example, run from "Meter now": billed usage on the output, the rest on the error output. */
export async function checkWorkflowRun(editor: Editor, checks: Checks, workflow: Workflow): Promise<void> {
	await editor.runWorkflow(workflow.id, 'Meter now');
	await editor.screenshot('hourly-metering-run');

	await editor.openNode('Batch Meter Usage');
	const output = editor.output;
	const branches = await output.getByTestId('branches').filter({ hasText: /Error Branch \(\d+/ }).innerText();
	const count = (branch: string) => Number(new RegExp(`${branch} Branch \\((\\d+) items?\\)`).exec(branches)?.[1] ?? NaN);
	const [billed, failed] = [count('Success'), count('Error')];
	const hint = await output.getByTestId('node-hint').innerText().catch(() => '');
	await editor.screenshot('hourly-metering-output');
	checks.check(`Batch Meter Usage shows its billed usage on the output (${billed})`, billed > 0, branches);
	checks.check(`... and what was not billed on the error output (${failed})`, failed > 0, branches);
	const summed = /(\d+) usage events? summed into (\d+) usage records? in (\d+) requests?/.exec(hint);
	checks.check('... with the hint "N usage events summed into M usage records in R requests; K not billed"', !!summed && hint.includes(`; ${failed} not billed`), hint);
	checks.equal('... which counts every event once', Number(summed?.[1]), billed + failed);

	await output.getByTestId('tab-1').click();
	await output.getByTestId('radio-button-json').click();
	// The view renders after the click: the error branch's items are the ones with an "error" field.
	const errorView = output.getByTestId('ndv-data-container').filter({ hasText: '"error"' });
	await errorView.waitFor();
	const errorJson = await errorView.innerText();
	await editor.screenshot('hourly-metering-error-output');
	const message = /"error":\s*"([^"]*)"/.exec(errorJson)?.[1] ?? '';
	checks.check('the error output item names its item once, as n8n numbers items ("… [item N]")', /^[A-Z][^[]* \[item \d+\]$/.test(message), message);
	await editor.closeNdv();
}

/** Item 13: the node stops on the item AWS refused, and the editor's error title names that item once. */
export async function checkErrorTitle(editor: Editor, checks: Checks): Promise<void> {
	await editor.runWorkflow(STOP_ON_ERROR_ID, 'Meter now');
	await editor.openNode('Batch Meter Usage');
	const title = (await editor.output.getByTestId('node-error-message').innerText()).trim();
	await editor.screenshot('hourly-metering-stopped-error-title');
	checks.check(`the error title names the item once, as n8n numbers items: "${title}"`, (title.match(/item \d+/gi) ?? []).length === 1 && /\[item \d+\]$/.test(title), title);
	checks.check('... and does not start with "Item N:"', !/^Item \d+:/.test(title), title);
	await editor.closeNdv();
}

/** Item 15: Resolve Customer's output puts the account ID and License ARN first; the legacy identifier last. */
export async function checkResolveCustomerOutput(editor: Editor, checks: Checks): Promise<void> {
	await editor.runWorkflow(RESOLVE_CUSTOMER_ID, 'Start');
	await editor.openNode('Resolve Customer');
	await editor.output.getByTestId('radio-button-table').click();
	await editor.output.locator('table th').first().waitFor();
	const headers = (await editor.output.locator('table th').allInnerTexts()).map((header) => header.trim()).filter(Boolean);
	await editor.screenshot('resolve-customer-output');
	checks.equal('Resolve Customer shows the account ID and License ARN first', headers.slice(0, 2), ['customerAWSAccountId', 'licenseArn']);
	checks.check('... and the legacy customerIdentifier last', headers[headers.length - 1] === 'customerIdentifier', JSON.stringify(headers));
	await editor.closeNdv();
}
