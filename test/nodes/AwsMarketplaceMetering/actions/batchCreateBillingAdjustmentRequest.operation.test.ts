import { type AgreementRun, sent, useAgreementRuns } from '../../../helpers/agreements';

// The seller's refunds of invoices, one request per input item.
describe('Batch Create Billing Adjustment Request', () => {
	const { emulator, run } = useAgreementRuns('billingAdjustmentRequest');
	// As List Agreement Invoice Line Items outputs the invoices.
	const invoices = [
		{ agreementId: 'agmt-contract', invoiceId: 'inv-jan', currencyCode: 'USD', maxAdjustmentAmount: '2500.00', refund: '250.00' },
		{ agreementId: 'agmt-contract', invoiceId: 'inv-feb', currencyCode: 'USD', maxAdjustmentAmount: '12.30', refund: '12.30' },
	];
	const refund = (parameters: Record<string, unknown> = {}, options: AgreementRun = {}) =>
		run('batchCreateBillingAdjustmentRequest', { confirmRefund: true, adjustmentAmount: '={{ $json.refund }}', adjustmentReasonCode: 'INCORRECT_METERING', ...parameters }, { items: invoices, ...options });

	it('refuses to refund without the confirmation, sending nothing, even with every item on the error output', async () => {
		const { error, outputs } = await run('batchCreateBillingAdjustmentRequest', { adjustmentAmount: '={{ $json.refund }}' }, { items: invoices, onError: 'continueErrorOutput' });
		expect(error?.message).toBe('Confirm Refund is off: nothing was sent');
		expect(error?.description).toMatch(/^Refunds buyers: for each input item, AWS Marketplace refunds the buyer the Adjustment Amount of the invoice named.*Turn on Confirm Refund to do so\.$/);
		expect(outputs.flat().filter((item) => item.json.billingAdjustmentRequestId)).toEqual([]);
		expect(emulator().log).toEqual([]);
	});

	it('creates one request per invoice, each item with its request ID and what was sent', async () => {
		const { outputs, error } = await refund({ options: { description: 'Metered twice' } });
		expect(error).toBeUndefined();
		expect(outputs[0].map((item) => [item.json, item.pairedItem])).toEqual([
			[
				{
					billingAdjustmentRequestId: expect.stringMatching(/^ba-/),
					agreementId: 'agmt-contract',
					originalInvoiceId: 'inv-jan',
					adjustmentAmount: '250.00',
					currencyCode: 'USD',
					adjustmentReasonCode: 'INCORRECT_METERING',
					description: 'Metered twice',
					clientToken: expect.stringMatching(/^[0-9a-f]{64}$/),
				},
				{ item: 0 },
			],
			[expect.objectContaining({ originalInvoiceId: 'inv-feb', adjustmentAmount: '12.30' }), { item: 1 }],
		]);
		expect(sent(emulator(), 'BatchCreateBillingAdjustmentRequest').map((request) => (request.billingAdjustmentRequestEntries as unknown[]).length)).toEqual([1, 1]);
		const got = await run('getBillingAdjustmentRequest', {}, { items: [outputs[0][0].json] });
		expect(got.outputs[0][0].json).toMatchObject({ billingAdjustmentRequestId: outputs[0][0].json.billingAdjustmentRequestId, status: 'PENDING', adjustmentAmount: '250.00' });
	});

	it('refunds once when the same items run again: the derived client token answers the first request', async () => {
		const first = await refund();
		const again = await refund({ adjustmentAmount: '={{ $json.refund + "0" }}' });
		expect(again.outputs[0].map((item) => item.json.billingAdjustmentRequestId)).toEqual(first.outputs[0].map((item) => item.json.billingAdjustmentRequestId));
		// A token of one's own makes another refund of the same amount; what is left of inv-feb is nothing.
		const { outputs } = await refund({ options: { clientToken: '={{ "second-" + $json.invoiceId }}' } }, { onError: 'continueErrorOutput' });
		expect(outputs[0].map((item) => item.json.originalInvoiceId)).toEqual(['inv-jan']);
		expect(outputs[1].map((item) => [item.json.error, item.pairedItem])).toEqual([['AWS Marketplace did not accept the billing adjustment [item 1]', { item: 1 }]]);
		expect(outputs[1][0].json.details).toMatch(/maxAdjustmentAmount less what earlier adjustments refunded.*AWS said: The adjustment amount 12\.30 exceeds/);
	});

	it('says what each refused entry needs', async () => {
		const { outputs } = await refund({ originalInvoiceId: '={{ $json.invoiceId === "inv-jan" ? "inv-none" : "cm-feb" }}' }, { onError: 'continueErrorOutput' });
		expect(outputs[1].map((item) => item.json.error)).toEqual([
			'AWS Marketplace has no such agreement or invoice for this account [item 0]',
			'AWS Marketplace did not accept the billing adjustment [item 1]',
		]);
		const conflict = await refund({ options: { clientToken: 'mine-1' } }, { onError: 'continueErrorOutput' });
		expect(conflict.outputs[1].map((item) => item.json.error)).toEqual(['The client token was used for another billing adjustment request [item 1]']);
	});

	it('checks the amount, currency and token before sending', async () => {
		const check = async (parameters: Record<string, unknown>) => (await refund(parameters)).error?.message;
		expect(await check({ adjustmentAmount: '-5' })).toMatch(/^Adjustment Amount "-5" is not a positive amount: it must be 1 to 64 characters of a decimal number with up to 8 decimals/);
		expect(await check({ adjustmentAmount: '0.000' })).toBe('Adjustment Amount "0.000" is not greater than 0 [item 0]');
		expect(await check({ adjustmentAmount: '1.123456789' })).toMatch(/^Adjustment Amount "1\.123456789" is not a positive amount/);
		expect(await check({ currencyCode: 'usd' })).toMatch(/^Currency Code "usd" has characters AWS does not accept/);
		expect(await check({ options: { clientToken: 'with space' } })).toMatch(/^Client Token "with space" has characters AWS does not accept/);
		expect(emulator().log).toEqual([]);
	});
});
