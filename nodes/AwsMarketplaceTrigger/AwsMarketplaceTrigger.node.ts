import type { INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { description } from './description';
import { receive } from './receive';

export class AwsMarketplaceTrigger implements INodeType {
	description: INodeTypeDescription = description;

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receive.call(this);
	}
}
