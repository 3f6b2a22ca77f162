import { AGREEMENT_OPTIONS, BUYER, LICENSE, OTHERS, runAgreement, sent } from '../../../helpers/agreements';
import { useEmulator } from '../../../helpers/emulator';

const PROPOSER = [
	{ name: 'PartyType', values: ['Proposer'] },
	{ name: 'AgreementType', values: ['PurchaseAgreement'] },
];

describe('Search Agreements', () => {
	const emulator = useEmulator(AGREEMENT_OPTIONS);
	beforeEach(() => emulator().reset());
	const search = (parameters: Record<string, unknown>, run: Parameters<typeof runAgreement>[4] = {}) =>
		runAgreement(emulator(), 'agreement', 'searchAgreements', parameters as never, run);
	const requests = () => sent(emulator(), 'SearchAgreements');

	it('reads every page with Return All, one item per agreement, as the seller by default', async () => {
		const { outputs, error } = await search({ returnAll: true });
		expect(error).toBeUndefined();
		expect(outputs[0]).toHaveLength(60);
		expect(requests()).toEqual([
			{ filters: PROPOSER, maxResults: 50 },
			{ filters: PROPOSER, maxResults: 50, nextToken: expect.any(String) },
		]);
		const contract = outputs[0].find((item) => item.json.agreementId === 'agmt-contract')!;
		expect(contract.json).toMatchObject({
			status: 'ACTIVE',
			customerAWSAccountId: '444455556666',
			productId: 'prod-saas1',
			offerId: 'offer-contract',
			lastUpdateTime: '2026-01-21T00:00:00.000Z',
			licenseArns: [LICENSE],
			raw: expect.objectContaining({ entitlements: [{ licenseArn: LICENSE }] }),
		});
		expect(Object.keys(contract.json).at(-1)).toBe('raw');
	});

	it('stops at Limit, asking for no more than that', async () => {
		const { outputs } = await search({ limit: 7 });
		expect(outputs[0]).toHaveLength(7);
		expect(requests()).toEqual([{ filters: PROPOSER, maxResults: 7 }]);
		const second = await search({ limit: 60 });
		expect(second.outputs[0]).toHaveLength(60);
		expect(requests().slice(1).map((request) => request.maxResults)).toEqual([50, 50]);
	});

	it('sends the filters AWS takes, times in whole seconds, the date picker’s in the workflow’s time zone', async () => {
		const { outputs } = await search({
			returnAll: true,
			agreementFilters: {
				status: 'ACTIVE',
				resourceIdentifier: 'prod-ami1',
				afterEndTime: '2026-04-15T12:00:00.250Z',
				// n8n's date picker: no zone, meant in the workflow's (America/New_York by default).
				beforeEndTime: '2026-05-20T00:00:00',
			},
			options: { sortBy: 'EndTime', sortOrder: 'DESCENDING' },
		});
		expect(requests()[0]).toEqual({
			filters: [
				...PROPOSER,
				{ name: 'ResourceIdentifier', values: ['prod-ami1'] },
				{ name: 'Status', values: ['ACTIVE'] },
				{ name: 'AfterEndTime', values: ['2026-04-15T12:00:00Z'] },
				{ name: 'BeforeEndTime', values: ['2026-05-20T04:00:00Z'] },
			],
			sort: { sortBy: 'EndTime', sortOrder: 'DESCENDING' },
			maxResults: 50,
		});
		const expected = OTHERS.filter(
			(agreement) => agreement.status === 'ACTIVE' && agreement.productId === 'prod-ami1' && agreement.endTime! > '2026-04-15T12:00:00Z' && agreement.endTime! < '2026-05-20T04:00:00Z',
		)
			.map((agreement) => agreement.agreementId)
			.reverse();
		expect(outputs[0].map((item) => item.json.agreementId)).toEqual(expected);
		expect(expected.length).toBeGreaterThan(1);
	});

	it('searches the buyer’s agreements as acceptor, per input item', async () => {
		const { outputs } = await search({ partyType: '={{ $json.party }}', returnAll: true }, { as: BUYER, items: [{ party: 'Acceptor' }, { party: 'Proposer' }] });
		expect(outputs[0].map((item) => [item.json.agreementId, item.pairedItem])).toEqual([
			['agmt-contract', { item: 0 }],
			['agmt-trial', { item: 0 }],
		]);
	});

	it('outputs nothing for no match, and the reason AWS refuses a combination of filters', async () => {
		const none = await search({ agreementFilters: { acceptorAccountId: '999999999999' } });
		expect([none.error, none.outputs]).toEqual([undefined, [[]]]);
		const refused = await search({ partyType: 'Acceptor', agreementFilters: { acceptorAccountId: '444455556666' } }, { as: BUYER });
		expect(refused.error?.message).toBe('AWS Marketplace did not accept the request');
		expect(refused.error?.description).toMatch(/^AWS names the field and the rule below\. AWS said: An acceptor cannot combine the filters .* \(UNSUPPORTED_FILTERS\)$/);
	});

	it('checks the filters before sending', async () => {
		const first = await search({ agreementFilters: { acceptorAccountId: '4444-5555-6666' } });
		expect(first.error?.message).toMatch(/^Filters: AcceptorAccountId "4444-5555-6666" has characters AWS does not accept: it must be 12 digits/);
		const second = await search({ agreementFilters: { offerId: 'offer.1' } });
		expect(second.error?.message).toMatch(/^Filters: OfferId "offer\.1" has characters AWS does not accept/);
		const third = await search({ agreementFilters: { afterStartTime: 'next week' } });
		expect(third.error?.message).toMatch(/^Filters: AfterStartTime "next week" is not a date/);
		const fourth = await search({ agreementType: 'Purchase Agreement' });
		expect(fourth.error?.message).toMatch(/^Agreement Type "Purchase Agreement" has characters AWS does not accept/);
		expect(requests()).toEqual([]);
	});
});
