import { createVerify, X509Certificate } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { get } from 'node:https';
import type { AddressInfo } from 'node:net';

import { LIFECYCLE_EXAMPLES } from '../../emulator/lifecycleExamples';
import { useEmulator } from '../helpers/emulator';

interface Received {
	headers: IncomingHttpHeaders;
	body: string;
}

/** A plain HTTP server that keeps what it receives and answers `status`. */
function receiver(status = 200) {
	const received: Received[] = [];
	const server = createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
			response.writeHead(status, { 'content-type': 'application/json' });
			response.end('{"ok":true}');
		});
	});
	let url = '';
	beforeAll(async () => {
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
	});
	afterAll(async () => {
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});
	return { received, url: () => url };
}

// AWS's documented string to sign, written out independently of the emulator and the trigger.
function documentedStringToSign(message: Record<string, string>): string {
	const fields =
		message.Type === 'Notification'
			? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
			: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
	return fields.filter((field) => field in message).map((field) => `${field}\n${message[field]}\n`).join('');
}

describe('emulator: subscription lifecycle events', () => {
	const emulator = useEmulator();
	const target = receiver();

	/** A GET of the emulator's SNS, trusting its self-signed TLS certificate. */
	const fromSns = (url: string) =>
		new Promise<{ status: number; text: string }>((resolve, reject) => {
			get(url, { ca: emulator().snsTlsCertificatePem }, (response) => {
				let text = '';
				response.on('data', (chunk: Buffer) => (text += chunk));
				response.on('end', () => resolve({ status: response.statusCode!, text }));
			}).on('error', reject);
		});

	const admin = async (path: string, input?: unknown) => {
		const response = await fetch(`${emulator().url}/_emulator/lifecycle/${path}`, input === undefined ? {} : { method: 'POST', body: JSON.stringify(input) });
		return { status: response.status, json: (await response.json()) as Record<string, unknown> };
	};

	it('lists AWS’s documented seller events', async () => {
		const { json } = await admin('examples');
		expect(json).toEqual(Object.keys(LIFECYCLE_EXAMPLES));
		expect(json).toEqual(
			expect.arrayContaining([
				'Purchase Agreement Created - Proposer',
				'Purchase Agreement Created - Manufacturer',
				'Purchase Agreement Amended - Proposer',
				'Purchase Agreement Amended - Manufacturer',
				'Purchase Agreement Ended - Proposer',
				'Purchase Agreement Ended - Manufacturer',
				'License Updated - Manufacturer',
				'License Deprovisioned - Manufacturer',
				'Agreement Cancellation Request Pending Approval - Proposer',
				'Purchase Agreement Billing Adjustment Completed - Proposer',
			]),
		);
		for (const example of Object.values(LIFECYCLE_EXAMPLES)) {
			expect(example).toMatchObject({ version: '0', source: 'aws.agreement-marketplace', region: 'us-east-1', detail: { catalog: 'AWSMarketplace' } });
		}
	});

	it('posts an event as an API destination does: JSON, the API-key header, its own IDs, overrides merged', async () => {
		const input = { url: target.url(), example: 'License Updated - Manufacturer', apiKey: { header: 'X-Api-Key', value: 'k' } };
		const first = await admin('eventbridge', { ...input, event: { detail: { license: { arn: 'arn:aws:license-manager::1:license:l-9' } } } });
		await admin('eventbridge', input);
		expect(first.json).toMatchObject({ status: 200, body: '{"ok":true}' });
		const [one, two] = target.received.slice(-2);
		expect(one.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'x-api-key': 'k' });
		const [sentOne, sentTwo] = [JSON.parse(one.body), JSON.parse(two.body)];
		expect(sentOne).toEqual(first.json.event);
		expect(sentOne.detail.license.arn).toBe('arn:aws:license-manager::1:license:l-9');
		expect(sentOne.detail.product).toEqual({ code: 'aw4fgf5tyo5w2ap6fEXAMPLE', id: 'prod-qtwveEXAMPLE' });
		expect(sentTwo.detail.license.arn).toBe('aws:license-manager:us-east-1:123456789012:l-e52ca6f38bf84d0fafb8802ca15ac11x');
		expect(sentOne.id).not.toBe(sentTwo.id);
		expect(sentOne.detail.requestId).not.toBe(sentTwo.detail.requestId);
	});

	it.each(['1', '2'] as const)('signs SNS messages as SNS does (SignatureVersion %s), with a certificate it serves', async (signatureVersion) => {
		const topicArn = 'arn:aws:sns:us-east-1:123456789012:aws-mp-subscription-notification-abc';
		const { json } = await admin('sns', { url: target.url(), topicArn, message: { action: 'subscribe-success' }, subject: 'hello', signatureVersion });
		const message = json.message as Record<string, string>;
		const received = target.received.at(-1)!;
		expect(received.headers).toMatchObject({ 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification', 'x-amz-sns-topic-arn': topicArn });
		expect(JSON.parse(received.body)).toEqual(message);
		expect(message).toMatchObject({ Type: 'Notification', TopicArn: topicArn, Subject: 'hello', SignatureVersion: signatureVersion, Message: '{"action":"subscribe-success"}' });
		expect(message.SigningCertURL).toBe(`${emulator().snsOrigin}/SimpleNotificationService-emulator.pem`);

		const certificate = new X509Certificate((await fromSns(message.SigningCertURL)).text);
		const verify = (text: string) =>
			createVerify(signatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256').update(text).verify(certificate.publicKey, message.Signature, 'base64');
		expect(verify(documentedStringToSign(message))).toBe(true);
		expect(verify(documentedStringToSign({ ...message, Message: `${message.Message} ` }))).toBe(false);
		expect(certificate.verify(certificate.publicKey)).toBe(true);
	});

	it('sends a subscription confirmation whose SubscribeURL confirms, and tampers on request', async () => {
		emulator().reset();
		const topicArn = 'arn:aws:sns:us-east-1:123456789012:aws-mp-entitlement-notification-abc';
		const { json } = await admin('sns', { url: target.url(), topicArn, type: 'SubscriptionConfirmation', tamper: true });
		const message = json.message as Record<string, string>;
		expect(message).toMatchObject({ Type: 'SubscriptionConfirmation', TopicArn: topicArn, Token: expect.any(String) });
		const certificate = new X509Certificate((await fromSns(message.SigningCertURL)).text);
		expect(createVerify('RSA-SHA256').update(documentedStringToSign(message)).verify(certificate.publicKey, message.Signature, 'base64')).toBe(false);

		expect((await admin('confirmations')).json).toEqual([]);
		expect(message.SubscribeURL.startsWith(`${emulator().snsOrigin}/?Action=ConfirmSubscription&`)).toBe(true);
		const confirmation = await fromSns(message.SubscribeURL);
		expect(confirmation.status).toBe(200);
		expect(confirmation.text).toContain(`<SubscriptionArn>${topicArn}:`);
		expect((await admin('confirmations')).json).toEqual([expect.objectContaining({ topicArn, token: message.Token })]);
		emulator().reset();
		expect((await admin('confirmations')).json).toEqual([]);
	});

	it('serves its SNS over TLS on loopback, with a certificate only a client told to trust it accepts', async () => {
		expect(emulator().snsOrigin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
		const tls = new X509Certificate(emulator().snsTlsCertificatePem);
		expect(tls.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
		expect(tls.checkIP('127.0.0.1')).toBe('127.0.0.1');
		await expect(fetch(`${emulator().snsOrigin}/SimpleNotificationService-emulator.pem`)).rejects.toThrow();
		expect((await fromSns(`${emulator().snsOrigin}/SimpleNotificationService-other.pem`)).status).toBe(404);
		expect((await fromSns(`${emulator().snsOrigin}/?Action=Unknown`)).status).toBe(400);
	});

	it('signs the Timestamp and URLs it is given instead of its own', async () => {
		const input = { url: target.url(), topicArn: 'arn:aws:sns:us-east-1:123456789012:t', timestamp: '2020-01-01T00:00:00.000Z' };
		const notification = (await admin('sns', { ...input, signingCertUrl: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-a.pem' })).json.message;
		const confirmation = (await admin('sns', { ...input, type: 'SubscriptionConfirmation', subscribeUrl: 'https://example.com/confirm' })).json.message;
		expect(notification).toMatchObject({ Timestamp: '2020-01-01T00:00:00.000Z', SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-a.pem' });
		expect(confirmation).toMatchObject({ Timestamp: '2020-01-01T00:00:00.000Z', SubscribeURL: 'https://example.com/confirm' });
		const certificate = new X509Certificate((await fromSns((confirmation as Record<string, string>).SigningCertURL)).text);
		const signed = confirmation as Record<string, string>;
		expect(createVerify('RSA-SHA256').update(documentedStringToSign(signed)).verify(certificate.publicKey, signed.Signature, 'base64')).toBe(true);
	});

	it('says what is wrong with a request it cannot post', async () => {
		expect((await admin('eventbridge', { url: target.url(), example: 'Offer Released' })).status).toBe(400);
		expect((await admin('eventbridge', { example: 'License Updated - Manufacturer' })).status).toBe(400);
		expect((await admin('sns', { url: target.url(), topicArn: 't', type: 'Other' })).status).toBe(400);
		const unreachable = await admin('eventbridge', { url: 'http://127.0.0.1:1/hook', example: 'License Updated - Manufacturer' });
		expect(unreachable.status).toBe(502);
		expect(unreachable.json.message).toMatch(/^Could not post to http:\/\/127\.0\.0\.1:1\/hook/);
	});
});
