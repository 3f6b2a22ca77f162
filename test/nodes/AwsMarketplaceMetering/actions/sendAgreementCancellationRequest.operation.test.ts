import { type AgreementRun, BUYER, CANCELLATION_REQUESTS_OPTIONS, sent, useAgreementRuns } from '../../../helpers/agreements';

// The seller's side, as AWS's API reference assigns it; Accept and Reject stay the buyer's.
describe('Send Agreement Cancellation Request', () => {
	const { emulator, run } = useAgreementRuns('agreementCancellationRequest', CANCELLATION_REQUESTS_OPTIONS);
	const send = (parameters: Record<string, unknown> = {}, options: AgreementRun = {}) =>
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
});
