// The subscription lifecycle's side of the emulator: admin endpoints that post AWS Marketplace's
// EventBridge events (as an API destination does, with its API-key header) and SNS messages signed
// by the emulator's SNS (as an HTTPS subscription receives them) to a URL, such as an n8n trigger's
// webhook.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import { LIFECYCLE_EXAMPLES, type LifecycleEvent } from './lifecycleExamples';
import type { SnsHost } from './snsHost';
import type { SnsMessageType, UnsignedSnsMessage } from './snsSigner';

export interface LifecycleReply {
	status: number;
	contentType: string;
	body: string;
}

const PREFIX = '/_emulator/lifecycle/';
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
	constructor(private readonly sns: SnsHost) {}

	handles(path: string): boolean {
		return path.startsWith(PREFIX);
	}

	reset() {
		this.sns.confirmations.length = 0;
	}

	/** Answers an admin request under /_emulator/lifecycle/. */
	async handle(request: IncomingMessage, url: URL, body: Buffer): Promise<LifecycleReply> {
		const route = `${request.method} ${url.pathname}`;
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
				return json(200, this.sns.confirmations);
			case 'POST /_emulator/lifecycle/eventbridge':
				return await this.postEvent(input);
			case 'POST /_emulator/lifecycle/sns':
				return await this.postSnsMessage(input);
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
	 * { url, topicArn, type?, message?, subject?, signatureVersion?, messageId?, timestamp?,
	 * signingCertUrl?, subscribeUrl?, tamper? }: posts an SNS message signed by the emulator's SNS.
	 * `message` (an object is sent as JSON) is the notification's Message; `timestamp` (ISO 8601)
	 * replaces now; `signingCertUrl` and `subscribeUrl` replace the emulator's URLs; `tamper` changes
	 * the Message after signing.
	 */
	private async postSnsMessage(input: unknown): Promise<LifecycleReply> {
		if (!isObject(input) || typeof input.url !== 'string' || typeof input.topicArn !== 'string') {
			return json(400, { message: 'Expected { url, topicArn, type?, message?, subject?, signatureVersion?, messageId?, timestamp?, signingCertUrl?, subscribeUrl?, tamper? }' });
		}
		const type = (input.type ?? 'Notification') as SnsMessageType;
		if (!['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'].includes(type)) return json(400, { message: `Unknown SNS message type ${String(type)}` });
		const messageId = typeof input.messageId === 'string' ? input.messageId : randomUUID();
		const unsigned: UnsignedSnsMessage = {
			Type: type,
			MessageId: messageId,
			TopicArn: input.topicArn,
			Message: typeof input.message === 'string' ? input.message : JSON.stringify(input.message ?? {}),
			Timestamp: typeof input.timestamp === 'string' ? input.timestamp : new Date().toISOString(),
			...(typeof input.subject === 'string' ? { Subject: input.subject } : {}),
		};
		if (type !== 'Notification') {
			const token = randomUUID().replace(/-/g, '');
			unsigned.Message = `You have chosen to subscribe to the topic ${input.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`;
			unsigned.Token = token;
			unsigned.SubscribeURL = typeof input.subscribeUrl === 'string' ? input.subscribeUrl : this.sns.subscribeUrl(input.topicArn, token);
		}
		const signed = this.sns.sign(unsigned, input.signatureVersion === '1' ? '1' : '2', typeof input.signingCertUrl === 'string' ? input.signingCertUrl : undefined);
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
}
