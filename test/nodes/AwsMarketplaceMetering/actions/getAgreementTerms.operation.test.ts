import type { EmulatorAgreement } from '../../../../emulator';
import { AGREEMENT_OPTIONS, BUYER, TRIAL, runAgreement, sent } from '../../../helpers/agreements';
import { useEmulator } from '../../../helpers/emulator';

// 60 legal terms, then a free trial: the trial is on the second page.
const LONG: EmulatorAgreement = {
	...TRIAL,
	agreementId: 'agmt-long',
	terms: [
		...Array.from({ length: 60 }, (_, n) => ({ legalTerm: { type: 'LegalTerm', id: `term-legal-${n}`, documents: [{ type: 'CustomEula', url: `https://example.com/eula/${n}` }] } })),
		{ freeTrialPricingTerm: { type: 'FreeTrialPricingTerm', id: 'term-trial', duration: 'P7D', grants: [{ dimensionKey: 'users', maxQuantity: 2 }] } },
	],
};

describe('Get Agreement Terms', () => {
	const emulator = useEmulator({ ...AGREEMENT_OPTIONS, agreements: [...AGREEMENT_OPTIONS.agreements!, LONG] });
	beforeEach(() => emulator().reset());
	const terms = (agreementId: string, as = {}) => runAgreement(emulator(), 'agreement', 'getAgreementTerms', { agreementId }, as);

	it('says whether there is a free trial, which dimensions at which rates, and keeps AWS’s terms', async () => {
		const { outputs, error } = await terms('agmt-trial');
		expect(error).toBeUndefined();
		expect(outputs[0].map((item) => item.json)).toEqual([
			{
				agreementId: 'agmt-trial',
				isFreeTrialTermPresent: true,
				freeTrial: { duration: 'P30D', grants: [{ dimension: 'users', maxQuantity: 5 }, { dimension: 'requests', maxQuantity: null }] },
				termTypes: ['FreeTrialPricingTerm', 'UsageBasedPricingTerm'],
				dimensions: ['requests', 'users'],
				rates: [
					{ dimension: 'requests', price: '0.002', currencyCode: 'USD', term: 'UsageBasedPricingTerm' },
					{ dimension: 'users', price: '4.00', currencyCode: 'USD', term: 'UsageBasedPricingTerm' },
				],
				purchased: [],
				validity: null,
				autoRenew: null,
				terms: TRIAL.terms,
			},
		]);
	});

	it('says what a contract buyer bought, for how long, at which rates, and whether it renews', async () => {
		const { outputs } = await terms('agmt-contract');
		expect(outputs[0][0].json).toMatchObject({
			isFreeTrialTermPresent: false,
			freeTrial: null,
			termTypes: ['LegalTerm', 'ConfigurableUpfrontPricingTerm', 'UsageBasedPricingTerm', 'ValidityTerm', 'RenewalTerm'],
			dimensions: ['requests', 'users'],
			rates: [
				{ dimension: 'users', price: '100.00', currencyCode: 'USD', term: 'ConfigurableUpfrontPricingTerm', selector: 'P12M' },
				{ dimension: 'users', price: '180.00', currencyCode: 'USD', term: 'ConfigurableUpfrontPricingTerm', selector: 'P24M' },
				{ dimension: 'requests', price: '0.0015', currencyCode: 'USD', term: 'UsageBasedPricingTerm' },
			],
			purchased: [{ dimension: 'users', quantity: 25, term: 'ConfigurableUpfrontPricingTerm', selector: 'P12M' }],
			validity: { agreementDuration: 'P12M', agreementStartDate: '2026-01-01T00:00:00.000Z', agreementEndDate: '2027-01-01T00:00:00.000Z' },
			autoRenew: true,
		});
		expect((outputs[0][0].json.terms as object[])[3]).toEqual({
			validityTerm: { type: 'ValidityTerm', id: 'term-validity', agreementDuration: 'P12M', agreementStartDate: '2026-01-01T00:00:00.000Z', agreementEndDate: '2027-01-01T00:00:00.000Z' },
		});
	});

	it('reads every page of the terms, 50 at a time', async () => {
		const { outputs } = await terms('agmt-long');
		expect(outputs[0][0].json).toMatchObject({ isFreeTrialTermPresent: true, freeTrial: { duration: 'P7D' } });
		expect(outputs[0][0].json.terms).toHaveLength(61);
		expect(sent(emulator(), 'GetAgreementTerms')).toEqual([
			{ agreementId: 'agmt-long', maxResults: 50 },
			{ agreementId: 'agmt-long', maxResults: 50, nextToken: expect.any(String) },
		]);
	});

	it('reads the terms as the buyer too', async () => {
		const { outputs } = await terms('agmt-trial', { as: BUYER });
		expect(outputs[0][0].json.isFreeTrialTermPresent).toBe(true);
	});

	it('routes an agreement of another account to the error output with advice', async () => {
		const { outputs } = await runAgreement(emulator(), 'agreement', 'getAgreementTerms', { agreementId: '={{ $json.id }}' }, {
			items: [{ id: 'agmt-other000' }, { id: 'agmt-elsewhere' }],
			onError: 'continueErrorOutput',
		});
		expect(outputs[0].map((item) => item.json.termTypes)).toEqual([[]]);
		expect(outputs[1][0].json).toMatchObject({ error: 'AWS Marketplace has no such agreement or request for this account [item 1]', details: expect.stringContaining('seller (proposer) or buyer (acceptor)') });
	});
});
