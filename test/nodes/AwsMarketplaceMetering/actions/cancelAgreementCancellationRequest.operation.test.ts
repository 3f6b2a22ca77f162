import { BUYER, CANCELLATION_REQUESTS_OPTIONS, sent, useAgreementRuns } from '../../../helpers/agreements';

// The seller withdraws its own request while the buyer has not answered it.
describe('Cancel Agreement Cancellation Request', () => {
	const { emulator, run } = useAgreementRuns('agreementCancellationRequest', CANCELLATION_REQUESTS_OPTIONS);
	const send = () => run('sendAgreementCancellationRequest', { agreementId: 'agmt-trial', confirmCancellationRequest: true, reasonCode: 'REPLACING_AGREEMENT' });

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
});
