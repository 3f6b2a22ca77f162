import { BUYER, PENDING_CANCELLATION_EVENT, runAgreement, useAgreementRuns } from '../../../helpers/agreements';

// The buyer's answer to a seller's request: accepting cancels the agreement.
describe('Accept Agreement Cancellation Request', () => {
	const { emulator, run } = useAgreementRuns('agreementCancellationRequest');

	it('refuses to accept without the confirmation, sending nothing', async () => {
		const { error } = await run('acceptAgreementCancellationRequest', {}, { items: [PENDING_CANCELLATION_EVENT], as: BUYER });
		expect(error?.message).toBe('Confirm Agreement Cancellation is off: nothing was sent');
		expect(error?.description).toBe(
			'Accepting a cancellation request cancels the agreement: the buyer’s subscription ends, and no one can undo it. Turn on Confirm Agreement Cancellation to do so.',
		);
		expect(emulator().log).toEqual([]);
	});

	it('accepts as the buyer once confirmed: the request APPROVED, the agreement CANCELLED', async () => {
		const { outputs, error } = await run('acceptAgreementCancellationRequest', { confirmCancellation: true }, { items: [PENDING_CANCELLATION_EVENT], as: BUYER });
		expect(error).toBeUndefined();
		expect(outputs[0][0].json).toMatchObject({ agreementCancellationRequestId: 'acr-pending', agreementId: 'agmt-contract', status: 'APPROVED', reasonCode: 'INCORRECT_TERMS_ACCEPTED' });
		const described = await runAgreement(emulator(), 'agreement', 'describeAgreement', { agreementId: 'agmt-contract' });
		expect(described.outputs[0][0].json.status).toBe('CANCELLED');

		const again = await run('acceptAgreementCancellationRequest', { confirmCancellation: true }, { items: [PENDING_CANCELLATION_EVENT], as: BUYER });
		expect(again.error?.message).toBe('The request is not in a state that allows this');
		expect(again.error?.description).toMatch(/only while it is PENDING_APPROVAL.*AWS said: The cancellation request acr-pending is APPROVED/);
	});

	it('tells a seller that accepting is the buyer’s', async () => {
		const { error } = await run('acceptAgreementCancellationRequest', { confirmCancellation: true }, { items: [PENDING_CANCELLATION_EVENT] });
		expect(error?.message).toBe('This account is not the party of the agreement that may do this');
		expect(error?.description).toMatch(/^AWS leaves some operations to one party of an agreement: Accept and Reject Agreement Cancellation Request/);
	});
});
