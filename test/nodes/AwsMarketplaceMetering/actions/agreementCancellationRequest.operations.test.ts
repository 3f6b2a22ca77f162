import { AGREEMENT_OPTIONS, BUYER, runAgreement, sent } from '../../../helpers/agreements';
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
