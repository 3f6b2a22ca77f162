import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { EmulatorAgreement, EmulatorInvoice, EmulatorOptions } from '../../../../emulator';
import { AGREEMENT_OPTIONS, BUYER, runAgreement, sent } from '../../../helpers/agreements';
import { seedBilledUsage, type Billed } from '../../../helpers/billedUsage';
import { useEmulator } from '../../../helpers/emulator';
import { useLedgerFolder, withEmbeddedLedger } from '../../../helpers/ledger';

const ACCOUNT = '444455556666';
const LICENSE = 'arn:aws:license-manager::123456789012:license:l-0000000000000000000000000000reco';
const invoice = (invoiceId: string, month: string, amount: string, invoiceType = 'INVOICE'): EmulatorInvoice => ({
	invoiceId,
	invoiceType,
	amount,
	maxAdjustmentAmount: invoiceType === 'INVOICE' ? amount : '0',
	currencyCode: 'USD',
	billingPeriod: { year: Number(month.slice(0, 4)), month: Number(month.slice(5)) },
	issuedTime: new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5)), 2)).toISOString(),
});
// Invoices of an earlier agreement period, before this one's start: two pages in all, none of them compared.
const OLD = Array.from({ length: 52 }, (_, n) => invoice(`inv-old${n}`, `${2023 + Math.floor((n % 24) / 12)}-${String((n % 12) + 1).padStart(2, '0')}`, '1.00'));

/** Pay as you go since October 2025 after a 30-day free trial: users at 4.00 an hour, requests at 0.002. */
const AGREEMENT: EmulatorAgreement = {
	agreementId: 'agmt-reconcile',
	acceptorAccountId: ACCOUNT,
	status: 'ACTIVE',
	productId: 'prod-saas1',
	productType: 'SaaSProduct',
	productCode: 'prod-saas',
	offerId: 'offer-public',
	acceptanceTime: '2025-10-01T00:00:00.000Z',
	startTime: '2025-10-01T00:00:00.000Z',
	licenseArns: [LICENSE],
	terms: [
		{ freeTrialPricingTerm: { type: 'FreeTrialPricingTerm', id: 'term-trial', duration: 'P30D', grants: [{ dimensionKey: 'users', maxQuantity: 5 }] } },
		{
			usageBasedPricingTerm: {
				type: 'UsageBasedPricingTerm',
				id: 'term-usage',
				currencyCode: 'USD',
				rateCards: [{ rateCard: [{ dimensionKey: 'users', price: '4.00' }, { dimensionKey: 'requests', price: '0.002' }] }],
			},
		},
	],
	invoices: [
		...OLD,
		invoice('inv-nov', '2025-11', '42.00'),
		// December's usage is billed in the ledger and AWS has no invoice for it: revenue lost.
		// January: AWS invoiced usage the ledger never billed.
		invoice('inv-jan', '2026-01', '15.00'),
		// February: one hour of 1 user billed twice, 4.00 more than the ledger's 12.00.
		invoice('inv-feb', '2026-02', '16.00'),
		invoice('cm-feb', '2026-02', '5.00', 'CREDIT_MEMO'),
	],
};

const usage = (hour: string, dimension: string, quantity: number, customerAWSAccountId = ACCOUNT): Billed => ({
	hour,
	dimension,
	quantity,
	customerAWSAccountId,
	licenseArn: customerAWSAccountId === ACCOUNT ? LICENSE : 'arn:aws:license-manager::123456789012:license:l-00000000000000000000000000000other',
	productCode: 'prod-saas',
});
const BILLED: Billed[] = [
	// The free trial's: priced at 0, no invoice needed.
	usage('2025-10-05T10:00:00.000Z', 'users', 2),
	usage('2025-11-03T10:00:00.000Z', 'users', 5),
	usage('2025-11-03T11:00:00.000Z', 'users', 5),
	usage('2025-11-20T08:00:00.000Z', 'requests', 1000),
	usage('2025-12-01T00:00:00.000Z', 'users', 5),
	usage('2026-02-10T00:00:00.000Z', 'users', 3),
	// Another buyer's usage the same hour: not this agreement's.
	usage('2025-12-01T00:00:00.000Z', 'users', 7, '111122223333'),
];

