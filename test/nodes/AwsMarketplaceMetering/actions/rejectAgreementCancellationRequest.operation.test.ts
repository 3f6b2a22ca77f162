import { BUYER, PENDING_CANCELLATION_EVENT, sent, useAgreementRuns } from '../../../helpers/agreements';

// The buyer's answer to a seller's request: rejecting keeps the agreement.
describe('Reject Agreement Cancellation Request', () => {
	const { emulator, run } = useAgreementRuns('agreementCancellationRequest');

	it('rejects as the buyer with a reason, which the request keeps', async () => {
		const { outputs, error } = await run('rejectAgreementCancellationRequest', { rejectionReason: 'We still use it' }, { items: [PENDING_CANCELLATION_EVENT], as: BUYER });
		expect(error).toBeUndefined();
		expect(outputs[0][0].json).toMatchObject({ status: 'REJECTED', statusMessage: 'We still use it' });
		expect(sent(emulator(), 'RejectAgreementCancellationRequest')).toEqual([{ agreementId: 'agmt-contract', agreementCancellationRequestId: 'acr-pending', rejectionReason: 'We still use it' }]);
		const tooLong = await run('rejectAgreementCancellationRequest', { rejectionReason: 'x'.repeat(2001) }, { items: [PENDING_CANCELLATION_EVENT], as: BUYER });
		expect(tooLong.error?.message).toMatch(/^Rejection Reason "x+…?" is 2001 characters long: it must be 1 to 2000 characters/);
	});
});
