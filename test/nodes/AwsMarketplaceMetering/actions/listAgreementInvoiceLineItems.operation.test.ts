import type { EmulatorInvoice } from '../../../../emulator';
import { AGREEMENT_OPTIONS, BUYER, CONTRACT, runAgreement, sent } from '../../../helpers/agreements';
import { useEmulator } from '../../../helpers/emulator';

// A year of monthly invoices and more: 55, two pages.
const MONTHLY: EmulatorInvoice[] = Array.from({ length: 55 }, (_, n) => ({
	invoiceId: `inv-${String(n).padStart(2, '0')}`,
	invoiceType: 'INVOICE',
	amount: `${n + 1}.00`,
	maxAdjustmentAmount: `${n + 1}.00`,
	currencyCode: 'USD',
	billingPeriod: { month: (n % 12) + 1, year: 2023 + Math.floor(n / 12) },
	issuedTime: new Date(Date.UTC(2023 + Math.floor(n / 12), (n % 12) + 1, 2)).toISOString(),
}));

describe('List Agreement Invoice Line Items', () => {
	const emulator = useEmulator({ ...AGREEMENT_OPTIONS, agreements: [...AGREEMENT_OPTIONS.agreements!, { ...CONTRACT, agreementId: 'agmt-monthly', invoices: MONTHLY, billingAdjustments: [] }] });
	beforeEach(() => emulator().reset());
	const list = (parameters: Record<string, unknown>, run: Parameters<typeof runAgreement>[4] = {}) =>
		runAgreement(emulator(), 'agreement', 'listAgreementInvoiceLineItems', { agreementId: 'agmt-contract', ...parameters } as never, run);

	it('lists the invoices of the agreement, with what a billing adjustment needs of each', async () => {
		const { outputs, error } = await list({ limit: 2 });
		expect(error).toBeUndefined();
		expect(outputs[0].map((item) => item.json)).toEqual([
			{
				agreementId: 'agmt-contract',
				invoiceId: 'inv-jan',
				invoiceType: 'INVOICE',
				amount: '2500.00',
				maxAdjustmentAmount: '2500.00',
				currencyCode: 'USD',
				invoiceBillingPeriod: { month: 1, year: 2026 },
				issuedTime: '2026-02-01T00:00:00.000Z',
				invoicingEntity: { legalName: 'Amazon Web Services, Inc.', branchName: null },
			},
			expect.objectContaining({ invoiceId: 'inv-feb', amount: '12.30' }),
		]);
		expect(sent(emulator(), 'ListAgreementInvoiceLineItems')).toEqual([{ agreementId: 'agmt-contract', groupBy: 'INVOICE_ID', maxResults: 2 }]);
	});

	it('reads every page with Return All', async () => {
		const { outputs } = await list({ agreementId: 'agmt-monthly', returnAll: true });
		expect(outputs[0].map((item) => item.json.invoiceId)).toEqual(MONTHLY.map((invoice) => invoice.invoiceId));
		expect(sent(emulator(), 'ListAgreementInvoiceLineItems').map((request) => request.nextToken === undefined)).toEqual([true, false]);
	});

	it('sends the filters: invoice, type, billing month, issued between', async () => {
		const { outputs } = await list({
			returnAll: true,
			invoiceFilters: { invoiceType: 'CREDIT_MEMO', billingPeriod: '2026-02', afterIssuedTime: '2026-03-01T00:00:00Z', beforeIssuedTime: '2026-03-31T00:00:00Z' },
		});
		expect(outputs[0].map((item) => item.json.invoiceId)).toEqual(['cm-feb']);
		expect(sent(emulator(), 'ListAgreementInvoiceLineItems')[0]).toEqual({
			agreementId: 'agmt-contract',
			groupBy: 'INVOICE_ID',
			invoiceType: 'CREDIT_MEMO',
			invoiceBillingPeriod: { year: 2026, month: 2 },
			afterIssuedTime: Date.parse('2026-03-01T00:00:00Z') / 1000,
			beforeIssuedTime: Date.parse('2026-03-31T00:00:00Z') / 1000,
			maxResults: 50,
		});
		const byId = await list({ returnAll: true, invoiceFilters: { invoiceId: 'inv-feb' } });
		expect(byId.outputs[0].map((item) => item.json.invoiceId)).toEqual(['inv-feb']);
	});

	it('checks the billing month before sending', async () => {
		for (const period of ['2026-13', '2022-12', 'January']) {
			const { error } = await list({ invoiceFilters: { billingPeriod: period } });
			expect(error?.message).toBe(`Filters: Billing Period "${period}" is not a month of 2023 to 2050 as YYYY-MM, such as 2026-01`);
		}
		expect(emulator().log).toEqual([]);
	});

	it('tells the buyer this is the seller’s', async () => {
		const { error } = await list({}, { as: BUYER });
		expect(error?.message).toBe('This account is not the party of the agreement that may do this');
		expect(error?.description).toMatch(/List Agreement Invoice Line Items and the billing adjustment requests to the seller \(proposer\).*\(INVALID_ACCESS\)$/);
	});
});
