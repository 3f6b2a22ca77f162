import { GetAgreementCancellationRequestCommand } from '@aws-sdk/client-marketplace-agreement';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { plain } from '../helpers/agreementItems';
import { cancellationRequestFields, readCancellationRequest } from '../helpers/cancellationRequests';
import { mapItems } from '../helpers/perItem';
import type { Services } from './services';

export const description: INodeProperties[] = cancellationRequestFields('getAgreementCancellationRequest');

/** One item per input item: the request's status, reason and times, as AWS answers them to either party. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], services: Services): Promise<INodeExecutionData[]> {
	const client = await services.agreementClient();
	return await mapItems.call(this, items, async (itemIndex) => plain(await client.send(new GetAgreementCancellationRequestCommand(readCancellationRequest(this, itemIndex)))));
}
