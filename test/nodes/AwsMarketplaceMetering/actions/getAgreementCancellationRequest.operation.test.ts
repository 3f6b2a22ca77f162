import { PENDING_CANCELLATION_EVENT, sent, useAgreementRuns } from '../../../helpers/agreements';

// The seller follows a cancellation request, named as the trigger's events or Get's own output name it.
describe('Get Agreement Cancellation Request', () => {
	const { emulator, run } = useAgreementRuns('agreementCancellationRequest');

	it('reads the request a trigger’s event names, by default', async () => {
		const { outputs, error } = await run('getAgreementCancellationRequest', {}, { items: [PENDING_CANCELLATION_EVENT] });
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
		const malformed = await run('getAgreementCancellationRequest', { agreementCancellationRequestId: 'req-1' }, { items: [PENDING_CANCELLATION_EVENT] });
		expect(malformed.error?.message).toBe('Cancellation Request ID "req-1" is not an agreement cancellation request ID: it must be 1 to 64 characters of acr- and letters or digits');
	});
});
