import {
	DescribeAgreementCommand,
	paginateGetAgreementTerms,
	paginateListAgreementInvoiceLineItems,
	type AcceptedTerm,
	type MarketplaceAgreementClient,
} from '@aws-sdk/client-marketplace-agreement';
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import type { MeteringLedger } from '../../shared/ledger';
import { AGREEMENT_RULES, agreementIdField, readText } from '../helpers/agreementRules';
import { fieldError } from '../helpers/fields';
import { withLedger } from '../helpers/ledgerRun';
import { readPages } from '../helpers/pages';
import { flatMapItems } from '../helpers/perItem';
import { compareMonths, format, monthOf, trialEnd, units, type BilledHour, type InvoiceGroup, type MonthComparison, type Pricing } from '../helpers/reconcile';
import { ledgerFields } from '../helpers/usageFields';
import type { Services } from './services';

const OPERATION = 'reconcileBillingWithInvoices';
const show = { show: { operation: [OPERATION] } };
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
// Terms whose charges AWS invoices besides usage: their invoices show as extra or different amounts in their month.
const UPFRONT_TERMS = ['configurableUpfrontPricingTerm', 'fixedUpfrontPricingTerm', 'paymentScheduleTerm', 'recurringPaymentTerm'] as const;

export const description: INodeProperties[] = [
	...ledgerFields([OPERATION], { closing: false }),
	agreementIdField(show, 'The agreement whose invoices to compare with what the metering ledger billed its buyer; this account must be its seller (proposer)'),
	{
		displayName: 'Options',
		name: 'reconcileOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Amount Tolerance',
				name: 'amountTolerance',
				type: 'string',
				default: '0.01',
				description: 'A month whose invoices and priced usage differ by no more than this, in the invoice’s currency, matches: AWS rounds invoices to the cent',
			},
			{ displayName: 'From Month', name: 'fromMonth', type: 'string', default: '', placeholder: 'e.g. 2026-01', description: 'The first billing month, as YYYY-MM. Empty: the agreement’s start.' },
			{
				displayName: 'License ARN',
				name: 'licenseArn',
				type: 'string',
				default: '',
				description:
					'Only the ledger’s usage of this license, in any of AWS’s spellings. Empty: the usage of the licenses the ledger ties to the agreement, or without any, of its buyer account.',
			},
			{ displayName: 'Product Code', name: 'productCode', type: 'string', default: '', description: 'Only the ledger’s usage of this product code' },
			{
				displayName: 'To Month',
				name: 'toMonth',
				type: 'string',
				default: '',
				placeholder: 'e.g. 2026-03',
				description: 'The last billing month, as YYYY-MM. Empty: last month, the newest AWS has invoiced.',
			},
		],
	},
];

interface Options {
	amountTolerance?: string;
	fromMonth?: string;
	toMonth?: string;
	licenseArn?: string;
	productCode?: string;
}

