// The node as a seller first meets it: found in the nodes panel, each operation's parameters as the editor renders
// them (issue 12, items 6 and 9 to 12 and 15).
import type { Editor } from '../../../scripts/browser/lib/editor';
import { editorTest, fromEarlierCase } from './session';

// Each operation, the resource it is under (version 3) and the action the nodes panel lists it as.
const OPERATIONS: Record<string, { resource: string; action: string }> = {
	'Resolve Customer': { resource: 'Customer', action: 'Resolve a customer' },
	'Batch Meter Usage': { resource: 'Usage', action: 'Batch meter usage' },
	'Meter Usage': { resource: 'Usage', action: 'Meter usage' },
	'Register Usage': { resource: 'Usage', action: 'Register usage' },
	'Get Metering Report': { resource: 'Metering Ledger', action: 'Get a metering report' },
	'Meter Open Hours Now': { resource: 'Metering Ledger', action: 'Meter open hours now' },
	'Record Usage': { resource: 'Metering Ledger', action: 'Record usage' },
	'Reconcile Billing with Invoices': { resource: 'Metering Ledger', action: 'Reconcile billing with invoices' },
	'Record License': { resource: 'License', action: 'Record a license' },
	'Get Entitlements': { resource: 'Entitlement', action: 'Get entitlements' },
	'Describe Agreement': { resource: 'Agreement', action: 'Describe an agreement' },
	'Get Agreement Terms': { resource: 'Agreement', action: 'Get agreement terms' },
	'List Agreement Charges': { resource: 'Agreement', action: 'List agreement charges' },
	'List Agreement Invoice Line Items': { resource: 'Agreement', action: 'List agreement invoice line items' },
	'Search Agreements': { resource: 'Agreement', action: 'Search agreements' },
	'Accept Agreement Cancellation Request': { resource: 'Agreement Cancellation Request', action: 'Accept a cancellation request' },
	'Get Agreement Cancellation Request': { resource: 'Agreement Cancellation Request', action: 'Get a cancellation request' },
	'Reject Agreement Cancellation Request': { resource: 'Agreement Cancellation Request', action: 'Reject a cancellation request' },
	'Send Agreement Cancellation Request': { resource: 'Agreement Cancellation Request', action: 'Send a cancellation request' },
	'Cancel Agreement Cancellation Request': { resource: 'Agreement Cancellation Request', action: 'Cancel a cancellation request' },
	'List Agreement Cancellation Requests': { resource: 'Agreement Cancellation Request', action: 'List cancellation requests' },
	'Batch Create Billing Adjustment Request': { resource: 'Billing Adjustment Request', action: 'Create billing adjustment requests' },
	'Get Billing Adjustment Request': { resource: 'Billing Adjustment Request', action: 'Get a billing adjustment request' },
};

// These only touch the metering ledger: no AWS credential.
const LEDGER_ONLY = ['Record Usage', 'Get Metering Report', 'Record License'];

// The notices the two operations that run on the buyer's compute must show (item 6).
const NOTICES: Record<string, RegExp> = {
	'Meter Usage': /works only from the buyer’s EC2 instance, ECS task, EKS pod or AgentCore Runtime/,
	'Register Usage': /works only from the buyer’s ECS task or EKS pod/,
};

const TYPED_PRODUCT_CODE = 'prod-typed-for-meter-usage';

/** Its resource first: the operations of version 3 are listed under it. */
async function chooseOperation(editor: Editor, operation: string): Promise<void> {
	await editor.choose('resource', OPERATIONS[operation].resource);
	await editor.choose('operation', operation);
}

export function describeNodesPanel(): void {
	describe('The nodes panel', () => {
		editorTest('finds "AWS Marketplace Metering" by "marketplace", and the trigger, "AWS Marketplace"', async (editor) => {
			const found = await editor.searchNodes('marketplace');
			await editor.screenshot('nodes-panel-search-marketplace');
			expect(found).toContain('AWS Marketplace Metering');
			expect(found).toContain('AWS Marketplace');
		});

		editorTest(`lists the node's ${Object.keys(OPERATIONS).length} operations as actions`, async (editor) => {
			await editor.searchNodes('marketplace');
			const listed = await editor.nodeActions('AWS Marketplace Metering');
			await editor.screenshot('nodes-panel-actions');
			const missing = Object.values(OPERATIONS)
				.map(({ action }) => action)
				.filter((action) => !listed.includes(action));
			expect(missing).toEqual([]);
		});
	});
}

