// The subscription lifecycle's side of the emulator: admin endpoints that post AWS Marketplace's
// EventBridge events (as an API destination does, with its API-key header) and signed SNS messages
// (as an HTTPS subscription receives them) to a URL, such as an n8n trigger's webhook, and the
// SNS endpoints such a message points to (signing certificate, subscription confirmation).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import { LIFECYCLE_EXAMPLES, type LifecycleEvent } from './lifecycleExamples';
import { SnsSigner, type SnsMessageType, type UnsignedSnsMessage } from './snsSigner';

export interface LifecycleReply {
	status: number;
	contentType: string;
	body: string;
}

export interface SubscriptionConfirmation {
	topicArn: string;
	token: string;
	time: string;
}

const PREFIXES = ['/_emulator/lifecycle/', '/_emulator/sns/'];
const CERTIFICATE_PATH = '/_emulator/sns/SimpleNotificationService-emulator.pem';
const POST_TIMEOUT_MS = 10_000;

const json = (status: number, value: unknown): LifecycleReply => ({ status, contentType: 'application/json', body: JSON.stringify(value) });

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `base` with `overrides` merged in, objects key by key, anything else replaced. */
function merge<T>(base: T, overrides: unknown): T {
	if (!isObject(base) || !isObject(overrides)) return (overrides === undefined ? base : overrides) as T;
	const merged: Record<string, unknown> = { ...base };
	for (const [key, value] of Object.entries(overrides)) merged[key] = merge(merged[key], value);
	return merged as T;
}

async function post(url: string, body: string, headers: Record<string, string>) {
	const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(POST_TIMEOUT_MS) });
	return { status: response.status, body: await response.text() };
}

export class Lifecycle {
	readonly confirmations: SubscriptionConfirmation[] = [];

	// An RSA key takes a moment to generate: only for emulators that post SNS messages.
	private signerInstance?: SnsSigner;

	private get signer() {
		return (this.signerInstance ??= new SnsSigner());
	}

	handles(path: string): boolean {
		return PREFIXES.some((prefix) => path.startsWith(prefix));
	}

	reset() {
		this.confirmations.length = 0;
	}

	/** Answers an admin request under /_emulator/lifecycle/ or /_emulator/sns/. */
	async handle(request: IncomingMessage, url: URL, body: Buffer): Promise<LifecycleReply> {
		const route = `${request.method} ${url.pathname}`;
		// The URL the trigger reaches the emulator at, for the certificate and confirmation links.
		const origin = `http://${request.headers.host ?? url.host}`;
		let input: unknown = {};
		if (request.method === 'POST') {
			try {
				input = body.length ? JSON.parse(body.toString('utf8')) : {};
			} catch {
				return json(400, { message: 'The body must be JSON' });
			}
		}
		switch (route) {
			case 'GET /_emulator/lifecycle/examples':
				return json(200, Object.keys(LIFECYCLE_EXAMPLES));
			case 'GET /_emulator/lifecycle/confirmations':
				return json(200, this.confirmations);
			case 'POST /_emulator/lifecycle/eventbridge':
				return await this.postEvent(input);
			case 'POST /_emulator/lifecycle/sns':
				return await this.postSnsMessage(input, origin);
			case `GET ${CERTIFICATE_PATH}`:
				return { status: 200, contentType: 'application/x-pem-file', body: this.signer.certificatePem };
			case 'GET /_emulator/sns/':
				return this.confirmSubscription(url);
			default:
				return json(404, { message: `No admin endpoint ${route}` });
		}
	}

