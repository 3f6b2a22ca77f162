import { paginateListAgreementInvoiceLineItems, type InvoiceType, type ListAgreementInvoiceLineItemsInput } from '@aws-sdk/client-marketplace-agreement';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { AGREEMENT_RULES, agreementIdField, checkTime, checkValue, readText } from '../helpers/agreementRules';
import { fieldError } from '../helpers/fields';
import { limitOf, readPages, returnAllFields } from '../helpers/pages';
import { flatMapItems } from '../helpers/perItem';
import type { Services } from './services';

const show = { show: { operation: ['listAgreementInvoiceLineItems'] } };
const BILLING_PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;
/** InvoiceBillingPeriod's years. */
const BILLING_YEARS = { min: 2023, max: 2050 };

export const description: INodeProperties[] = [
	agreementIdField(show, 'The agreement whose invoices to list: the seller’s (proposer’s) view of what AWS invoiced the buyer'),
	{
		displayName: 'Filters',
		name: 'invoiceFilters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: show,
		options: [
			{ displayName: 'Billing Period', name: 'billingPeriod', type: 'string', default: '', placeholder: 'e.g. 2026-01', description: 'The invoice’s billing month, as YYYY-MM' },
			{ displayName: 'Invoice ID', name: 'invoiceId', type: 'string', default: '' },
			{
				displayName: 'Invoice Type',
				name: 'invoiceType',
				type: 'options',
				default: 'INVOICE',
				options: [
					{ name: 'Invoice', value: 'INVOICE' },
					{ name: 'Credit Memo', value: 'CREDIT_MEMO' },
				],
			},
			{ displayName: 'Issued After', name: 'afterIssuedTime', type: 'dateTime', default: '', description: 'Invoices issued after this time' },
			{ displayName: 'Issued Before', name: 'beforeIssuedTime', type: 'dateTime', default: '', description: 'Invoices issued before this time' },
		],
	},
	...returnAllFields('listAgreementInvoiceLineItems'),
];

/**
 * One output item per invoice (AWS groups the line items by invoice ID, its only grouping), with what a billing
 * adjustment request needs: the invoice ID, its currency and the most that may be refunded of it.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], services: Services): Promise<INodeExecutionData[]> {
	const client = await services.agreementClient();
	return await flatMapItems.call(this, items, async (itemIndex) => {
		const input = readInput(this, itemIndex);
		const groups = await readPages(
			(pageSize) => paginateListAgreementInvoiceLineItems({ client, pageSize, stopOnSameToken: true }, input),
			(page) => page.agreementInvoiceLineItemGroupSummaries,
			limitOf(this, itemIndex),
		);
		return groups.map(
			(group): IDataObject => ({
				agreementId: group.agreementId ?? '',
				invoiceId: group.invoiceId ?? '',
				invoiceType: group.invoiceType ?? '',
				amount: group.pricingCurrencyAmount?.amount ?? null,
				maxAdjustmentAmount: group.pricingCurrencyAmount?.maxAdjustmentAmount ?? null,
				currencyCode: group.pricingCurrencyAmount?.currencyCode ?? null,
				invoiceBillingPeriod: group.invoiceBillingPeriod ? { month: group.invoiceBillingPeriod.month ?? null, year: group.invoiceBillingPeriod.year ?? null } : null,
				issuedTime: group.issuedTime?.toISOString() ?? null,
				invoicingEntity: group.invoicingEntity ? { legalName: group.invoicingEntity.legalName ?? null, branchName: group.invoicingEntity.branchName ?? null } : null,
			}),
		);
	});
}

function readInput(ctx: IExecuteFunctions, itemIndex: number): ListAgreementInvoiceLineItemsInput {
	const filters = ctx.getNodeParameter('invoiceFilters', itemIndex, {}) as Record<string, unknown>;
	const given = (name: string) => filters[name] !== undefined && filters[name] !== '';
	const input: ListAgreementInvoiceLineItemsInput = { agreementId: readText(ctx, itemIndex, 'agreementId', AGREEMENT_RULES.agreementId), groupBy: 'INVOICE_ID' };
	if (given('invoiceId')) input.invoiceId = checkValue(ctx, itemIndex, filters.invoiceId, { ...AGREEMENT_RULES.invoiceId, label: 'Filters: Invoice ID' });
	if (given('invoiceType')) input.invoiceType = filters.invoiceType as InvoiceType;
	if (given('billingPeriod')) {
		const period = BILLING_PERIOD.exec(String(filters.billingPeriod).trim());
		if (!period || Number(period[1]) < BILLING_YEARS.min || Number(period[1]) > BILLING_YEARS.max) {
			throw fieldError(
				ctx,
				itemIndex,
				`Filters: Billing Period "${String(filters.billingPeriod)}" is not a month of ${BILLING_YEARS.min} to ${BILLING_YEARS.max} as YYYY-MM, such as 2026-01`,
			);
		}
		input.invoiceBillingPeriod = { year: Number(period[1]), month: Number(period[2]) };
	}
	if (given('afterIssuedTime')) input.afterIssuedTime = checkTime(ctx, itemIndex, filters.afterIssuedTime, 'Filters: Issued After');
	if (given('beforeIssuedTime')) input.beforeIssuedTime = checkTime(ctx, itemIndex, filters.beforeIssuedTime, 'Filters: Issued Before');
	return input;
}
