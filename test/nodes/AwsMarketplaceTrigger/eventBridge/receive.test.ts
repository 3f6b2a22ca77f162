import { FOREIGN_EVENTS } from '../../../../emulator/foreignEvents';
import { LIFECYCLE_EXAMPLES } from '../../../../emulator/lifecycleExamples';
import { MAX_EVENT_BYTES } from '../../../../nodes/AwsMarketplaceTrigger/eventBridge/envelope';
import { EVENT_TYPES, OTHER_EVENT } from '../../../../nodes/AwsMarketplaceTrigger/eventBridge/events';
import { useEmulator } from '../../../helpers/emulator';
import { API_KEY, postEvent, startTrigger, type TriggerServer } from '../../../helpers/trigger';

const ALL_EVENTS = [...EVENT_TYPES.map((type) => type.event), OTHER_EVENT];

describe('AWS Marketplace Trigger: EventBridge events through n8n', () => {
	const emulator = useEmulator();
	let trigger: TriggerServer;

	afterEach(async () => {
		await trigger?.stop();
	});

	// apiKey null: the request carries none.
	const deliver = (example: string, event?: unknown, apiKey: { header: string; value: string } | null = API_KEY) =>
		postEvent(emulator(), { url: trigger.url, example, apiKey: apiKey ?? undefined, event });
	// A body as it is, with the connection's API key.
	const post = async (body: string) => {
		const response = await fetch(trigger.url, { method: 'POST', headers: { 'content-type': 'application/json', [API_KEY.header]: API_KEY.value }, body });
		return { status: response.status, body: (await response.json()) as Record<string, unknown> };
	};

	it('starts the workflow once per documented event, with what the event says', async () => {
		trigger = await startTrigger({ parameters: { events: ALL_EVENTS } });
		const names = Object.keys(LIFECYCLE_EXAMPLES);
		for (const name of names) {
			const delivery = await deliver(name);
			expect({ name, status: delivery.status, body: delivery.body }).toEqual({ name, status: 200, body: { message: 'Workflow was started' } });
		}
		expect(trigger.runs.map((run) => run.length)).toEqual(names.map(() => 1));
		const byType = Object.fromEntries(trigger.runs.map(([item], index) => [names[index], item]));

		for (const [name, item] of Object.entries(byType)) {
			const detailType = LIFECYCLE_EXAMPLES[name]['detail-type'];
			const type = EVENT_TYPES.find((candidate) => detailType.startsWith(`${candidate.detailType} - `));
			expect({ name, event: item.event, role: item.role, detailType: item.detailType, source: item.source }).toEqual({
				name,
				event: type?.event,
				role: detailType.endsWith('- Manufacturer') ? 'manufacturer' : 'proposer',
				detailType,
				source: 'eventBridge',
			});
			// The raw event is there whole, with its own (fresh) IDs.
			expect((item.raw as Record<string, unknown>)['detail-type']).toBe(detailType);
			expect(item.requestId).toEqual((item.raw as { detail: { requestId: string } }).detail.requestId);
		}

		expect(byType['Purchase Agreement Created - Proposer']).toMatchObject({
			event: 'agreementCreated',
			role: 'proposer',
			agreementId: 'agmt-4mwg1nevbokzw95eca5797ixs',
			intent: 'NEW',
			status: 'ACTIVE',
			isCancellation: false,
			customerAWSAccountId: '845735284135',
			proposerAccountId: '123456512334',
			offerId: 'offer-1234567890123',
			resaleAuthorizationId: 'resaleauthz-yaxjqxiskysxa',
			acceptanceTime: '2024-06-26T21:36:03Z',
			startTime: '2024-08-30T21:36:03Z',
			endTime: '2025-05-30T21:36:03Z',
			licenseArn: null,
			productCode: null,
		});
		expect(byType['Purchase Agreement Created - Proposer (RENEW)']).toMatchObject({
			intent: 'RENEW',
			agreementId: 'agmt-newrenewalagreementid',
			previousAgreementId: 'agmt-4mwg1nevbokzw95eca5797ixs',
			productId: 'prod-aw4fgf5tyo5w2ap6fEXAMPLE',
		});
		expect(byType['Purchase Agreement Amended - Proposer']).toMatchObject({ event: 'agreementAmended', intent: 'AMEND', autoRenewalEnabled: true });
		expect(byType['Purchase Agreement Ended - Manufacturer']).toMatchObject({ event: 'agreementEnded', role: 'manufacturer', status: 'CANCELLED', isCancellation: true });
		expect(byType['License Updated - Manufacturer']).toMatchObject({
			event: 'licenseUpdated',
			// AWS's example omits `arn:`.
			licenseArn: 'arn:aws:license-manager::123456789012:license:l-e52ca6f38bf84d0fafb8802ca15ac11x',
			licenseId: 'l-e52ca6f38bf84d0fafb8802ca15ac11x',
			productCode: 'aw4fgf5tyo5w2ap6fEXAMPLE',
			productId: 'prod-qtwveEXAMPLE',
			agreementId: 'agmt-4mwg1nevbokzw95eca5797ixs',
			customerAWSAccountId: '845735284135',
			offerId: '8kkr91jo647j3qxlcjhlqce7y',
		});
		expect(byType['License Deprovisioned - Manufacturer']).toMatchObject({ event: 'licenseDeprovisioned', isCancellation: false });
		// Cancellation events name the buyer, product and offer inside `agreement`.
		expect(byType['Agreement Cancellation Request Approved - Proposer']).toMatchObject({
			event: 'cancellationRequestApproved',
			agreementId: 'agmt-abcdexampleid',
			customerAWSAccountId: '123465789012',
			productId: 'prod-exampleid',
			offerId: 'offer-exampleid',
			cancellationRequest: { id: 'acr-abcdexampleid', statusCode: 'APPROVED', reasonCode: 'INCORRECT_TERMS_ACCEPTED' },
		});
		expect(byType['Purchase Agreement Billing Adjustment Completed - Proposer']).toMatchObject({
			event: 'billingAdjustmentCompleted',
			billingAdjustment: { id: 'ba-abcdexampleid', adjustmentAmount: '-100.00', currencyCode: 'USD' },
		});
		expect(byType['Purchase Agreement Ending - Proposer']).toMatchObject({ event: 'agreementEnding', status: 'ACTIVE' });
	});

	it('tells an end that continues the subscription from a cancellation', async () => {
		trigger = await startTrigger();
		for (const status of ['RENEWED', 'REPLACED', 'EXPIRED', 'TERMINATED', 'CANCELLED']) {
			await deliver('Purchase Agreement Ended - Proposer', { detail: { agreement: { status } } });
		}
		expect(trigger.runs.map(([item]) => [item.status, item.isCancellation])).toEqual([
			['RENEWED', false],
			['REPLACED', false],
			['EXPIRED', true],
			['TERMINATED', true],
			['CANCELLED', true],
		]);
	});

	it('starts a detail-type it does not know as event "other" when Other is selected, from either seller event source', async () => {
		trigger = await startTrigger({ parameters: { events: ['other'] } });
		const delivery = await deliver('License Updated - Manufacturer', { 'detail-type': 'License Suspended - Manufacturer' });
		expect(delivery.status).toBe(200);
		expect(trigger.runs[0][0]).toMatchObject({ event: 'other', role: 'manufacturer', detailType: 'License Suspended - Manufacturer', licenseArn: expect.stringMatching(/^arn:aws:/) });
		// The Seller Guide's disbursement event, its account placeholder replaced.
		const disbursementPaused = {
			version: '0',
			id: '01234567-0123-0123-0123-0123456789ab',
			'detail-type': 'Disbursement Paused',
			source: 'aws.marketplace',
			account: '123456789012',
			time: '2022-11-01T13:12:22Z',
			region: 'us-east-1',
			resources: ['arn:aws:payments:us-east-1:1234567890:paymentinstrument:123'],
			detail: { requestId: '3d4c9f9b-b809-4f5e-9fac-a9ae98b05cbb', catalog: 'AWSMarketplace' },
		};
		expect(await post(JSON.stringify(disbursementPaused))).toEqual({ status: 200, body: { message: 'Workflow was started' } });
		expect(trigger.runs[1][0]).toMatchObject({ event: 'other', role: null, detailType: 'Disbursement Paused', raw: disbursementPaused });
	});

	it('refuses with 400 what is not an AWS Marketplace seller event, every time it comes, and starts nothing, even with Other selected', async () => {
		trigger = await startTrigger({ parameters: { events: ALL_EVENTS } });
		const bodies: Record<string, unknown> = {
			// No id, time, account, region or detail: not a repeat, an impostor.
			'no envelope': { 'detail-type': 'License Updated - Manufacturer', source: 'aws.agreement-marketplace' },
			...FOREIGN_EVENTS,
		};
		const answers: Array<[string, number, unknown]> = [];
		for (const [name, body] of Object.entries(bodies)) {
			for (const _attempt of [1, 2]) {
				const answer = await post(JSON.stringify(body));
				answers.push([name, answer.status, answer.body.message]);
			}
		}
		const notSellerEvent = 'The event is not an AWS Marketplace seller event: its source must be aws.agreement-marketplace or aws.marketplace';
		expect(answers).toEqual([
			['no envelope', 400, 'The body is not an EventBridge event: "version" must be a string'],
			['no envelope', 400, 'The body is not an EventBridge event: "version" must be a string'],
			['EC2 Instance State-change Notification', 400, notSellerEvent],
			['EC2 Instance State-change Notification', 400, notSellerEvent],
			['Offer Released', 400, notSellerEvent],
			['Offer Released', 400, notSellerEvent],
		]);
		expect(trigger.runs).toEqual([]);
		// Nothing remembered either: a refusal is no delivery.
		expect(trigger.storedStaticData()).toEqual({});
	});

	it('refuses a body larger than EventBridge delivers (256 KB) with 413 and starts nothing', async () => {
		trigger = await startTrigger();
		const example = LIFECYCLE_EXAMPLES['License Updated - Manufacturer'];
		// The example, padded to `bytes` (ASCII: one byte a character).
		const sized = (bytes: number, requestId: string) => {
			const event = { ...example, id: requestId, detail: { ...example.detail, requestId, padding: '' } };
			const padding = 'x'.repeat(bytes - JSON.stringify(event).length);
			return JSON.stringify({ ...event, detail: { ...event.detail, padding } });
		};
		const atLimit = await post(sized(MAX_EVENT_BYTES, 'at-the-limit'));
		const over = await post(sized(MAX_EVENT_BYTES + 1, 'one-byte-over'));
		const fiveMegabytes = await post(sized(5 * 1024 * 1024, 'five-megabytes'));
		expect([atLimit.status, over.status, fiveMegabytes.status]).toEqual([200, 413, 413]);
		expect(over.body).toEqual({ message: 'The body is larger than an EventBridge event can be (256 KB)' });
		expect(trigger.runs.map(([item]) => item.requestId)).toEqual(['at-the-limit']);
	});

	it('answers 200 to an event type not selected and starts nothing', async () => {
		trigger = await startTrigger();
		const delivery = await deliver('Agreement Cancellation Request Approved - Proposer');
		expect(delivery).toMatchObject({ status: 200, body: { message: 'Event type not selected: ignored', event: 'cancellationRequestApproved' } });
		expect(trigger.runs).toEqual([]);
	});

	it('refuses a request without the API key, or with a wrong one, with 401 and starts nothing', async () => {
		trigger = await startTrigger();
		const attempts = [
			await deliver('License Updated - Manufacturer', undefined, null),
			await deliver('License Updated - Manufacturer', undefined, { header: API_KEY.header, value: 'wrong' }),
			await deliver('License Updated - Manufacturer', undefined, { header: API_KEY.header, value: `${API_KEY.value}x` }),
			await deliver('License Updated - Manufacturer', undefined, { header: API_KEY.header, value: API_KEY.value.slice(0, -1) }),
			await deliver('License Updated - Manufacturer', undefined, { header: 'authorization', value: API_KEY.value }),
		];
		expect(attempts.map((attempt) => attempt.status)).toEqual([401, 401, 401, 401, 401]);
		for (const attempt of attempts) {
			expect(attempt.body).toEqual({ message: 'Missing or wrong API key' });
			expect(JSON.stringify(attempt.body)).not.toContain(API_KEY.value);
		}
		expect(trigger.runs).toEqual([]);
		// The header name is matched whatever its case.
		expect((await deliver('License Updated - Manufacturer', undefined, { header: 'X-Api-Key', value: API_KEY.value })).status).toBe(200);
		expect(trigger.runs).toHaveLength(1);
	});

	it('refuses a body that is not an EventBridge event with 400', async () => {
		trigger = await startTrigger();
		const response = await fetch(trigger.url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', [API_KEY.header]: API_KEY.value },
			body: JSON.stringify({ hello: 'world' }),
		});
		expect(response.status).toBe(400);
		expect(trigger.runs).toEqual([]);
	});

	it('starts a repeated delivery once and answers the repeat 200', async () => {
		trigger = await startTrigger();
		const same = { id: 'b0e5a3c4-4a35-4b9b-9b0f-6a1d2e3f4a5b', detail: { requestId: '5d7c0c2e-8f0e-4e47-a0a5-2f2d4b6a9c11' } };
		const first = await deliver('License Updated - Manufacturer', same);
		const repeat = await deliver('License Updated - Manufacturer', same);
		expect(first.body).toEqual({ message: 'Workflow was started' });
		expect(repeat).toMatchObject({ status: 200, body: { message: 'Repeated delivery: ignored', requestId: same.detail.requestId } });
		// A repeat keeps the requestId even if EventBridge gave it another envelope id.
		const again = await deliver('License Updated - Manufacturer', { ...same, id: 'another-envelope-id' });
		expect(again.body.message).toBe('Repeated delivery: ignored');
		// Another event type that happens to share the requestId is not a repeat.
		await deliver('License Deprovisioned - Manufacturer', same);
		expect(trigger.runs.map(([item]) => item.event)).toEqual(['licenseUpdated', 'licenseDeprovisioned']);
	});

	it('passes events on in the order they arrive, each saying what it is', async () => {
		trigger = await startTrigger();
		// The license is deprovisioned before its update arrives, and the agreement ends before it is created.
		await deliver('License Deprovisioned - Manufacturer');
		await deliver('License Updated - Manufacturer');
		await deliver('Purchase Agreement Ended - Proposer');
		await deliver('Purchase Agreement Created - Proposer');
		expect(trigger.runs.map(([item]) => [item.event, item.agreementId, item.isCancellation])).toEqual([
			['licenseDeprovisioned', 'agmt-4mwg1nevbokzw95eca5797ixs', false],
			['licenseUpdated', 'agmt-4mwg1nevbokzw95eca5797ixs', false],
			['agreementEnded', 'agmt-4mwg1nevbokzw95eca5797ixs', true],
			['agreementCreated', 'agmt-4mwg1nevbokzw95eca5797ixs', false],
		]);
	});
});
