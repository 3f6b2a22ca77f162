import { createVerify, type KeyObject } from 'node:crypto';

/** An Amazon SNS message as an HTTPS subscription receives it. */
export interface SnsMessage {
	Type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
	MessageId: string;
	TopicArn: string;
	Message: string;
	Timestamp: string;
	SignatureVersion: string;
	Signature: string;
	SigningCertURL: string;
	Subject?: string;
	SubscribeURL?: string;
	Token?: string;
}

// The fields SNS signs, per message type, in the order of AWS's documentation.
const SIGNED_FIELDS: Record<SnsMessage['Type'], Array<keyof SnsMessage>> = {
	Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
	SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
	UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

// SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA.
const ALGORITHMS: Record<string, string> = { '1': 'RSA-SHA1', '2': 'RSA-SHA256' };

const REQUIRED: Array<keyof SnsMessage> = ['MessageId', 'TopicArn', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL'];

export function isSnsMessage(body: unknown): body is SnsMessage {
	if (typeof body !== 'object' || body === null) return false;
	const message = body as Record<string, unknown>;
	return typeof message.Type === 'string' && message.Type in SIGNED_FIELDS && REQUIRED.every((field) => typeof message[field] === 'string');
}

/** "Name\nvalue\n" for each signed field the message has (Subject only when present). */
export function stringToSign(message: SnsMessage): string {
	return SIGNED_FIELDS[message.Type]
		.filter((field) => typeof message[field] === 'string')
		.map((field) => `${field}\n${message[field]}\n`)
		.join('');
}

/** Whether SNS's key signed this message; false for an unknown signature version. */
export function hasValidSignature(message: SnsMessage, key: KeyObject): boolean {
	const algorithm = ALGORITHMS[message.SignatureVersion];
	if (!algorithm) return false;
	return createVerify(algorithm).update(stringToSign(message), 'utf8').verify(key, message.Signature, 'base64');
}
