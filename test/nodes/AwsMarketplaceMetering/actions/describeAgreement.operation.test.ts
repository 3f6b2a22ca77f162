import { AGREEMENT_OPTIONS, DENIED, runAgreement, sent } from '../../../helpers/agreements';
import { useEmulator } from '../../../helpers/emulator';

describe('Describe Agreement', () => {
	const emulator = useEmulator(AGREEMENT_OPTIONS);
	beforeEach(() => emulator().reset());
	const describeAgreement = (agreementId: string, run: Parameters<typeof runAgreement>[4] = {}) => runAgreement(emulator(), 'agreement', 'describeAgreement', { agreementId }, run);

	it('describes the agreement of each input item, named as the trigger names it, AWS’s answer as raw, in us-east-1', async () => {
		const { outputs, error } = await describeAgreement('={{ $json.agreementId }}', { items: [{ agreementId: 'agmt-contract' }, { agreementId: ' agmt-trial ' }] });
		expect(error).toBeUndefined();
		expect(outputs[0].map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(outputs[0][0].json).toEqual({
			agreementId: 'agmt-contract',
			status: 'ACTIVE',
			agreementType: 'PurchaseAgreement',
			customerAWSAccountId: '444455556666',
			proposerAccountId: '123456789012',
			productId: 'prod-saas1',
			productType: 'SaaSProduct',
			offerId: 'offer-contract',
			acceptanceTime: '2026-01-01T00:00:00.000Z',
			startTime: '2026-01-01T00:00:00.000Z',
			endTime: '2027-01-01T00:00:00.000Z',
			initialAgreementId: 'agmt-contract',
			estimatedCharges: { currencyCode: 'USD', agreementValue: '2500.00' },
			raw: expect.objectContaining({ agreementId: 'agmt-contract', acceptor: { accountId: '444455556666' }, startTime: '2026-01-01T00:00:00.000Z' }),
		});
		// Pay as you go: no end.
		expect(outputs[0][1].json).toMatchObject({ agreementId: 'agmt-trial', endTime: null, estimatedCharges: null });
		expect(sent(emulator(), 'DescribeAgreement')).toEqual([{ agreementId: 'agmt-contract' }, { agreementId: 'agmt-trial' }]);
	});

	it('says what to check for an agreement AWS does not find, or routes the item to the error output', async () => {
		const stopped = await describeAgreement('agmt-unknown');
		expect(stopped.error?.message).toBe('AWS Marketplace has no such agreement or request for this account');
		expect(stopped.error?.description).toMatch(/^Check the ID \(agreements agmt-…,.*AWS said: Agreement agmt-unknown not found\.$/);

		const [ok, failed] = (await describeAgreement('={{ $json.id }}', { items: [{ id: 'agmt-unknown' }, { id: 'agmt-trial' }], onError: 'continueErrorOutput' })).outputs;
		expect(ok.map((item) => [item.json.agreementId, item.pairedItem])).toEqual([['agmt-trial', { item: 1 }]]);
		expect(failed.map((item) => [item.json.error, item.pairedItem])).toEqual([['AWS Marketplace has no such agreement or request for this account [item 0]', { item: 0 }]]);
	});

	it('names the IAM action the keys lack', async () => {
		const { error } = await describeAgreement('agmt-contract', { as: DENIED });
		expect(error?.message).toBe('These credentials are not allowed to call this operation');
		expect(error?.description).toContain('aws-marketplace:DescribeAgreement');
		expect(JSON.stringify(error)).not.toContain(DENIED.secretAccessKey);
	});

	it('advises on throttling and server errors in the Agreement Service’s terms, after the SDK’s retries', async () => {
		emulator().setFaults({ throttleRate: 1 });
		const throttled = await describeAgreement('agmt-contract');
		emulator().setFaults({ serverErrorRate: 1 });
		const failed = await describeAgreement('agmt-contract');
		emulator().setFaults({});
		expect([throttled.error?.message, throttled.error?.description]).toEqual(['AWS throttled the requests', expect.stringMatching(/^Read fewer pages \(Limit, filters\)/)]);
		expect([failed.error?.message, failed.error?.description]).toEqual(['The AWS Marketplace Agreement Service had an internal error', expect.stringMatching(/^Retry later\./)]);
		// The SDK retried before the node reported.
		expect(sent(emulator(), 'DescribeAgreement').length).toBeGreaterThan(2);
	});

	it('checks the ID before sending', async () => {
		const { error } = await describeAgreement('agmt contract!');
		expect(error?.message).toBe('Agreement ID "agmt contract!" has characters AWS does not accept: it must be 1 to 64 characters of a-z A-Z 0-9 _ / -, such as agmt-…');
		// An expression that finds nothing: n8n itself refuses an empty field.
		expect((await describeAgreement('={{ $json.none }}')).error?.message).toMatch(/^Agreement ID is missing/);
		expect(emulator().log).toEqual([]);
	});

	it('is no operation of versions 1 and 2, which keep their eight', async () => {
		const { error } = await runAgreement(emulator(), 'agreement', 'describeAgreement', { agreementId: 'agmt-contract' }, { typeVersion: 2 });
		expect(error?.message).toBe('The operation "describeAgreement" is not supported');
		expect(emulator().log).toEqual([]);
	});
});
