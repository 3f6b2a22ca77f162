import { CancelAgreementCancellationRequestCommand } from '@aws-sdk/client-marketplace-agreement';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { plain } from '../helpers/agreementItems';
import { AGREEMENT_RULES, readText } from '../helpers/agreementRules';
import { cancellationRequestFields, readCancellationRequest } from '../helpers/cancellationRequests';
import { mapItems } from '../helpers/perItem';
import type { Services } from './services';

const show = { show: { operation: ['cancelAgreementCancellationRequest'] } };

export const description: INodeProperties[] = [
	...cancellationRequestFields('cancelAgreementCancellationRequest'),
	{
		displayName: 'Cancellation Reason',
		name: 'cancellationReason',
		type: 'string',
		required: true,
		default: '',
		typeOptions: { rows: 2 },
		description: 'Why the seller withdraws its request (1 to 2000 characters)',
		displayOptions: show,
	},
];

/** One item per input item: the seller's request, CANCELLED, with the reason; the agreement stays as it was. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], services: Services): Promise<INodeExecutionData[]> {
	const client = await services.agreementClient();
	return await mapItems.call(this, items, async (itemIndex) => {
		const request = { ...readCancellationRequest(this, itemIndex), cancellationReason: readText(this, itemIndex, 'cancellationReason', AGREEMENT_RULES.cancellationReason) };
		return plain(await client.send(new CancelAgreementCancellationRequestCommand(request)));
	});
}