/**
 * Per input item, one item per billing month that differs (missing: billed, not invoiced; extra: invoiced, not
 * billed; differentAmount) and a last item summing up the comparison, so that a seller finds revenue lost or billed
 * twice before the buyer does.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], services: Services): Promise<INodeExecutionData[]> {
	const client = await services.agreementClient();
	return await withLedger.call(this, async (ledger) =>
		await flatMapItems.call(this, items, async (itemIndex) => {
			const agreementId = readText(this, itemIndex, 'agreementId', AGREEMENT_RULES.agreementId);
			const options = this.getNodeParameter('reconcileOptions', itemIndex, {}) as Options;
			const tolerance = readTolerance(this, itemIndex, options.amountTolerance);
			const agreement = await client.send(new DescribeAgreementCommand({ agreementId }));
			const customerAWSAccountId = agreement.acceptor?.accountId ?? '';
			const from = readMonth(this, itemIndex, options.fromMonth, 'From Month') ?? monthStart(agreement.startTime ?? new Date(0));
			const to = nextMonth(readMonth(this, itemIndex, options.toMonth, 'To Month') ?? monthStart(new Date(), -1));
			if (from >= to) throw fieldError(this, itemIndex, `Options: From Month ${monthOf(from)} is after To Month ${monthOf(new Date(to.getTime() - 1))}`);
			const terms = await readPages((pageSize) => paginateGetAgreementTerms({ client, pageSize, stopOnSameToken: true }, { agreementId }), (page) => page.acceptedTerms, undefined);
			const pricing = pricingOf(terms, agreement.startTime);
			const match = { customerAWSAccountId, licenseArn: options.licenseArn?.trim() || undefined, productCode: options.productCode?.trim() || undefined };
			const { billed, matchedBy } = await billedUsageOf(ledger, agreementId, match, from, to).catch((error: Error) => {
				// Not AWS's: the per-item handler would describe it as an AWS error.
				throw new NodeOperationError(this.getNode(), error, { itemIndex, description: 'The metering ledger could not be read; nothing was changed.' });
			});
			const invoices = await invoicesOf(client, agreementId, from, to);
			const months = compareMonths(billed, invoices, pricing, tolerance);
			const context = { agreementId, customerAWSAccountId, matchedBy, currencyCode: pricing.currencyCode ?? invoices[0]?.currencyCode ?? null };
			const differences = months.filter((month) => month.kind).map((month) => differenceItem(month, context));
			return [...differences, summaryItem(months, context, { from, to, tolerance, pricing, billed, upfront: terms.some((term) => UPFRONT_TERMS.some((name) => term[name])) })];
		}),
	);
}

/**
 * The agreement's billed usage: that of its licenses as the ledger keeps them (Resolve Customer, the trigger or Record
 * License tied them to the agreement), else that of its buyer account; narrowed by license or product code.
 */
async function billedUsageOf(
	ledger: MeteringLedger,
	agreementId: string,
	match: { customerAWSAccountId: string; licenseArn?: string; productCode?: string },
	from: Date,
	to: Date,
): Promise<{ billed: BilledHour[]; matchedBy: 'license' | 'customerAccount' }> {
	const licenses = match.licenseArn ? [] : await ledger.licenses({ agreementId });
	const queries = licenses.length ? licenses.map(({ licenseArn }) => ({ licenseArn, productCode: match.productCode })) : [match];
	const rows = (await Promise.all(queries.map((query) => ledger.report({ ...query, from, to, states: ['billed'], limit: Number.MAX_SAFE_INTEGER })))).flat();
	const billed = rows.map((row) => ({ hour: row.hour, dimension: row.dimension, quantity: row.sentQuantity ?? Number(row.quantity), licenseArn: row.licenseArn }));
	return { billed, matchedBy: licenses.length ? 'license' : 'customerAccount' };
}

/** Every invoice and credit memo of the agreement's billing months from `from` until `to`, every page. */
async function invoicesOf(client: MarketplaceAgreementClient, agreementId: string, from: Date, to: Date): Promise<InvoiceGroup[]> {
	const groups = await readPages(
		(pageSize) => paginateListAgreementInvoiceLineItems({ client, pageSize, stopOnSameToken: true }, { agreementId, groupBy: 'INVOICE_ID' }),
		(page) => page.agreementInvoiceLineItemGroupSummaries,
		undefined,
	);
	const [first, end] = [monthOf(from), monthOf(to)];
	return groups
		.map((group) => ({
			invoiceId: group.invoiceId ?? '',
			invoiceType: group.invoiceType ?? '',
			billingPeriod: `${group.invoiceBillingPeriod?.year ?? 0}-${String(group.invoiceBillingPeriod?.month ?? 0).padStart(2, '0')}`,
			amount: group.pricingCurrencyAmount?.amount ?? '0',
			currencyCode: group.pricingCurrencyAmount?.currencyCode,
		}))
		.filter((invoice) => invoice.billingPeriod >= first && invoice.billingPeriod < end);
}

