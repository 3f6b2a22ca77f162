import { AcceptAgreementCancellationRequestCommand } from '@aws-sdk/client-marketplace-agreement';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { plain } from '../helpers/agreementItems';
import { BUYER_ONLY_NOTICE, cancellationRequestFields, readCancellationRequest } from '../helpers/cancellationRequests';
import { confirmationFields, requireConfirmation, type Confirmation } from '../helpers/confirmation';
import { mapItems } from '../helpers/perItem';
import type { Services } from './services';

const CONFIRMATION: Confirmation = {
	operation: 'acceptAgreementCancellationRequest',
	name: 'confirmCancellation',
	displayName: 'Confirm Agreement Cancellation',
	notice: 'Accepting a cancellation request cancels the agreement: the buyer’s subscription ends, and no one can undo it.',
};

export const description: INodeProperties[] = [
	{ displayName: BUYER_ONLY_NOTICE, name: 'acceptBuyerNotice', type: 'notice', default: '', displayOptions: { show: { operation: [CONFIRMATION.operation] } } },
	...confirmationFields(CONFIRMATION),
	...cancellationRequestFields(CONFIRMATION.operation),
];

/** One item per input item: the request, APPROVED. AWS accepts only a request PENDING_APPROVAL. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], services: Services): Promise<INodeExecutionData[]> {
	requireConfirmation(this, CONFIRMATION);
	const client = await services.agreementClient();
	return await mapItems.call(this, items, async (itemIndex) => plain(await client.send(new AcceptAgreementCancellationRequestCommand(readCancellationRequest(this, itemIndex)))));
}
