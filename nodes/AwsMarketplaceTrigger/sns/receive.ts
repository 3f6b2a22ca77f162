import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { isFirstDelivery } from '../deliveries';
import { acknowledge, refuse } from '../respond';
import { signingKey } from './certificates';
import { normalizeNotification } from './notification';
import { hasValidSignature, type SnsMessage } from './signature';
import { isSigningCertificateUrl, isSnsUrl } from './trust';

const CONFIRM_TIMEOUT_MS = 5_000;

function topicArns(value: unknown): string[] {
	const list = Array.isArray(value) ? value : String(value ?? '').split(',');
	return list.map((arn) => String(arn).trim()).filter(Boolean);
}

/**
 * A message of a legacy AWS Marketplace SNS topic. SNS can send no API key, so the message must be
 * signed by SNS (any SNS topic's message is, hence the topic check) before it confirms the
 * subscription or starts the workflow.
 */
export async function receiveSnsMessage(this: IWebhookFunctions, message: SnsMessage): Promise<IWebhookResponseData> {
	if (!topicArns(this.getNodeParameter('snsTopicArns', '')).includes(message.TopicArn)) {
		return refuse.call(this, 403, 'The message comes from a topic this trigger does not accept');
	}
	if (!isSigningCertificateUrl(message.SigningCertURL)) {
		return refuse.call(this, 403, 'The signing certificate is not on an Amazon SNS host');
	}
	if (!hasValidSignature(message, await signingKey.call(this, message.SigningCertURL))) {
		return refuse.call(this, 403, 'The message signature is not valid');
	}
	if (message.Type === 'SubscriptionConfirmation') {
		if (!isSnsUrl(message.SubscribeURL)) return refuse.call(this, 403, 'The subscribe URL is not on an Amazon SNS host');
		await this.helpers.httpRequest({ method: 'GET', url: message.SubscribeURL, timeout: CONFIRM_TIMEOUT_MS });
		return acknowledge('Subscription confirmed', { topicArn: message.TopicArn });
	}
	if (message.Type === 'UnsubscribeConfirmation') return acknowledge('Unsubscribed', { topicArn: message.TopicArn });
	if (!(await isFirstDelivery.call(this, `sns|${message.MessageId}`))) {
		return acknowledge('Repeated delivery: ignored', { messageId: message.MessageId });
	}
	return { workflowData: [this.helpers.returnJsonArray([normalizeNotification(message)])] };
}
