import { RejectAgreementCancellationRequestCommand } from '@aws-sdk/client-marketplace-agreement';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { plain } from '../helpers/agreementItems';
import { AGREEMENT_RULES, readText } from '../helpers/agreementRules';
import { BUYER_ONLY_NOTICE, cancellationRequestFields, readCancellationRequest } from '../helpers/cancellationRequests';
import { mapItems } from '../helpers/perItem';
import type { Services } from './services';

const show = { show: { operation: ['rejectAgreementCancellationRequest'] } };

export const description: INodeProperties[] = [
	{ displayName: BUYER_ONLY_NOTICE, name: 'rejectBuyerNotice', type: 'notice', default: '', displayOptions: show },
	...cancellationRequestFields('rejectAgreementCancellationRequest'),
	{
		displayName: 'Rejection Reason',
		name: 'rejectionReason',
		type: 'string',
		required: true,
		default: '',
		typeOptions: { rows: 2 },
		description: 'Why the agreement stays: the seller sees it (1 to 2000 characters)',
		displayOptions: show,
	},
];

/** One item per input item: the request, REJECTED, with the reason; the agreement stays active. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], services: Services): Promise<INodeExecutionData[]> {
	const client = await services.agreementClient();
	return await mapItems.call(this, items, async (itemIndex) => {
		const request = { ...readCancellationRequest(this, itemIndex), rejectionReason: readText(this, itemIndex, 'rejectionReason', AGREEMENT_RULES.rejectionReason) };
		return plain(await client.send(new RejectAgreementCancellationRequestCommand(request)));
	});
}
