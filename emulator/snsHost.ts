// The emulator's Amazon SNS: it signs messages with a key of its own, and serves what such a message
// points to (the signing certificate, the SubscribeURL) as sns.<region>.amazonaws.com does, over
// HTTPS on a loopback origin, the only kind of origin the trigger accepts as a test stand-in for SNS.
// Its TLS certificate is self-signed: a client trusts it only when told to (NODE_EXTRA_CA_CERTS for
// an n8n process).
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

import { selfSignedCertificate } from './selfSignedCertificate';
import { SnsSigner, type SignedSnsMessage, type UnsignedSnsMessage } from './snsSigner';

export interface SubscriptionConfirmation {
	topicArn: string;
	token: string;
	time: string;
}

// SNS's own paths: its certificates at the root, ConfirmSubscription as a GET of the root.
const CERTIFICATE_PATH = '/SimpleNotificationService-emulator.pem';
const HOST = '127.0.0.1';
const DAY_MS = 86_400_000;

function tlsIdentity(now: Date) {
	// An EC key: generated in a moment, unlike the RSA key SNS signs with.
	const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
	const cert = selfSignedCertificate(publicKey, privateKey, {
		commonName: 'sns.emulator.local',
		notBefore: new Date(now.getTime() - DAY_MS),
		notAfter: new Date(now.getTime() + 365 * DAY_MS),
		alternativeNames: { dnsNames: ['localhost'], ipAddresses: [HOST, '::1'] },
	});
	return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

export class SnsHost {
	readonly confirmations: SubscriptionConfirmation[] = [];

	// An RSA key takes a moment to generate: only for emulators that sign SNS messages.
	private signerInstance?: SnsSigner;

	private readonly server: Server;

	private constructor(
		/** Its self-signed TLS certificate (PEM). */
		readonly tlsCertificatePem: string,
		key: string,
	) {
		this.server = createServer({ cert: tlsCertificatePem, key }, (request, response) => this.answer(request, response));
	}

	static async start(port = 0): Promise<SnsHost> {
		const { cert, key } = tlsIdentity(new Date());
		const host = new SnsHost(cert, key);
		await new Promise<void>((resolve, reject) => {
			host.server.once('error', reject);
			host.server.listen(port, HOST, () => {
				host.server.off('error', reject);
				resolve();
			});
		});
		return host;
	}

	/** The HTTPS origin standing in for https://sns.<region>.amazonaws.com. */
	get origin(): string {
		return `https://${HOST}:${(this.server.address() as AddressInfo).port}`;
	}

	private get signer() {
		return (this.signerInstance ??= new SnsSigner());
	}

	/** Signs as SNS does; SigningCertURL points at this host unless `signingCertUrl` says otherwise. */
	sign(message: UnsignedSnsMessage, signatureVersion: '1' | '2', signingCertUrl = `${this.origin}${CERTIFICATE_PATH}`): SignedSnsMessage {
		return this.signer.sign(message, signatureVersion, signingCertUrl);
	}

	subscribeUrl(topicArn: string, token: string): string {
		return `${this.origin}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${token}`;
	}

	async stop(): Promise<void> {
		const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
		this.server.closeAllConnections();
		await closed;
	}

	private answer(request: IncomingMessage, response: ServerResponse) {
		const url = new URL(request.url ?? '/', this.origin);
		const reply = (status: number, contentType: string, body: string) => {
			response.writeHead(status, { 'content-type': contentType });
			response.end(body);
		};
		if (request.method === 'GET' && url.pathname === CERTIFICATE_PATH) return reply(200, 'application/x-pem-file', this.signer.certificatePem);
		if (request.method !== 'GET' || url.pathname !== '/') return reply(404, 'text/plain', 'Not found');
		const topicArn = url.searchParams.get('TopicArn');
		const token = url.searchParams.get('Token');
		if (url.searchParams.get('Action') !== 'ConfirmSubscription' || !topicArn || !token) return reply(400, 'text/plain', 'Expected Action=ConfirmSubscription, TopicArn and Token');
		this.confirmations.push({ topicArn, token, time: new Date().toISOString() });
		reply(
			200,
			'text/xml',
			`<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ConfirmSubscriptionResult><SubscriptionArn>${topicArn}:${randomUUID()}</SubscriptionArn></ConfirmSubscriptionResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></ConfirmSubscriptionResponse>`,
		);
	}
}