/** The usage rates of the accepted terms (pay as you go, or a contract's overage), and the free trial's end. */
function pricingOf(terms: AcceptedTerm[], startTime: Date | undefined): Pricing {
	const usage = terms.find((term) => term.usageBasedPricingTerm)?.usageBasedPricingTerm;
	const rates = new Map((usage?.rateCards ?? []).flatMap((card) => (card.rateCard ?? []).map((item) => [item.dimensionKey ?? '', item.price ?? '0'] as const)));
	const trial = terms.find((term) => term.freeTrialPricingTerm)?.freeTrialPricingTerm;
	const freeUntil = trial && startTime ? trialEnd(startTime, trial.duration) : undefined;
	return { rates, ...(usage?.currencyCode ? { currencyCode: usage.currencyCode } : {}), ...(freeUntil ? { freeUntil } : {}) };
}

function differenceItem(month: MonthComparison, context: IDataObject): IDataObject {
	const { kind, ...rest } = month;
	return { kind: kind!, ...context, ...rest, note: NOTES[kind!] };
}

const NOTES: Record<string, string> = {
	missing: 'The ledger billed this month’s usage and AWS has no invoice for it: check that the records reached AWS (Get Metering Report) and ask AWS Marketplace Seller Operations.',
	extra: 'AWS invoiced this month and the ledger billed nothing chargeable: usage sent outside the ledger, or an upfront charge of the agreement. A charge billed in error can be refunded with Batch Create Billing Adjustment Request.',
	differentAmount: 'AWS invoiced another amount than the ledger’s usage at the agreement’s rates: usage billed twice or lost, a rate change, or an upfront charge of the agreement.',
};

function summaryItem(
	months: MonthComparison[],
	context: IDataObject,
	run: { from: Date; to: Date; tolerance: string; pricing: Pricing; billed: BilledHour[]; upfront: boolean },
): IDataObject {
	const total = (pick: (month: MonthComparison) => string) => format(months.reduce((sum, month) => sum + units(pick(month)), 0n));
	const count = (kind: string) => months.filter((month) => month.kind === kind).length;
	const unpriced = [...new Set(run.billed.map((usage) => usage.dimension).filter((dimension) => !run.pricing.rates.has(dimension)))].sort();
	return {
		summary: true,
		...context,
		fromMonth: monthOf(run.from),
		toMonth: monthOf(new Date(run.to.getTime() - 1)),
		monthsCompared: months.length,
		monthsMatching: months.filter((month) => !month.kind).length,
		missing: count('missing'),
		extra: count('extra'),
		differentAmount: count('differentAmount'),
		expectedAmount: total((month) => month.expectedAmount),
		invoicedAmount: total((month) => month.invoicedAmount),
		creditMemoAmount: total((month) => month.creditMemoAmount),
		amountTolerance: run.tolerance,
		freeTrialUntil: run.pricing.freeUntil?.toISOString() ?? null,
		// Usage of a dimension the terms price nowhere is counted at 0.
		unpricedDimensions: unpriced,
		hasUpfrontCharges: run.upfront,
	};
}

function readTolerance(ctx: IExecuteFunctions, itemIndex: number, value: string | undefined): string {
	const text = (value ?? '0.01').trim() || '0.01';
	if (!/^\d*(\.\d{1,10})?$/.test(text) || text === '.') throw fieldError(ctx, itemIndex, `Options: Amount Tolerance "${text}" is not an amount of 0 or more, such as 0.01`);
	return text;
}

function readMonth(ctx: IExecuteFunctions, itemIndex: number, value: string | undefined, label: string): Date | undefined {
	const text = value?.trim();
	if (!text) return undefined;
	const month = MONTH.exec(text);
	if (!month) throw fieldError(ctx, itemIndex, `Options: ${label} "${text}" is not a month as YYYY-MM, such as 2026-01`);
	return new Date(Date.UTC(Number(month[1]), Number(month[2]) - 1, 1));
}

/** The first instant of the month `offset` months from the one `time` is in (UTC, as AWS's billing months are). */
const monthStart = (time: Date, offset = 0) => new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth() + offset, 1));
const nextMonth = (month: Date) => monthStart(month, 1);
