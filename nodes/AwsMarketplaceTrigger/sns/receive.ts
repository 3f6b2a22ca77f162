import type { KeyObject } from 'node:crypto';

import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { isFirstDelivery } from '../deliveries';
import { acknowledge, refuse } from '../respond';
import { signingKey } from './certificates';
import { normalizeNotification } from './notification';
import { hasValidSignature, type SnsMessage } from './signature';
import { timestampProblem } from './timestamp';
import { isSigningCertificateUrl, isSnsUrl } from './trust';

const CONFIRM_TIMEOUT_MS = 5_000;

function topicArns(value: unknown): string[] {
	const list = Array.isArray(value) ? value : String(value ?? '').split(',');
	return list.map((arn) => String(arn).trim()).filter(Boolean);
}

/**
 * A call to SNS that failed: answered 502, so SNS delivers again later, with a fixed text. What
 * went wrong (an address, a TLS or HTTP error) goes to n8n's log, not to whoever sent the message.
 */
function unreachable(this: IWebhookFunctions, what: string, error: unknown): IWebhookResponseData {
	this.logger.warn(`AWS Marketplace Trigger: ${what}: ${(error as Error).message}`);
	return refuse.call(this, 502, `${what}; SNS delivers the message again later`);
}

/**
 * A message of a legacy AWS Marketplace SNS topic. SNS can send no API key, so the message must be
 * signed by SNS (any SNS topic's message is, hence the topic check), and recent, before it confirms
 * the subscription or starts the workflow.
 */
export async function receiveSnsMessage(this: IWebhookFunctions, message: SnsMessage): Promise<IWebhookResponseData> {
	if (!topicArns(this.getNodeParameter('snsTopicArns', '')).includes(message.TopicArn)) {
		return refuse.call(this, 403, 'The message comes from a topic this trigger does not accept');
	}
	if (!isSigningCertificateUrl(message.SigningCertURL)) {
		return refuse.call(this, 403, 'The signing certificate is not on an Amazon SNS host');
	}
	const stale = timestampProblem(message.Timestamp);
	if (stale) return refuse.call(this, 403, stale);
	let key: KeyObject;
	try {
		key = await signingKey.call(this, message.SigningCertURL);
	} catch (error) {
		return unreachable.call(this, 'Could not get the SNS signing certificate', error);
	}
	if (!hasValidSignature(message, key)) return refuse.call(this, 403, 'The message signature is not valid');
	if (message.Type === 'SubscriptionConfirmation') {
		if (!isSnsUrl(message.SubscribeURL)) return refuse.call(this, 403, 'The subscribe URL is not on an Amazon SNS host');
		try {
			await this.helpers.httpRequest({ method: 'GET', url: message.SubscribeURL, timeout: CONFIRM_TIMEOUT_MS });
		} catch (error) {
			return unreachable.call(this, 'Could not confirm the subscription', error);
		}
		return acknowledge('Subscription confirmed', { topicArn: message.TopicArn });
	}
	if (message.Type === 'UnsubscribeConfirmation') return acknowledge('Unsubscribed', { topicArn: message.TopicArn });
	if (!(await isFirstDelivery.call(this, `sns|${message.MessageId}`))) {
		return acknowledge('Repeated delivery: ignored', { messageId: message.MessageId });
	}
	return { workflowData: [this.helpers.returnJsonArray([normalizeNotification(message)])] };
}
