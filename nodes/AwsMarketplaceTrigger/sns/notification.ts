import type { IDataObject } from 'n8n-workflow';

import type { SnsMessage } from './signature';

function parseMessage(text: string): IDataObject {
	try {
		const parsed = JSON.parse(text) as unknown;
		return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as IDataObject) : {};
	} catch {
		return {};
	}
}

// AWS's examples pad some values with spaces.
const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

/** AWS sends the flag as a string, "true" or "false". */
function flag(value: unknown): boolean | null {
	if (typeof value === 'boolean') return value;
	const normalized = text(value)?.toLowerCase();
	return normalized === 'true' ? true : normalized === 'false' ? false : null;
}

/**
 * One output item per AWS Marketplace SNS notification (topics aws-mp-subscription-notification and
 * aws-mp-entitlement-notification): action subscribe-success, subscribe-fail, unsubscribe-pending,
 * unsubscribe-success or entitlement-updated.
 */
export function normalizeNotification(message: SnsMessage): IDataObject {
	const body = parseMessage(message.Message);
	return {
		source: 'sns',
		action: text(body.action),
		customerIdentifier: text(body['customer-identifier']),
		productCode: text(body['product-code']),
		offerIdentifier: text(body['offer-identifier']),
		isFreeTrialTermPresent: flag(body.isFreeTrialTermPresent),
		topicArn: message.TopicArn,
		messageId: message.MessageId,
		timestamp: message.Timestamp,
		raw: message as unknown as IDataObject,
	};
}
