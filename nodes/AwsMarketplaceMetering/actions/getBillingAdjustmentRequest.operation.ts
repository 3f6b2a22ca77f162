import { GetBillingAdjustmentRequestCommand } from '@aws-sdk/client-marketplace-agreement';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { plain } from '../helpers/agreementItems';
import { AGREEMENT_RULES, agreementIdField, readText } from '../helpers/agreementRules';
import { mapItems } from '../helpers/perItem';
import type { Services } from './services';

const show = { show: { operation: ['getBillingAdjustmentRequest'] } };

export const description: INodeProperties[] = [
	agreementIdField(show, 'The agreement of the billing adjustment request'),
	{
		displayName: 'Billing Adjustment Request ID',
		name: 'billingAdjustmentRequestId',
		type: 'string',
		required: true,
		default: '={{ $json.billingAdjustment?.id ?? $json.billingAdjustmentRequestId }}',
		placeholder: 'e.g. ba-…',
		description: 'The default reads it from the AWS Marketplace Trigger’s billing adjustment events, or from Batch Create Billing Adjustment Request',
		displayOptions: show,
	},
];

/** One item per input item: the request's amount, invoice, reason and status (PENDING, COMPLETED, VALIDATION_FAILED). */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], services: Services): Promise<INodeExecutionData[]> {
	const client = await services.agreementClient();
	return await mapItems.call(this, items, async (itemIndex) => {
		const request = {
			agreementId: readText(this, itemIndex, 'agreementId', AGREEMENT_RULES.agreementId),
			billingAdjustmentRequestId: readText(this, itemIndex, 'billingAdjustmentRequestId', AGREEMENT_RULES.billingAdjustmentRequestId),
		};
		return plain(await client.send(new GetBillingAdjustmentRequestCommand(request)));
	});
}
