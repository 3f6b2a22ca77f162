// Workflows run from the editor, as a seller runs them: the output, the error output, the error title (issue 12,
// items 9, 13 and 15).
import type { Locator } from 'playwright-core';

import { RESOLVE_CUSTOMER_ID, STOP_ON_ERROR_ID } from '../../../scripts/browser/workflows';
import { editorTest, fromEarlierCase, session } from './session';

// What the node's hint says of a run: "N usage events summed into M usage records in R requests; K not billed".
const HINT = /(\d+) usage events? summed into (\d+) usage records? in (\d+) requests?/;

/** The hourly example, run from "Meter now": billed usage on the output, the rest on the error output. */
export function describeWorkflowRun(): void {
	describe('A workflow run from the editor', () => {
		let output: Locator | undefined;
		editorTest('Batch Meter Usage shows its billed usage on the output and what was not billed on the error output, with the hint "N usage events summed into M usage records in R requests; K not billed", which counts every event once', async (editor) => {
			await editor.runWorkflow(session().stack.workflows.inputItemsMetering.id, 'Meter now');
			await editor.screenshot('hourly-metering-run');
			await editor.openNode('Batch Meter Usage');
			output = editor.output;
			const branches = await output.getByTestId('branches').filter({ hasText: /Error Branch \(\d+/ }).innerText();
			const count = (branch: string) => Number(new RegExp(`${branch} Branch \\((\\d+) items?\\)`).exec(branches)?.[1] ?? NaN);
			const [billed, failed] = [count('Success'), count('Error')];
			const hint = await output.getByTestId('node-hint').innerText().catch(() => '');
			await editor.screenshot('hourly-metering-output');
			expect(billed).toBeGreaterThan(0);
			expect(failed).toBeGreaterThan(0);
			expect(hint).toMatch(HINT);
			expect(hint).toContain(`; ${failed} not billed`);
			expect(Number(HINT.exec(hint)?.[1])).toBe(billed + failed);
		});

		editorTest('the error output item names its item once, as n8n numbers items ("… [item N]")', async (editor) => {
			const shown = fromEarlierCase(output, 'Batch Meter Usage’s output is not open');
			await shown.getByTestId('tab-1').click();
			await shown.getByTestId('radio-button-json').click();
			// The view renders after the click: the error branch's items are the ones with an "error" field.
			const errorView = shown.getByTestId('ndv-data-container').filter({ hasText: '"error"' });
			await errorView.waitFor();
			const errorJson = await errorView.innerText();
			await editor.screenshot('hourly-metering-error-output');
			await editor.closeNdv();
			expect(/"error":\s*"([^"]*)"/.exec(errorJson)?.[1] ?? '').toMatch(/^[A-Z][^[]* \[item \d+\]$/);
		});
	});
}

/** Item 13: the node stops on the item AWS refused, and the editor's error title names that item once. */
export function describeErrorTitle(): void {
	describe('The error title', () => {
		editorTest('the error title names the item once, as n8n numbers items, and does not start with "Item N:"', async (editor) => {
			await editor.runWorkflow(STOP_ON_ERROR_ID, 'Meter now');
			await editor.openNode('Batch Meter Usage');
			const title = (await editor.output.getByTestId('node-error-message').innerText()).trim();
			await editor.screenshot('hourly-metering-stopped-error-title');
			await editor.closeNdv();
			expect(title.match(/item \d+/gi) ?? []).toHaveLength(1);
			expect(title).toMatch(/\[item \d+\]$/);
			expect(title).not.toMatch(/^Item \d+:/);
		});
	});
}

/** Item 15: Resolve Customer's output puts the account ID and License ARN first; the legacy identifier last. */
export function describeResolveCustomerOutput(): void {
	describe('Resolve Customer’s output', () => {
		editorTest('Resolve Customer shows the account ID and License ARN first, and the legacy customerIdentifier last', async (editor) => {
			await editor.runWorkflow(RESOLVE_CUSTOMER_ID, 'Start');
			await editor.openNode('Resolve Customer');
			await editor.output.getByTestId('radio-button-table').click();
			await editor.output.locator('table th').first().waitFor();
			const headers = (await editor.output.locator('table th').allInnerTexts()).map((header) => header.trim()).filter(Boolean);
			await editor.screenshot('resolve-customer-output');
			await editor.closeNdv();
			expect(headers.slice(0, 2)).toEqual(['customerAWSAccountId', 'licenseArn']);
			expect(headers[headers.length - 1]).toBe('customerIdentifier');
		});
	});
}
