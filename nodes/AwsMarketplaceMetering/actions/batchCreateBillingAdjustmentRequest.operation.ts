import { BatchCreateBillingAdjustmentRequestCommand, type BatchCreateBillingAdjustmentRequestEntry, type BillingAdjustmentReasonCode } from '@aws-sdk/client-marketplace-agreement';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { AGREEMENT_RULES, agreementIdField, checkValue, readText } from '../helpers/agreementRules';
import { deriveAdjustmentToken } from '../helpers/clientToken';
import { confirmationFields, requireConfirmation, type Confirmation } from '../helpers/confirmation';
import { fieldError } from '../helpers/fields';
import { mapItems } from '../helpers/perItem';
import { billingAdjustmentError } from '../transport/serviceErrors';
import type { Services } from './services';
import { clientTokenOption } from './common.descriptions';

const CONFIRMATION: Confirmation = {
	operation: 'batchCreateBillingAdjustmentRequest',
	name: 'confirmRefund',
	displayName: 'Confirm Refund',
	notice:
		'Refunds buyers: for each input item, AWS Marketplace refunds the buyer the Adjustment Amount of the invoice named, in the invoice’s currency, up to its maxAdjustmentAmount (List Agreement Invoice Line Items shows it). Once AWS completes the request, the refund cannot be taken back.',
};
const show = { show: { operation: [CONFIRMATION.operation] } };

export const description: INodeProperties[] = [
	...confirmationFields(CONFIRMATION),
	agreementIdField(show, 'The agreement the invoice belongs to; this account must be its seller (proposer)'),
	{
		displayName: 'Original Invoice ID',
		name: 'originalInvoiceId',
		type: 'string',
		required: true,
		default: '={{ $json.invoiceId }}',
		description: 'The invoice to refund from, as List Agreement Invoice Line Items lists it',
		displayOptions: show,
	},
	{
		displayName: 'Adjustment Amount',
		name: 'adjustmentAmount',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 100.00',
		description: 'How much to refund, in the invoice’s currency: a positive amount with up to 8 decimals. Text, so that no rounding changes it.',
		displayOptions: show,
	},
	{
		displayName: 'Currency Code',
		name: 'currencyCode',
		type: 'string',
		required: true,
		default: '={{ $json.currencyCode }}',
		description: 'The invoice’s currency (ISO 4217, such as USD)',
		displayOptions: show,
	},
	{
		displayName: 'Adjustment Reason Code',
		name: 'adjustmentReasonCode',
		type: 'options',
		default: 'OTHER',
		options: [
			{ name: 'Alternative Procurement Channel', value: 'ALTERNATIVE_PROCUREMENT_CHANNEL' },
			{ name: 'Buyer Dissatisfaction', value: 'BUYER_DISSATISFACTION' },
			{ name: 'Incorrect Metering', value: 'INCORRECT_METERING' },
			{ name: 'Incorrect Terms Accepted', value: 'INCORRECT_TERMS_ACCEPTED' },
			{ name: 'Other', value: 'OTHER' },
			{ name: 'Test Environment Charges', value: 'TEST_ENVIRONMENT_CHARGES' },
			{ name: 'Unintended Renewal', value: 'UNINTENDED_RENEWAL' },
		],
		displayOptions: show,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			clientTokenOption(
				'Up to 64 characters of a-z A-Z 0-9 -. Empty: derived from the adjustment, so the same refund sent again (a retried execution, a webhook delivered twice) answers the first request instead of refunding twice. To refund the same amount of the same invoice twice on purpose, give each its own token.',
			),
			{ displayName: 'Description', name: 'description', type: 'string', default: '', description: 'Why the refund, in up to 500 characters' },
		],
	},
];

/**
 * One request per input item, so that each item's answer is its own (AWS answers every entry of a batch apart, by
 * its client token, and documents no limit on entries per request). Created: the request's ID, status PENDING
 * until AWS completes it (Get Billing Adjustment Request, or the trigger's Billing Adjustment events).
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], services: Services): Promise<INodeExecutionData[]> {
	requireConfirmation(this, CONFIRMATION);
	const client = await services.agreementClient();
	return await mapItems.call(this, items, async (itemIndex) => {
		const entry = readEntry(this, itemIndex);
		const answer = await client.send(new BatchCreateBillingAdjustmentRequestCommand({ billingAdjustmentRequestEntries: [entry] }));
		const failure = answer.errors?.find((error) => error.clientToken === entry.clientToken);
		const created = answer.items?.find((item) => item.clientToken === entry.clientToken);
		if (failure || !created?.billingAdjustmentRequestId) throw billingAdjustmentError(this.getNode(), failure ?? { code: 'INTERNAL_FAILURE' }, itemIndex);
		return { billingAdjustmentRequestId: created.billingAdjustmentRequestId, ...entry };
	});
}

function readEntry(ctx: IExecuteFunctions, itemIndex: number): BatchCreateBillingAdjustmentRequestEntry {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as { clientToken?: string; description?: string };
	const adjustmentAmount = readText(ctx, itemIndex, 'adjustmentAmount', AGREEMENT_RULES.adjustmentAmount);
	if (!(Number(adjustmentAmount) > 0)) throw fieldError(ctx, itemIndex, `Adjustment Amount "${adjustmentAmount}" is not greater than 0`);
	const adjustment = {
		agreementId: readText(ctx, itemIndex, 'agreementId', AGREEMENT_RULES.agreementId),
		originalInvoiceId: readText(ctx, itemIndex, 'originalInvoiceId', AGREEMENT_RULES.originalInvoiceId),
		adjustmentAmount,
		currencyCode: readText(ctx, itemIndex, 'currencyCode', AGREEMENT_RULES.currencyCode),
		adjustmentReasonCode: ctx.getNodeParameter('adjustmentReasonCode', itemIndex, 'OTHER') as BillingAdjustmentReasonCode,
		...(options.description ? { description: checkValue(ctx, itemIndex, options.description, AGREEMENT_RULES.adjustmentDescription) } : {}),
	};
	const clientToken = options.clientToken ? checkValue(ctx, itemIndex, options.clientToken, AGREEMENT_RULES.clientToken) : deriveAdjustmentToken(adjustment);
	return { ...adjustment, clientToken };
}
