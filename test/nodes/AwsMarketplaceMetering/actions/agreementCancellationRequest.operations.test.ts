import { AGREEMENT_OPTIONS, BUYER, CONTRACT, OTHERS, runAgreement, sent, TRIAL } from '../../../helpers/agreements';
import { useEmulator } from '../../../helpers/emulator';

// Get, Accept and Reject Agreement Cancellation Request: the seller follows its request, the buyer answers it.
describe('Agreement Cancellation Request', () => {
	const emulator = useEmulator(AGREEMENT_OPTIONS);
	beforeEach(() => emulator().reset());
	const run = (operation: string, parameters: Record<string, unknown>, options: Parameters<typeof runAgreement>[4] = {}) =>
		runAgreement(emulator(), 'agreementCancellationRequest', operation, parameters as never, options);
	// As the AWS Marketplace Trigger outputs an Agreement Cancellation Request Pending Approval event.
	const pendingEvent = { event: 'agreementCancellationRequestPendingApproval', agreementId: 'agmt-contract', cancellationRequest: { id: 'acr-pending', statusCode: 'PENDING_APPROVAL' } };

	it('reads the request a trigger’s event names, by default', async () => {
		const { outputs, error } = await run('getAgreementCancellationRequest', {}, { items: [pendingEvent] });
		expect(error).toBeUndefined();
		expect(outputs[0].map((item) => item.json)).toEqual([
			{
				agreementCancellationRequestId: 'acr-pending',
				agreementId: 'agmt-contract',
				reasonCode: 'INCORRECT_TERMS_ACCEPTED',
				description: 'Wrong rate',
				status: 'PENDING_APPROVAL',
				createdAt: '2026-03-12T00:00:00.000Z',
				updatedAt: '2026-03-12T00:00:00.000Z',
			},
		]);
		expect(sent(emulator(), 'GetAgreementCancellationRequest')).toEqual([{ agreementId: 'agmt-contract', agreementCancellationRequestId: 'acr-pending' }]);
	});

	it('takes the request ID from Get’s own output too, and says what to check for an unknown one', async () => {
		const { outputs } = await run('getAgreementCancellationRequest', {}, {
			items: [{ agreementId: 'agmt-contract', agreementCancellationRequestId: 'acr-rejected' }, { agreementId: 'agmt-contract', agreementCancellationRequestId: 'acr-gone' }],
			onError: 'continueErrorOutput',
		});
		expect(outputs[0].map((item) => item.json.status)).toEqual(['REJECTED']);
		expect(outputs[1][0].json.error).toBe('AWS Marketplace has no such agreement or request for this account [item 1]');
		const malformed = await run('getAgreementCancellationRequest', { agreementCancellationRequestId: 'req-1' }, { items: [pendingEvent] });
		expect(malformed.error?.message).toBe('Cancellation Request ID "req-1" is not an agreement cancellation request ID: it must be 1 to 64 characters of acr- and letters or digits');
	});

	it('refuses to accept without the confirmation, sending nothing', async () => {
		const { error } = await run('acceptAgreementCancellationRequest', {}, { items: [pendingEvent], as: BUYER });
		expect(error?.message).toBe('Confirm Agreement Cancellation is off: nothing was sent');
		expect(error?.description).toBe(
			'Accepting a cancellation request cancels the agreement: the buyer’s subscription ends, and no one can undo it. Turn on Confirm Agreement Cancellation to do so.',
		);
		expect(emulator().log).toEqual([]);
	});

	it('accepts as the buyer once confirmed: the request APPROVED, the agreement CANCELLED', async () => {
		const { outputs, error } = await run('acceptAgreementCancellationRequest', { confirmCancellation: true }, { items: [pendingEvent], as: BUYER });
		expect(error).toBeUndefined();
		expect(outputs[0][0].json).toMatchObject({ agreementCancellationRequestId: 'acr-pending', agreementId: 'agmt-contract', status: 'APPROVED', reasonCode: 'INCORRECT_TERMS_ACCEPTED' });
		const described = await runAgreement(emulator(), 'agreement', 'describeAgreement', { agreementId: 'agmt-contract' });
		expect(described.outputs[0][0].json.status).toBe('CANCELLED');

		const again = await run('acceptAgreementCancellationRequest', { confirmCancellation: true }, { items: [pendingEvent], as: BUYER });
		expect(again.error?.message).toBe('The request is not in a state that allows this');
		expect(again.error?.description).toMatch(/only while it is PENDING_APPROVAL.*AWS said: The cancellation request acr-pending is APPROVED/);
	});

	it('tells a seller that accepting is the buyer’s', async () => {
		const { error } = await run('acceptAgreementCancellationRequest', { confirmCancellation: true }, { items: [pendingEvent] });
		expect(error?.message).toBe('This account is not the party of the agreement that may do this');
		expect(error?.description).toMatch(/^AWS leaves some operations to one party of an agreement: Accept and Reject Agreement Cancellation Request/);
	});

	it('rejects as the buyer with a reason, which the request keeps', async () => {
		const { outputs, error } = await run('rejectAgreementCancellationRequest', { rejectionReason: 'We still use it' }, { items: [pendingEvent], as: BUYER });
		expect(error).toBeUndefined();
		expect(outputs[0][0].json).toMatchObject({ status: 'REJECTED', statusMessage: 'We still use it' });
		expect(sent(emulator(), 'RejectAgreementCancellationRequest')).toEqual([{ agreementId: 'agmt-contract', agreementCancellationRequestId: 'acr-pending', rejectionReason: 'We still use it' }]);
		const tooLong = await run('rejectAgreementCancellationRequest', { rejectionReason: 'x'.repeat(2001) }, { items: [pendingEvent], as: BUYER });
		expect(tooLong.error?.message).toMatch(/^Rejection Reason "x+…?" is 2001 characters long: it must be 1 to 2000 characters/);
	});
});

