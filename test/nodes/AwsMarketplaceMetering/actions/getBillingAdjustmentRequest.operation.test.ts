import { BUYER, useAgreementRuns } from '../../../helpers/agreements';

describe('Get Billing Adjustment Request', () => {
	const { run } = useAgreementRuns('billingAdjustmentRequest');

	it('reads a request the trigger’s billing adjustment event names, as the seller only', async () => {
		const event = { agreementId: 'agmt-contract', billingAdjustment: { id: 'ba-done', adjustmentAmount: '-500.00' } };
		const { outputs } = await run('getBillingAdjustmentRequest', {}, { items: [event] });
		expect(outputs[0][0].json).toEqual({
			billingAdjustmentRequestId: 'ba-done',
			agreementId: 'agmt-contract',
			adjustmentReasonCode: 'INCORRECT_METERING',
			description: 'Seats billed twice',
			originalInvoiceId: 'inv-jan',
			adjustmentAmount: '500.00',
			currencyCode: 'USD',
			status: 'COMPLETED',
			createdAt: '2026-02-10T00:00:00.000Z',
			updatedAt: '2026-02-11T00:00:00.000Z',
		});
		const buyer = await run('getBillingAdjustmentRequest', {}, { items: [event], as: BUYER });
		expect(buyer.error?.message).toBe('This account is not the party of the agreement that may do this');
	});
});