describe('Reconcile Billing with Invoices', () => {
	useLedgerFolder();
	const emulator = useEmulator({ ...AGREEMENT_OPTIONS, agreements: [...AGREEMENT_OPTIONS.agreements!, AGREEMENT] });
	beforeAll(async () => await seedBilledUsage(BILLED));
	beforeEach(() => emulator().reset());
	const reconcile = (parameters: Record<string, unknown> = {}, run: Parameters<typeof runAgreement>[4] = {}) =>
		runAgreement(emulator(), 'ledger', 'reconcileBillingWithInvoices', { ledger: 'embedded', agreementId: 'agmt-reconcile', ...parameters } as never, run);

	it('finds the month billed and not invoiced, the month invoiced and not billed, and the month invoiced at another amount', async () => {
		const { outputs, error } = await reconcile();
		expect(error).toBeUndefined();
		const items = outputs[0].map((item) => item.json);
		expect(items.map((item) => [item.kind ?? 'summary', item.billingPeriod ?? null, item.expectedAmount, item.invoicedAmount])).toEqual([
			['missing', '2025-12', '20.00', '0.00'],
			['extra', '2026-01', '0.00', '15.00'],
			['differentAmount', '2026-02', '12.00', '16.00'],
			['summary', null, '74.00', '73.00'],
		]);
		expect(items[0]).toEqual({
			kind: 'missing',
			agreementId: 'agmt-reconcile',
			customerAWSAccountId: ACCOUNT,
			matchedBy: 'customerAccount',
			currencyCode: 'USD',
			billingPeriod: '2025-12',
			expectedAmount: '20.00',
			invoicedAmount: '0.00',
			difference: '-20.00',
			creditMemoAmount: '0.00',
			invoiceIds: [],
			creditMemoIds: [],
			licenseArns: [LICENSE],
			dimensions: [{ dimension: 'users', billedQuantity: 5, freeTrialQuantity: 0, rate: '4.00', amount: '20.00' }],
			note: expect.stringMatching(/^The ledger billed this month’s usage and AWS has no invoice for it/),
		});
		expect(items[2]).toMatchObject({ difference: '4.00', invoiceIds: ['inv-feb'], creditMemoIds: ['cm-feb'], creditMemoAmount: '5.00' });
		expect(items[3]).toEqual({
			summary: true,
			agreementId: 'agmt-reconcile',
			customerAWSAccountId: ACCOUNT,
			matchedBy: 'customerAccount',
			currencyCode: 'USD',
			fromMonth: '2025-10',
			toMonth: expect.stringMatching(/^\d{4}-\d{2}$/),
			// October (the trial's, priced 0, not invoiced) and November (42.00 both ways) match.
			monthsCompared: 5,
			monthsMatching: 2,
			missing: 1,
			extra: 1,
			differentAmount: 1,
			expectedAmount: '74.00',
			invoicedAmount: '73.00',
			creditMemoAmount: '5.00',
			amountTolerance: '0.01',
			freeTrialUntil: '2025-10-31T00:00:00.000Z',
			unpricedDimensions: [],
			hasUpfrontCharges: false,
		});
		// Every page of the invoices, the old ones left out of the comparison.
		expect(sent(emulator(), 'ListAgreementInvoiceLineItems').map((request) => [request.maxResults, request.nextToken === undefined])).toEqual([
			[50, true],
			[50, false],
		]);
	});

	it('compares the months asked for, within the tolerance asked for', async () => {
		const { outputs } = await reconcile({ reconcileOptions: { fromMonth: '2026-02', toMonth: '2026-02', amountTolerance: '5' } });
		expect(outputs[0].map((item) => item.json)).toEqual([expect.objectContaining({ summary: true, fromMonth: '2026-02', toMonth: '2026-02', monthsCompared: 1, monthsMatching: 1 })]);
		const november = await reconcile({ reconcileOptions: { fromMonth: '2025-11', toMonth: '2025-11' } });
		expect(november.outputs[0][0].json).toMatchObject({ summary: true, monthsMatching: 1, expectedAmount: '42.00', invoicedAmount: '42.00' });
	});

	it('matches the ledger’s usage by license or product code when given', async () => {
		const other = await reconcile({ reconcileOptions: { licenseArn: 'arn:aws:license-manager::123456789012:license:l-none', fromMonth: '2025-12', toMonth: '2025-12' } });
		// No usage of that license: December has nothing billed and nothing invoiced.
		expect(other.outputs[0].map((item) => item.json)).toEqual([expect.objectContaining({ summary: true, monthsCompared: 0, expectedAmount: '0.00' })]);
		const byProduct = await reconcile({ reconcileOptions: { productCode: 'prod-saas', fromMonth: '2025-12', toMonth: '2025-12' } });
		expect(byProduct.outputs[0][0].json).toMatchObject({ kind: 'missing', expectedAmount: '20.00' });
	});

	it('names the field and the rule of a bad option, and says what to do about AWS’s refusals', async () => {
		for (const [options, message] of [
			[{ fromMonth: '2026-13' }, 'Options: From Month "2026-13" is not a month as YYYY-MM, such as 2026-01'],
			[{ fromMonth: '2026-03', toMonth: '2026-01' }, 'Options: From Month 2026-03 is after To Month 2026-01'],
			[{ amountTolerance: '-1' }, 'Options: Amount Tolerance "-1" is not an amount of 0 or more, such as 0.01'],
		] as const) {
			const { error } = await reconcile({ reconcileOptions: options });
			expect(error?.message).toBe(message);
		}
		const unknown = await reconcile({ agreementId: 'agmt-unknown' });
		expect(unknown.error?.message).toBe('AWS Marketplace has no such agreement or request for this account');
		// The buyer reads the agreement and its terms, not the seller's invoices.
		const buyer = await reconcile({}, { as: BUYER, items: [{}, {}], onError: 'continueErrorOutput' });
		expect(buyer.outputs[1].map((item) => item.json.error)).toEqual([
			'This account is not the party of the agreement that may do this [item 0]',
			'This account is not the party of the agreement that may do this [item 1]',
		]);
	});
});

