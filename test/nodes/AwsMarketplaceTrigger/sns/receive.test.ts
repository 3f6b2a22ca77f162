import { TEST_SNS_ORIGIN_VARIABLE } from '../../../../nodes/AwsMarketplaceTrigger/sns/trust';
import { useEmulator } from '../../../helpers/emulator';
import { postSnsMessage, startTrigger, trustCertificate, type TriggerServer } from '../../../helpers/trigger';

const TOPIC = 'arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-aw4fgf5tyo5w2ap6fEXAMPLE';
const SUBSCRIBE_SUCCESS = {
	action: 'subscribe-success',
	'customer-identifier': 'X01EXAMPLEX',
	'product-code': 'n0123EXAMPLEXXXXXXXXXXXX',
	'offer-identifier': 'offer-abcexample123',
	isFreeTrialTermPresent: 'true',
};

describe('AWS Marketplace Trigger: legacy SNS messages through n8n', () => {
	const emulator = useEmulator();
	let trigger: TriggerServer;
	let distrust: () => void;

	// n8n trusts the emulator's TLS certificate as NODE_EXTRA_CA_CERTS makes the e2e's n8n trust it.
	beforeAll(() => {
		distrust = trustCertificate(emulator().snsTlsCertificatePem);
	});

	afterAll(() => distrust());

	beforeEach(() => {
		// The emulator stands in for sns.<region>.amazonaws.com: its certificate and confirmation URLs.
		process.env[TEST_SNS_ORIGIN_VARIABLE] = emulator().snsOrigin;
		emulator().reset();
	});

	afterEach(async () => {
		delete process.env[TEST_SNS_ORIGIN_VARIABLE];
		await trigger?.stop();
	});

	const start = (parameters = {}) => startTrigger({ parameters: { acceptSns: true, snsTopicArns: TOPIC, ...parameters } });
	const send = (input: Omit<Parameters<typeof postSnsMessage>[1], 'url'>) => postSnsMessage(emulator(), { url: trigger.url, ...input });
	const confirmations = async () => (await (await fetch(`${emulator().url}/_emulator/lifecycle/confirmations`)).json()) as Array<{ topicArn: string }>;

	it('confirms the subscription by visiting its SubscribeURL, and starts nothing', async () => {
		trigger = await start();
		const delivery = await send({ type: 'SubscriptionConfirmation', topicArn: TOPIC });
		expect(delivery).toMatchObject({ status: 200, body: { message: 'Subscription confirmed', topicArn: TOPIC } });
		expect(await confirmations()).toEqual([expect.objectContaining({ topicArn: TOPIC, token: (delivery.sent.message as { Token: string }).Token })]);
		expect(trigger.runs).toEqual([]);
	});

	it.each(['1', '2'] as const)('starts the workflow with a notification signed with SignatureVersion %s', async (signatureVersion) => {
		trigger = await start();
		const delivery = await send({ topicArn: TOPIC, message: SUBSCRIBE_SUCCESS, signatureVersion });
		expect(delivery).toMatchObject({ status: 200, body: { message: 'Workflow was started' } });
		const [[item]] = trigger.runs;
		expect(item).toMatchObject({
			source: 'sns',
			action: 'subscribe-success',
			customerIdentifier: 'X01EXAMPLEX',
			productCode: 'n0123EXAMPLEXXXXXXXXXXXX',
			offerIdentifier: 'offer-abcexample123',
			isFreeTrialTermPresent: true,
			topicArn: TOPIC,
			messageId: (delivery.sent.message as { MessageId: string }).MessageId,
		});
		expect((item.raw as { SignatureVersion: string }).SignatureVersion).toBe(signatureVersion);
	});

	it('reads the entitlement topic’s message, which has no offer or trial flag', async () => {
		trigger = await start();
		await send({ topicArn: TOPIC, message: { action: 'entitlement-updated', 'customer-identifier': 'X01EXAMPLEX', 'product-code': 'n0123EXAMPLE' } });
		expect(trigger.runs[0][0]).toMatchObject({ action: 'entitlement-updated', offerIdentifier: null, isFreeTrialTermPresent: null });
	});

	it('refuses a message whose signature does not match with 403, and starts nothing', async () => {
		trigger = await start();
		const tampered = await send({ topicArn: TOPIC, message: SUBSCRIBE_SUCCESS, tamper: true });
		const tamperedConfirmation = await send({ type: 'SubscriptionConfirmation', topicArn: TOPIC, tamper: true });
		expect([tampered.status, tamperedConfirmation.status]).toEqual([403, 403]);
		expect(tampered.body).toEqual({ message: 'The message signature is not valid' });
		expect(trigger.runs).toEqual([]);
		expect(await confirmations()).toEqual([]);
	});

	it('refuses a validly signed message of a topic it was not told to accept', async () => {
		trigger = await start();
		const other = await send({ topicArn: 'arn:aws:sns:us-east-1:999999999999:my-own-topic', message: SUBSCRIBE_SUCCESS });
		const otherConfirmation = await send({ type: 'SubscriptionConfirmation', topicArn: 'arn:aws:sns:us-east-1:999999999999:my-own-topic' });
		expect([other.status, otherConfirmation.status]).toEqual([403, 403]);
		expect(trigger.runs).toEqual([]);
		expect(await confirmations()).toEqual([]);
	});

	it('refuses a certificate that is not on an SNS host (no test origin set)', async () => {
		trigger = await start();
		delete process.env[TEST_SNS_ORIGIN_VARIABLE];
		const delivery = await send({ topicArn: TOPIC, message: SUBSCRIBE_SUCCESS });
		expect(delivery).toMatchObject({ status: 403, body: { message: 'The signing certificate is not on an Amazon SNS host' } });
		expect(trigger.runs).toEqual([]);
	});

	it('starts a notification SNS delivers again only once', async () => {
		trigger = await start();
		const first = await send({ topicArn: TOPIC, message: SUBSCRIBE_SUCCESS, messageId: 'a8f1c7e4-51f4-4d0b-8c2e-0b7b1f6f1c01' });
		const repeat = await send({ topicArn: TOPIC, message: SUBSCRIBE_SUCCESS, messageId: 'a8f1c7e4-51f4-4d0b-8c2e-0b7b1f6f1c01' });
		expect([first.body.message, repeat.body.message]).toEqual(['Workflow was started', 'Repeated delivery: ignored']);
		expect(trigger.runs).toHaveLength(1);
	});

	it('treats an SNS message as an unauthenticated EventBridge request when SNS is not accepted', async () => {
		trigger = await start({ acceptSns: false });
		const delivery = await send({ topicArn: TOPIC, message: SUBSCRIBE_SUCCESS });
		expect(delivery).toMatchObject({ status: 401, body: { message: 'Missing or wrong API key' } });
		expect(trigger.runs).toEqual([]);
	});

	it('refuses a signing certificate anywhere but on SNS’s own host in a Region that exists, and fetches nothing', async () => {
		trigger = await start();
		const urls = [
			'https://sns-certificates.s3.amazonaws.com/SimpleNotificationService-a.pem',
			'https://s3.amazonaws.com/sns.us-east-1.amazonaws.com/SimpleNotificationService-a.pem',
			'https://sns.nonexistent-region.amazonaws.com/SimpleNotificationService-a.pem',
			'https://sns.us-east-1.amazonaws.com.cn/SimpleNotificationService-a.pem',
			'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-a.pem',
			`${emulator().snsOrigin.replace('https:', 'http:')}/SimpleNotificationService-emulator.pem`,
		];
		const answers = [];
		for (const signingCertUrl of urls) answers.push((await send({ topicArn: TOPIC, message: SUBSCRIBE_SUCCESS, signingCertUrl })).body);
		expect(answers).toEqual(urls.map(() => ({ message: 'The signing certificate is not on an Amazon SNS host' })));
		expect(trigger.runs).toEqual([]);
	});

	it('refuses a message older than an hour, one from the future and one whose Timestamp is no time; takes one 59 minutes old', async () => {
		trigger = await start();
		const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
		const sendAt = async (timestamp: string) => await send({ topicArn: TOPIC, message: SUBSCRIBE_SUCCESS, timestamp });
		const refused = [await sendAt(minutesAgo(61)), await sendAt(minutesAgo(24 * 60)), await sendAt(minutesAgo(-6)), await sendAt('2026-01-01 00:00:00')];
		expect(refused.map(({ status, body }) => [status, body.message])).toEqual([
			[403, 'The message is older than an hour, longer than SNS retries a delivery'],
			[403, 'The message is older than an hour, longer than SNS retries a delivery'],
			[403, 'The message Timestamp is in the future'],
			[403, 'The message Timestamp is not a time'],
		]);
		const recentEnough = await sendAt(minutesAgo(59));
		expect(recentEnough.body).toEqual({ message: 'Workflow was started' });
		expect(trigger.runs.map(([item]) => item.timestamp)).toEqual([(recentEnough.sent.message as { Timestamp: string }).Timestamp]);
	});

	it('answers 502 when SNS cannot be reached, without the error’s text, and starts nothing', async () => {
		trigger = await start();
		const missingCertificate = await send({ topicArn: TOPIC, message: SUBSCRIBE_SUCCESS, signingCertUrl: `${emulator().snsOrigin}/SimpleNotificationService-missing.pem` });
		const failedConfirmation = await send({ type: 'SubscriptionConfirmation', topicArn: TOPIC, subscribeUrl: `${emulator().snsOrigin}/?Action=Unknown` });
		expect([missingCertificate, failedConfirmation].map(({ status, body }) => [status, body])).toEqual([
			[502, { message: 'Could not get the SNS signing certificate; SNS delivers the message again later' }],
			[502, { message: 'Could not confirm the subscription; SNS delivers the message again later' }],
		]);
		expect(trigger.runs).toEqual([]);
		expect(await confirmations()).toEqual([]);
	});

	it('refuses a SubscribeURL that is not on an SNS host, and visits nothing', async () => {
		trigger = await start();
		const delivery = await send({ type: 'SubscriptionConfirmation', topicArn: TOPIC, subscribeUrl: 'https://169.254.169.254/latest/meta-data/?Action=ConfirmSubscription' });
		expect(delivery).toMatchObject({ status: 403, body: { message: 'The subscribe URL is not on an Amazon SNS host' } });
		expect(await confirmations()).toEqual([]);
	});

	it.each(['localhost:4010', 'http://127.0.0.1:4010', 'https://10.0.0.1:4010', 'https://sns.us-east-1.amazonaws.com', 'https://localhost.example.com', 'https://127.0.0.1:4010/sns', 'https://user@127.0.0.1:4010'])(
		'refuses to start with SNS and the test origin %s',
		async (origin) => {
			process.env[TEST_SNS_ORIGIN_VARIABLE] = origin;
			await expect(start()).rejects.toThrow(`${TEST_SNS_ORIGIN_VARIABLE} must be an https origin on a loopback address, such as https://127.0.0.1:4010, not "${origin}"`);
			// Without SNS the variable plays no part.
			trigger = await start({ acceptSns: false });
		},
	);
});
