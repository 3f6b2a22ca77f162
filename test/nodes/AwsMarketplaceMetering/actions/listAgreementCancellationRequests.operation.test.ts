import { BUYER, CANCELLATION_REQUESTS_OPTIONS, OTHERS, sent, useAgreementRuns } from '../../../helpers/agreements';

describe('List Agreement Cancellation Requests', () => {
	const { emulator, run } = useAgreementRuns('agreementCancellationRequest', CANCELLATION_REQUESTS_OPTIONS);

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