	/**
	 * { url, example, apiKey?: { header, value }, event? }: posts the named documented example, with
	 * `event` merged into it and, unless `event` sets them, a fresh `id` and `detail.requestId`.
	 */
	private async postEvent(input: unknown): Promise<LifecycleReply> {
		if (!isObject(input) || typeof input.url !== 'string' || typeof input.example !== 'string') {
			return json(400, { message: 'Expected { url, example, apiKey?: { header, value }, event? }' });
		}
		const example = LIFECYCLE_EXAMPLES[input.example];
		if (!example) return json(400, { message: `No example named ${input.example}; GET /_emulator/lifecycle/examples lists them` });
		const fresh = { id: randomUUID(), detail: { requestId: randomUUID() } };
		const event = merge(merge(example, fresh), input.event) as LifecycleEvent;
		const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Amazon/EventBridge/ApiDestinations' };
		const apiKey = input.apiKey;
		if (isObject(apiKey) && typeof apiKey.header === 'string' && typeof apiKey.value === 'string') headers[apiKey.header.toLowerCase()] = apiKey.value;
		return await this.forward(input.url, JSON.stringify(event), headers, { event });
	}

	/**
	 * { url, topicArn, type?, message?, subject?, signatureVersion?, messageId?, tamper? }: posts an
	 * SNS message signed with the emulator's key. `message` (an object is sent as JSON) is the
	 * notification's Message; `tamper` changes it after signing.
	 */
	private async postSnsMessage(input: unknown, origin: string): Promise<LifecycleReply> {
		if (!isObject(input) || typeof input.url !== 'string' || typeof input.topicArn !== 'string') {
			return json(400, { message: 'Expected { url, topicArn, type?, message?, subject?, signatureVersion?, messageId?, tamper? }' });
		}
		const type = (input.type ?? 'Notification') as SnsMessageType;
		if (!['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'].includes(type)) return json(400, { message: `Unknown SNS message type ${String(type)}` });
		const messageId = typeof input.messageId === 'string' ? input.messageId : randomUUID();
		const unsigned: UnsignedSnsMessage = {
			Type: type,
			MessageId: messageId,
			TopicArn: input.topicArn,
			Message: typeof input.message === 'string' ? input.message : JSON.stringify(input.message ?? {}),
			Timestamp: new Date().toISOString(),
			...(typeof input.subject === 'string' ? { Subject: input.subject } : {}),
		};
		if (type !== 'Notification') {
			const token = randomUUID().replace(/-/g, '');
			unsigned.Message = `You have chosen to subscribe to the topic ${input.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`;
			unsigned.Token = token;
			unsigned.SubscribeURL = `${origin}/_emulator/sns/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(input.topicArn)}&Token=${token}`;
		}
		const signed = this.signer.sign(unsigned, input.signatureVersion === '1' ? '1' : '2', `${origin}${CERTIFICATE_PATH}`);
		if (input.tamper === true) signed.Message = `${signed.Message} `;
		const headers = {
			'content-type': 'text/plain; charset=UTF-8',
			'x-amz-sns-message-type': type,
			'x-amz-sns-message-id': messageId,
			'x-amz-sns-topic-arn': input.topicArn,
			'user-agent': 'Amazon Simple Notification Service Agent',
		};
		return await this.forward(input.url, JSON.stringify(signed), headers, { message: signed });
	}

	private async forward(url: string, body: string, headers: Record<string, string>, sent: Record<string, unknown>): Promise<LifecycleReply> {
		try {
			const answer = await post(url, body, headers);
			return json(200, { status: answer.status, body: answer.body, ...sent });
		} catch (error) {
			return json(502, { message: `Could not post to ${url}: ${(error as Error).message}`, ...sent });
		}
	}

	/** SNS's ConfirmSubscription by GET, as a SubscribeURL does it. */
	private confirmSubscription(url: URL): LifecycleReply {
		const topicArn = url.searchParams.get('TopicArn');
		const token = url.searchParams.get('Token');
		if (url.searchParams.get('Action') !== 'ConfirmSubscription' || !topicArn || !token) return json(400, { message: 'Expected Action=ConfirmSubscription, TopicArn and Token' });
		this.confirmations.push({ topicArn, token, time: new Date().toISOString() });
		const subscriptionArn = `${topicArn}:${randomUUID()}`;
		return {
			status: 200,
			contentType: 'text/xml',
			body: `<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ConfirmSubscriptionResult><SubscriptionArn>${subscriptionArn}</SubscriptionArn></ConfirmSubscriptionResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></ConfirmSubscriptionResponse>`,
		};
	}
}
