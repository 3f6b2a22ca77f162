import { AGREEMENT_OPTIONS, BUYER, runAgreement, sent } from '../../../helpers/agreements';
import { useEmulator } from '../../../helpers/emulator';

describe('List Agreement Charges', () => {
	const emulator = useEmulator(AGREEMENT_OPTIONS);
	beforeEach(() => emulator().reset());
	const list = (parameters: Record<string, unknown>, run: Parameters<typeof runAgreement>[4] = {}) =>
		runAgreement(emulator(), 'agreement', 'listAgreementCharges', parameters as never, run);

	it('lists what the buyer is charged, as AWS answers it', async () => {
		const { outputs, error } = await list({ returnAll: true, chargeFilters: { agreementId: 'agmt-contract', agreementType: 'PurchaseAgreement' } }, { as: BUYER });
		expect(error).toBeUndefined();
		expect(outputs[0].map((item) => item.json)).toEqual([
			{ id: 'ch-upfront', revision: 1, agreementId: 'agmt-contract', agreementType: 'PurchaseAgreement', purchaseOrderReference: 'PO-1', currencyCode: 'USD', amount: '2500.00', time: '2026-01-01T00:00:00.000Z' },
			{ id: 'ch-overage', revision: 2, agreementId: 'agmt-contract', agreementType: 'PurchaseAgreement', currencyCode: 'USD', amount: '12.30' },
		]);
		expect(sent(emulator(), 'ListAgreementCharges')).toEqual([{ agreementId: 'agmt-contract', agreementType: 'PurchaseAgreement', maxResults: 50 }]);
	});

	it('finds none for the seller, as AWS lists the buyer’s charges', async () => {
		const { outputs, error } = await list({ limit: 1 });
		expect([error, outputs]).toEqual([undefined, [[]]]);
		expect(sent(emulator(), 'ListAgreementCharges')).toEqual([{ maxResults: 1 }]);
	});

	it('checks the filters before sending', async () => {
		const { error } = await list({ chargeFilters: { agreementId: 'agmt 1' } }, { as: BUYER });
		expect(error?.message).toMatch(/^Filters: Agreement ID "agmt 1" has characters AWS does not accept/);
		expect(emulator().log).toEqual([]);
	});
});