// Send, Cancel and List: the seller's side, as AWS's API reference assigns it; Accept and Reject stay the buyer's.
describe('Agreement Cancellation Request, the seller’s operations', () => {
	// Each of the 58 other agreements has a request the seller sent: 59 with the contract's pending one, two pages.
	const others = OTHERS.map((agreement, n) => ({
		...agreement,
		cancellationRequests: [{ agreementCancellationRequestId: `acr-other${n}`, reasonCode: 'TEST_AGREEMENT', status: n % 2 ? 'APPROVED' : 'REJECTED', createdAt: agreement.startTime }],
	}));
	const emulator = useEmulator({ ...AGREEMENT_OPTIONS, agreements: [{ ...CONTRACT, cancellationRequests: [] }, TRIAL, ...others] });
	beforeEach(() => emulator().reset());
	const run = (operation: string, parameters: Record<string, unknown>, options: Parameters<typeof runAgreement>[4] = {}) =>
		runAgreement(emulator(), 'agreementCancellationRequest', operation, parameters as never, options);
	const send = (parameters: Record<string, unknown> = {}, options: Parameters<typeof runAgreement>[4] = {}) =>
		run('sendAgreementCancellationRequest', { agreementId: 'agmt-trial', confirmCancellationRequest: true, reasonCode: 'REPLACING_AGREEMENT', ...parameters }, options);

	it('refuses to send without the confirmation, sending nothing', async () => {
		const { error } = await run('sendAgreementCancellationRequest', { agreementId: 'agmt-trial' });
		expect(error?.message).toBe('Confirm Cancellation Request is off: nothing was sent');
		expect(error?.description).toMatch(/^Asks the buyer of each agreement to cancel it: .* 7 days .* Turn on Confirm Cancellation Request to do so\.$/);
		expect(emulator().log).toEqual([]);
	});

	it('sends the seller’s request, pending the buyer’s approval; the same request again answers the first', async () => {
		const { outputs, error } = await send({ options: { description: 'Moving you to the private offer' } });
		expect(error).toBeUndefined();
		const created = outputs[0][0].json;
		expect(created).toEqual({
			agreementId: 'agmt-trial',
			agreementCancellationRequestId: expect.stringMatching(/^acr-[a-z0-9]+$/),
			status: 'PENDING_APPROVAL',
			reasonCode: 'REPLACING_AGREEMENT',
			description: 'Moving you to the private offer',
			createdAt: expect.any(String),
			updatedAt: expect.any(String),
		});
		// A retried execution: the derived client token answers the request already made, not a conflict.
		const again = await send({ options: { description: 'Moving you to the private offer' } });
		expect(again.outputs[0][0].json.agreementCancellationRequestId).toBe(created.agreementCancellationRequestId);
		const [first, second] = sent(emulator(), 'SendAgreementCancellationRequest');
		expect(first.clientToken).toMatch(/^[0-9a-f]{64}$/);
		expect(second.clientToken).toBe(first.clientToken);

		// Another request while one is pending: AWS's conflict, with what to do.
		const other = await send({ reasonCode: 'OTHER' });
		expect(other.error?.message).toBe('The request is not in a state that allows this');
		expect(other.error?.description).toMatch(/AWS said: Agreement agmt-trial already has the cancellation request acr-\w+ pending approval/);

		// The buyer sees it and answers it.
		const received = await run('listAgreementCancellationRequests', { partyType: 'Acceptor', returnAll: true }, { as: BUYER });
		expect(received.outputs[0].map((item) => item.json.agreementCancellationRequestId)).toEqual([created.agreementCancellationRequestId]);
		const accepted = await run('acceptAgreementCancellationRequest', { confirmCancellation: true, agreementId: 'agmt-trial', agreementCancellationRequestId: created.agreementCancellationRequestId }, { as: BUYER });
		expect(accepted.outputs[0][0].json.status).toBe('APPROVED');
	});

	it('checks the options before sending, and tells a buyer that sending is the seller’s', async () => {
		const token = await send({ options: { clientToken: 'not a token!' } });
		expect(token.error?.message).toBe('Client Token "not a token!" has characters AWS does not accept: it must be 1 to 64 characters of a-z A-Z 0-9 -');
		expect(emulator().log).toEqual([]);
		const asBuyer = await send({}, { as: BUYER });
		expect(asBuyer.error?.message).toBe('This account is not the party of the agreement that may do this');
		expect(asBuyer.error?.description).toMatch(/Send and Cancel Agreement Cancellation Request, List Agreement Invoice Line Items and the billing adjustment requests to the seller \(proposer\)/);
	});

	it('withdraws a pending request with a reason; a second withdrawal is a conflict', async () => {
		const created = (await send()).outputs[0][0].json;
		const parameters = { agreementId: 'agmt-trial', agreementCancellationRequestId: created.agreementCancellationRequestId, cancellationReason: 'Agreed to stay' };
		const { outputs, error } = await run('cancelAgreementCancellationRequest', parameters);
		expect(error).toBeUndefined();
		expect(outputs[0][0].json).toMatchObject({ status: 'CANCELLED', statusMessage: 'Agreed to stay', reasonCode: 'REPLACING_AGREEMENT' });
		expect(sent(emulator(), 'CancelAgreementCancellationRequest')).toEqual([parameters]);
		const again = await run('cancelAgreementCancellationRequest', parameters);
		expect(again.error?.description).toMatch(/^A cancellation request can be withdrawn, accepted or rejected only while it is PENDING_APPROVAL/);
		const empty = await run('cancelAgreementCancellationRequest', { ...parameters, cancellationReason: ' ' });
		expect(empty.error?.message).toMatch(/^Cancellation Reason is missing: it must be 1 to 2000 characters/);
		const asBuyer = await run('cancelAgreementCancellationRequest', parameters, { as: BUYER });
		expect(asBuyer.error?.message).toBe('This account is not the party of the agreement that may do this');
	});

	it('lists every page of the seller’s requests, or up to the limit, with the filters', async () => {
		const all = await run('listAgreementCancellationRequests', { returnAll: true });
		expect(all.error).toBeUndefined();
		expect(all.outputs[0]).toHaveLength(58);
		expect(all.outputs[0][0].json).toEqual({
			agreementCancellationRequestId: 'acr-other0',
			agreementId: 'agmt-other000',
			status: 'REJECTED',
			reasonCode: 'TEST_AGREEMENT',
			agreementType: 'PurchaseAgreement',
			catalog: 'AWSMarketplace',
			createdAt: OTHERS[0].startTime,
			updatedAt: expect.any(String),
		});
		expect(sent(emulator(), 'ListAgreementCancellationRequests').map((request) => [request.partyType, request.maxResults, request.nextToken === undefined])).toEqual([
			['Proposer', 50, true],
			['Proposer', 50, false],
		]);

		const limited = await run('listAgreementCancellationRequests', { limit: 3 });
		expect(limited.outputs[0].map((item) => item.json.agreementCancellationRequestId)).toEqual(['acr-other0', 'acr-other1', 'acr-other2']);
		expect(sent(emulator(), 'ListAgreementCancellationRequests').at(-1)).toEqual({ partyType: 'Proposer', maxResults: 3 });

		const filtered = await run('listAgreementCancellationRequests', { returnAll: true, cancellationRequestFilters: { status: 'APPROVED', agreementId: 'agmt-other001', agreementType: 'PurchaseAgreement' } });
		expect(filtered.outputs[0].map((item) => item.json.agreementCancellationRequestId)).toEqual(['acr-other1']);
		expect(sent(emulator(), 'ListAgreementCancellationRequests').at(-1)).toEqual({
			partyType: 'Proposer',
			agreementId: 'agmt-other001',
			status: 'APPROVED',
			agreementType: 'PurchaseAgreement',
			maxResults: 50,
		});
		// The buyer of the contract and the trial received none of these.
		const buyer = await run('listAgreementCancellationRequests', { partyType: 'Acceptor', returnAll: true }, { as: BUYER });
		expect(buyer.outputs[0]).toEqual([]);
		const bad = await run('listAgreementCancellationRequests', { cancellationRequestFilters: { agreementId: 'agmt 1' } });
		expect(bad.error?.message).toMatch(/^Filters: Agreement ID "agmt 1" has characters AWS does not accept/);
	});
});