// The sample configuration's pay-as-you-go agreement: its invoices are this usage's at its rates, December's with one
// planted difference (4.00: one user-hour billed twice, which its pending billing adjustment refunds).
describe('Reconcile Billing with Invoices, on the sample configuration', () => {
	useLedgerFolder();
	const sample = JSON.parse(readFileSync(join(process.cwd(), 'emulator', 'sample-config.json'), 'utf8')) as EmulatorOptions;
	const emulator = useEmulator(sample);
	const customer = sample.customers![0];
	const sampleUsage = (hour: string, dimension: string, quantity: number): Billed => ({
		hour,
		dimension,
		quantity,
		customerAWSAccountId: customer.customerAWSAccountId!,
		licenseArn: customer.licenseArn!,
		productCode: customer.productCode,
	});
	beforeAll(
		async () =>
			await seedBilledUsage([
				// In the free trial (30 days from 2024-08-30T21:36:03Z).
				sampleUsage('2024-09-15T10:00:00.000Z', 'users', 5),
				sampleUsage('2024-10-07T10:00:00.000Z', 'users', 50),
				sampleUsage('2024-10-07T11:00:00.000Z', 'api_calls', 50000),
				sampleUsage('2024-10-20T00:00:00.000Z', 'storage_gb', 100),
				sampleUsage('2024-11-04T09:00:00.000Z', 'users', 25),
				sampleUsage('2024-11-04T09:00:00.000Z', 'api_calls', 20000),
				sampleUsage('2024-12-02T15:00:00.000Z', 'users', 30),
			]),
	);

	it('matches the months invoiced at the agreement’s rates and finds the planted difference', async () => {
		const { outputs, error } = await runAgreement(emulator(), 'ledger', 'reconcileBillingWithInvoices', { ledger: 'embedded', agreementId: 'agmt-4mwg1nevbokzw95eca5797ixs' });
		expect(error).toBeUndefined();
		const [difference, summary] = outputs[0].map((item) => item.json);
		expect(difference).toMatchObject({
			kind: 'differentAmount',
			billingPeriod: '2024-12',
			customerAWSAccountId: customer.customerAWSAccountId,
			expectedAmount: '120.00',
			invoicedAmount: '124.00',
			difference: '4.00',
			invoiceIds: ['2025010301'],
			licenseArns: [customer.licenseArn],
		});
		expect(summary).toMatchObject({ summary: true, fromMonth: '2024-08', monthsCompared: 4, monthsMatching: 3, differentAmount: 1, expectedAmount: '570.00', invoicedAmount: '574.00' });
		expect(outputs[0]).toHaveLength(2);
	});
});

// Once the ledger ties licenses to the agreement, their usage is the agreement's: another license of the same buyer
// account (another product's subscription) is not.
describe('Reconcile Billing with Invoices, by the licenses the ledger ties to the agreement', () => {
	useLedgerFolder();
	const emulator = useEmulator({ ...AGREEMENT_OPTIONS, agreements: [...AGREEMENT_OPTIONS.agreements!, AGREEMENT] });
	const otherLicense = 'arn:aws:license-manager::123456789012:license:l-000000000000000000000000000other2';
	beforeAll(async () => {
		await seedBilledUsage([usage('2025-12-01T00:00:00.000Z', 'users', 5), { ...usage('2025-12-01T00:00:00.000Z', 'users', 7), licenseArn: otherLicense }]);
		await withEmbeddedLedger(async (ledger) => {
			// EventBridge's spelling of the license: the ledger keeps one.
			const changes = [{ licenseArn: 'aws:license-manager:us-east-1:123456789012:l-0000000000000000000000000000reco', agreementId: 'agmt-reconcile' }];
			await ledger.recordLicenseChanges(
				changes.map((change) => ({ ...change, state: 'active', happenedAt: new Date('2025-10-01T00:00:00Z'), source: 'manual', customerAWSAccountId: ACCOUNT, productCode: 'prod-saas' })),
				{ now: new Date('2025-10-01T00:01:00Z') },
			);
		});
	});

	it('compares the agreement’s licenses’ usage only', async () => {
		const { outputs, error } = await runAgreement(emulator(), 'ledger', 'reconcileBillingWithInvoices', {
			ledger: 'embedded',
			agreementId: 'agmt-reconcile',
			reconcileOptions: { fromMonth: '2025-12', toMonth: '2025-12' },
		});
		expect(error).toBeUndefined();
		expect(outputs[0].map((item) => item.json)).toEqual([
			expect.objectContaining({ kind: 'missing', matchedBy: 'license', expectedAmount: '20.00', licenseArns: [LICENSE] }),
			expect.objectContaining({ summary: true, matchedBy: 'license', expectedAmount: '20.00' }),
		]);
	});
});
