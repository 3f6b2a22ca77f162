import { AGREEMENT_OPTIONS, BUYER, PENDING_CANCELLATION_EVENT, runAgreement, sent } from '../../../helpers/agreements';
import { useEmulator } from '../../../helpers/emulator';

// The buyer's answer to a seller's request: rejecting keeps the agreement.
describe('Reject Agreement Cancellation Request', () => {
	const emulator = useEmulator(AGREEMENT_OPTIONS);
	beforeEach(() => emulator().reset());
	const run = (operation: string, parameters: Record<string, unknown>, options: Parameters<typeof runAgreement>[4] = {}) =>
		runAgreement(emulator(), 'agreementCancellationRequest', operation, parameters as never, options);

	it('rejects as the buyer with a reason, which the request keeps', async () => {
		const { outputs, error } = await run('rejectAgreementCancellationRequest', { rejectionReason: 'We still use it' }, { items: [PENDING_CANCELLATION_EVENT], as: BUYER });
		expect(error).toBeUndefined();
		expect(outputs[0][0].json).toMatchObject({ status: 'REJECTED', statusMessage: 'We still use it' });
		expect(sent(emulator(), 'RejectAgreementCancellationRequest')).toEqual([{ agreementId: 'agmt-contract', agreementCancellationRequestId: 'acr-pending', rejectionReason: 'We still use it' }]);
		const tooLong = await run('rejectAgreementCancellationRequest', { rejectionReason: 'x'.repeat(2001) }, { items: [PENDING_CANCELLATION_EVENT], as: BUYER });
		expect(tooLong.error?.message).toMatch(/^Rejection Reason "x+…?" is 2001 characters long: it must be 1 to 2000 characters/);
	});
});
