// The node as a seller first meets it: found in the nodes panel, each operation's parameters as the editor renders
// them (issue 12, items 6 and 9 to 12 and 15).
import type { Checks } from '../e2e/lib/report';
import type { Editor } from './lib/editor';

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

/** Its resource first: the operations of version 3 are listed under it. */
async function chooseOperation(editor: Editor, operation: string): Promise<void> {
	await editor.choose('resource', OPERATIONS[operation].resource);
	await editor.choose('operation', operation);
}

// The notices the two operations that run on the buyer's compute must show (item 6).
const NOTICES: Record<string, RegExp> = {
	'Meter Usage': /works only from the buyer’s EC2 instance, ECS task, EKS pod or AgentCore Runtime/,
	'Register Usage': /works only from the buyer’s ECS task or EKS pod/,
};

const TYPED_PRODUCT_CODE = 'prod-typed-for-meter-usage';

export async function checkNodesPanel(editor: Editor, checks: Checks): Promise<void> {
	const found = await editor.searchNodes('marketplace');
	await editor.screenshot('nodes-panel-search-marketplace');
	checks.check('the nodes panel finds "AWS Marketplace Metering" by "marketplace"', found.includes('AWS Marketplace Metering'), JSON.stringify(found));
	checks.check('... and the trigger, "AWS Marketplace"', found.includes('AWS Marketplace'), JSON.stringify(found));
	const listed = await editor.nodeActions('AWS Marketplace Metering');
	await editor.screenshot('nodes-panel-actions');
	const missing = Object.values(OPERATIONS)
		.map(({ action }) => action)
		.filter((action) => !listed.includes(action));
	checks.equal(`the node lists its ${Object.keys(OPERATIONS).length} operations as actions`, missing, []);
}

/** Each operation's parameters: no label cut off, no expression shown as text, no red issue; the notices. */
export async function checkOperations(editor: Editor, checks: Checks): Promise<void> {
	await editor.searchNodes('marketplace');
	await editor.nodeActions('AWS Marketplace Metering');
	await editor.addAction('Batch meter usage');
	for (const operation of Object.keys(OPERATIONS)) {
		await chooseOperation(editor, operation);
		await editor.addAllOptions();
		const state = await editor.panelState();
		await editor.screenshot(`operation-${operation.toLowerCase().replace(/ /g, '-')}`);
		checks.check(`${operation}: its parameters render (${state.labels.length} labels)`, state.labels.length > 1, JSON.stringify(state.labels));
		checks.equal(`${operation}: no label is cut off`, state.cutLabels, []);
		checks.equal(`${operation}: no expression shows as literal text`, state.literalExpressions, []);
		checks.equal(`${operation}: no parameter shows an error`, state.issues, []);
		checks.check(`${operation}: the credential comes first, above Resource and Operation`, state.credentialsFirst, JSON.stringify(state.credentialLabels));
		// These only touch the metering ledger: no AWS credential.
		if (!['Record Usage', 'Get Metering Report', 'Record License'].includes(operation)) {
			checks.equal(`${operation}: its credential is labelled in full`, state.credentialLabels.slice(0, 1), ['AWS Credential']);
		}
		if (operation === 'Batch Meter Usage') {
			checks.check('Batch Meter Usage shows the option "Truncate to the Hour" in full', state.labels.includes('Truncate to the Hour'), JSON.stringify(state.labels));
		}
		const notice = NOTICES[operation];
		if (notice) checks.check(`${operation}: the notice says it runs on the buyer’s compute`, state.notices.some((text) => notice.test(text)), JSON.stringify(state.notices));
	}
}

/** Item 11: an empty Usage Allocations is valid, so the editor must not flag it. */
export async function checkEmptyAllocations(editor: Editor, checks: Checks): Promise<void> {
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
	checks.equal('an empty Usage Allocations is empty', text, '');
	checks.equal('... and shows no error ("Unexpected end of JSON input" before)', state.issues, []);
	checks.check('... nor anywhere in the panel', !(await editor.ndv.innerText()).includes('Unexpected end of JSON'));
}

/** Item 10: a product code typed for one operation stays out of the others. */
export async function checkProductCodes(editor: Editor, checks: Checks): Promise<void> {
	await chooseOperation(editor, 'Meter Usage');
	const field = editor.parameter('meterUsageProductCode').locator('input').first();
	await field.fill(TYPED_PRODUCT_CODE);
	await field.blur();
	await editor.choose('operation', 'Batch Meter Usage');
	const batch = await editor.parameterText('productCode');
	await editor.screenshot('batch-meter-usage-after-meter-usage-product-code');
	checks.check(
		'a product code typed for Meter Usage leaves Batch Meter Usage’s {{ $json.productCode }} alone',
		batch.includes('$json.productCode') && !batch.includes(TYPED_PRODUCT_CODE),
		batch,
	);
	await editor.choose('operation', 'Register Usage');
	const register = await editor.parameterText('registerUsageProductCode');
	checks.check('... and Register Usage’s product code', !register.includes(TYPED_PRODUCT_CODE), register);
}

/** Item 12: the three retry settings explain themselves, each in terms of what the seller sees. */
export async function checkRetryDescriptions(editor: Editor, checks: Checks): Promise<void> {
	await chooseOperation(editor, 'Batch Meter Usage');
	await editor.addAllOptions();
	const expectations: Array<[string, RegExp]> = [
		['Max Attempts Per Request', /Within one request/],
		['Resend Attempts', /Retry On Fail/],
		['Resend Time (Seconds)', /log says so/],
	];
	for (const [label, expected] of expectations) {
		const tooltip = await editor.labelTooltip(label);
		checks.check(`the help of "${label}" says what the seller sees`, expected.test(tooltip), tooltip);
	}
	await editor.screenshot('batch-meter-usage-resend-attempts-help');
}
