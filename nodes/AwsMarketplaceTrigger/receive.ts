import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { hasApiKey, type WebhookCredential } from './eventBridge/apiKey';
import { receiveEvent } from './eventBridge/receive';
import { jsonBody, refuse } from './respond';
import { isSnsMessage } from './sns/signature';
import { receiveSnsMessage } from './sns/receive';

export const WEBHOOK_CREDENTIAL_TYPE = 'awsMarketplaceWebhookApi';

/**
 * One request to the trigger's URL. An EventBridge delivery must carry the connection's API key
 * (else 401, nothing started: EventBridge does not retry a 4xx) before anything else of it is
 * looked at; with SNS accepted, an SNS message is authenticated by its signature instead.
 */
export async function receive(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const body = jsonBody.call(this);
	if (this.getNodeParameter('acceptSns', false) === true && isSnsMessage(body)) return await receiveSnsMessage.call(this, body);
	const credential = await this.getCredentials<WebhookCredential>(WEBHOOK_CREDENTIAL_TYPE);
	if (!hasApiKey(this.getHeaderData(), credential)) return refuse.call(this, 401, 'Missing or wrong API key');
	return await receiveEvent.call(this, body);
}
