// Signs SNS messages as Amazon SNS does (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA, over
// AWS's documented string to sign), with a key of its own whose self-signed certificate the
// emulator serves in place of SNS's.
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';

import { selfSignedCertificate } from './selfSignedCertificate';

export type SnsMessageType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

export interface UnsignedSnsMessage {
	Type: SnsMessageType;
	MessageId: string;
	TopicArn: string;
	Message: string;
	Timestamp: string;
	Subject?: string;
	SubscribeURL?: string;
	Token?: string;
	UnsubscribeURL?: string;
}

export interface SignedSnsMessage extends UnsignedSnsMessage {
	SignatureVersion: '1' | '2';
	Signature: string;
	SigningCertURL: string;
}

const SIGNED_FIELDS: Record<SnsMessageType, Array<keyof UnsignedSnsMessage>> = {
	Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
	SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
	UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

export class SnsSigner {
	readonly certificatePem: string;

	private readonly privateKey: KeyObject;

	constructor(now = new Date()) {
		const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
		this.privateKey = privateKey;
		this.certificatePem = selfSignedCertificate(publicKey, privateKey, {
			commonName: 'sns.emulator.local',
			notBefore: new Date(now.getTime() - 3_600_000),
			notAfter: new Date(now.getTime() + 365 * 86_400_000),
		});
	}

	sign(message: UnsignedSnsMessage, signatureVersion: '1' | '2', signingCertUrl: string): SignedSnsMessage {
		const text = SIGNED_FIELDS[message.Type]
			.filter((field) => message[field] !== undefined)
			.map((field) => `${field}\n${message[field]}\n`)
			.join('');
		const signature = createSign(signatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256')
			.update(text, 'utf8')
			.sign(this.privateKey, 'base64');
		return { ...message, SignatureVersion: signatureVersion, Signature: signature, SigningCertURL: signingCertUrl };
	}
}