/** Each operation's parameters: no label cut off, no expression shown as text, no red issue; the notices. */
export function describeOperations(): void {
	describe('Each operation’s parameters', () => {
		let added: true | undefined;
		editorTest('the node is added from its action "Batch meter usage"', async (editor) => {
			await editor.searchNodes('marketplace');
			await editor.nodeActions('AWS Marketplace Metering');
			await editor.addAction('Batch meter usage');
			added = true;
		});

		for (const operation of Object.keys(OPERATIONS)) {
			editorTest(`${operation}: its parameters render, no label cut off, no expression shown as text, no error, the credential first`, async (editor) => {
				fromEarlierCase(added, 'the node is not open');
				await chooseOperation(editor, operation);
				await editor.addAllOptions();
				const state = await editor.panelState();
				await editor.screenshot(`operation-${operation.toLowerCase().replace(/ /g, '-')}`);
				expect(state.labels.length).toBeGreaterThan(1);
				expect(state.cutLabels).toEqual([]);
				expect(state.literalExpressions).toEqual([]);
				expect(state.issues).toEqual([]);
				// Above Resource and Operation.
				expect(state.credentialsFirst).toBe(true);
				if (!LEDGER_ONLY.includes(operation)) expect(state.credentialLabels.slice(0, 1)).toEqual(['AWS Credential']);
				if (operation === 'Batch Meter Usage') expect(state.labels).toContain('Truncate to the Hour');
				const notice = NOTICES[operation];
				if (notice) expect(state.notices).toContainEqual(expect.stringMatching(notice));
			});
		}
	});
}

/** Item 10: a product code typed for one operation stays out of the others. */
export function describeProductCodes(): void {
	describe('Fields of one operation stay out of another', () => {
		editorTest('a product code typed for Meter Usage leaves Batch Meter Usage’s {{ $json.productCode }} alone, and Register Usage’s product code', async (editor) => {
			await chooseOperation(editor, 'Meter Usage');
			const field = editor.parameter('meterUsageProductCode').locator('input').first();
			await field.fill(TYPED_PRODUCT_CODE);
			await field.blur();
			await editor.choose('operation', 'Batch Meter Usage');
			const batch = await editor.parameterText('productCode');
			await editor.screenshot('batch-meter-usage-after-meter-usage-product-code');
			await editor.choose('operation', 'Register Usage');
			const register = await editor.parameterText('registerUsageProductCode');
			expect(batch).toContain('$json.productCode');
			expect(batch).not.toContain(TYPED_PRODUCT_CODE);
			expect(register).not.toContain(TYPED_PRODUCT_CODE);
		});
	});
}

/** Item 11: an empty Usage Allocations is valid, so the editor must not flag it. */
export function describeEmptyAllocations(): void {
	describe('An empty Usage Allocations', () => {
		editorTest('is empty and shows no error ("Unexpected end of JSON input" before), nor anywhere in the panel', async (editor) => {
			await chooseOperation(editor, 'Batch Meter Usage');
			// The seller's way to empty it: switch the field from Expression to Fixed, then clear what is left.
			await editor.ndv.getByTestId('parameter-item').filter({ has: editor.page.getByTestId('parameter-input-usageAllocations') }).hover();
			await editor.ndv.getByTestId('usageAllocations-parameter-input-options-container').getByTestId('radio-button-fixed').click();
			const field = editor.parameter('usageAllocations').locator('input, textarea').first();
			await field.fill('');
			await field.blur();
			const text = await editor.parameterText('usageAllocations');
			const state = await editor.panelState();
			await editor.screenshot('batch-meter-usage-empty-usage-allocations');
			const panel = await editor.ndv.innerText();
			expect(text).toBe('');
			expect(state.issues).toEqual([]);
			expect(panel).not.toContain('Unexpected end of JSON');
		});
	});
}

/** Item 12: the three retry settings explain themselves, each in terms of what the seller sees. */
export function describeRetryDescriptions(): void {
	describe('The retry settings’ help', () => {
		const expected = {
			'Max Attempts Per Request': /Within one request/,
			'Resend Attempts': /Retry On Fail/,
			'Resend Time (Seconds)': /log says so/,
		};
		editorTest(`the help of ${Object.keys(expected).map((label) => `"${label}"`).join(', ')} says what the seller sees`, async (editor) => {
			await chooseOperation(editor, 'Batch Meter Usage');
			await editor.addAllOptions();
			const tooltips: Record<string, string> = {};
			for (const label of Object.keys(expected)) tooltips[label] = await editor.labelTooltip(label);
			await editor.screenshot('batch-meter-usage-resend-attempts-help');
			expect(tooltips).toEqual(Object.fromEntries(Object.entries(expected).map(([label, pattern]) => [label, expect.stringMatching(pattern)])));
		});
	});
}
