import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
	AcceptAgreementCancellationRequestCommand,
	BatchCreateBillingAdjustmentRequestCommand,
	CancelAgreementCancellationRequestCommand,
	DescribeAgreementCommand,
	GetAgreementCancellationRequestCommand,
	GetAgreementTermsCommand,
	GetBillingAdjustmentRequestCommand,
	ListAgreementCancellationRequestsCommand,
	ListAgreementChargesCommand,
	ListAgreementInvoiceLineItemsCommand,
	paginateSearchAgreements,
	RejectAgreementCancellationRequestCommand,
	SearchAgreementsCommand,
	SendAgreementCancellationRequestCommand,
	type BatchCreateBillingAdjustmentRequestEntry,
	type Filter,
} from '@aws-sdk/client-marketplace-agreement';

import { DEFAULT_TEST_CREDENTIAL, startEmulator, type EmulatorAgreement, type EmulatorCredential, type EmulatorOptions } from '../../emulator';
import { LIFECYCLE_EXAMPLES } from '../../emulator/lifecycleExamples';
import { agreementClient, sendSigned, useEmulator } from '../helpers/emulator';

const BUYER_A = { accessKeyId: 'AKIABUYERA0000000001', secretAccessKey: 'buyer-a-secret', principalArn: 'arn:aws:iam::111122223333:user/buyer' };
const BUYER_B = { accessKeyId: 'AKIABUYERB0000000001', secretAccessKey: 'buyer-b-secret', principalArn: 'arn:aws:iam::444455556666:user/buyer' };
const STRANGER = { accessKeyId: 'AKIASTRANGER00000001', secretAccessKey: 'stranger-secret', principalArn: 'arn:aws:iam::999999999999:user/other' };
const DENIED = { accessKeyId: 'AKIADENIEDAGREEMENT1', secretAccessKey: 'denied-secret', deniedActions: ['aws-marketplace:DescribeAgreement'] };

const day = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 86_400_000).toISOString();
// A filter value takes no '.': the model's pattern is [A-Za-z0-9+:_-]+.
const filterDay = (n: number) => day(n).replace('.000Z', 'Z');
// Twelve agreements of the default seller: two buyers, two products, three statuses, one without an end.
const AGREEMENTS: EmulatorAgreement[] = Array.from({ length: 12 }, (_, n) => ({
	agreementId: `agmt-${String(n).padStart(4, '0')}`,
	acceptorAccountId: n % 2 ? '111122223333' : '444455556666',
	status: ['ACTIVE', 'EXPIRED', 'CANCELLED'][n % 3],
	productId: n % 4 ? 'prod-saas1' : 'prod-ami1',
	productType: n % 4 ? 'SaaSProduct' : 'AmiProduct',
	offerId: `offer-${n % 5}`,
	acceptanceTime: day(n),
	startTime: day(n),
	...(n === 7 ? {} : { endTime: day(400 - n * 10) }),
	lastUpdateTime: day(100 + n),
	licenseArns: [`arn:aws:license-manager::123456789012:license:l-${String(n).padStart(32, '0')}`],
}));
const REQUESTS: EmulatorAgreement = {
	agreementId: 'agmt-requests',
	acceptorAccountId: '444455556666',
	status: 'ACTIVE',
	productId: 'prod-saas1',
	productType: 'SaaSProduct',
	productCode: 'saas',
	offerId: 'offer-requests',
	acceptanceTime: day(0),
	startTime: day(0),
	endTime: day(365),
	estimatedCharges: { currencyCode: 'USD', agreementValue: '1200.00' },
	endTimeBehavior: { type: 'RENEW', renewalOfferId: 'offer-requests' },
	terms: [
		{ freeTrialPricingTerm: { type: 'FreeTrialPricingTerm', id: 'term-trial', duration: 'P14D', grants: [{ dimensionKey: 'users', maxQuantity: 3 }] } },
		{ usageBasedPricingTerm: { type: 'UsageBasedPricingTerm', id: 'term-usage', currencyCode: 'USD', rateCards: [{ rateCard: [{ dimensionKey: 'requests', price: '0.01' }] }] } },
		{ validityTerm: { type: 'ValidityTerm', id: 'term-validity', agreementDuration: 'P12M', agreementStartDate: day(0), agreementEndDate: day(365) } },
	],
	charges: [{ id: 'ch-1', amount: '1200.00', currencyCode: 'USD', time: day(0) }],
	invoices: [
		{ invoiceId: 'inv-1', invoiceType: 'INVOICE', amount: '1000.00', maxAdjustmentAmount: '1000.00', currencyCode: 'USD', billingPeriod: { month: 1, year: 2025 }, issuedTime: day(31) },
		{ invoiceId: 'inv-2', invoiceType: 'INVOICE', amount: '200.00', maxAdjustmentAmount: '150.00', currencyCode: 'USD', billingPeriod: { month: 2, year: 2025 }, issuedTime: day(59) },
		{ invoiceId: 'cm-1', invoiceType: 'CREDIT_MEMO', amount: '50.00', maxAdjustmentAmount: '0', currencyCode: 'USD', billingPeriod: { month: 2, year: 2025 }, issuedTime: day(60) },
	],
	cancellationRequests: [
		{ agreementCancellationRequestId: 'acr-pending', reasonCode: 'INCORRECT_TERMS_ACCEPTED', description: 'Wrong rate', status: 'PENDING_APPROVAL', createdAt: day(70) },
		{ agreementCancellationRequestId: 'acr-second', reasonCode: 'TEST_AGREEMENT', status: 'PENDING_APPROVAL', createdAt: day(71) },
		{ agreementCancellationRequestId: 'acr-done', reasonCode: 'OTHER', status: 'REJECTED', statusMessage: 'Still needed', createdAt: day(60), updatedAt: day(61) },
	],
	billingAdjustments: [
		{
			billingAdjustmentRequestId: 'ba-first',
			originalInvoiceId: 'inv-1',
			adjustmentAmount: '100.00',
			currencyCode: 'USD',
			adjustmentReasonCode: 'INCORRECT_METERING',
			status: 'COMPLETED',
			createdAt: day(40),
			updatedAt: day(41),
			clientToken: 'token-first',
		},
	],
};
const OPTIONS: EmulatorOptions = {
	credentials: [DEFAULT_TEST_CREDENTIAL, BUYER_A, BUYER_B, STRANGER, DENIED],
	products: [{ productCode: 'saas', dimensions: ['requests', 'users'] }],
	agreements: [...AGREEMENTS, REQUESTS],
};

const emulator = useEmulator(OPTIONS);
beforeEach(() => emulator().reset());

const seller = () => agreementClient(emulator());
const as = (credentials: Pick<EmulatorCredential, 'accessKeyId' | 'secretAccessKey'>) => agreementClient(emulator(), credentials);
const failure = async (sent: Promise<unknown>) => (await sent.then(() => undefined, (caught: unknown) => caught)) as Record<string, unknown> & Error;
const filters = (named: Record<string, string>): Filter[] => Object.entries(named).map(([name, value]) => ({ name, values: [value] }));
const search = async (named: Record<string, string>, client = seller(), sort?: { sortBy: string; sortOrder?: 'ASCENDING' | 'DESCENDING' }) => {
	const ids: string[] = [];
	for await (const page of paginateSearchAgreements({ client, pageSize: 5 }, { filters: filters(named), sort })) ids.push(...(page.agreementViewSummaries ?? []).map((summary) => summary.agreementId!));
	return ids;
};
const PROPOSER = { PartyType: 'Proposer', AgreementType: 'PurchaseAgreement' };
const ids = (keep: (agreement: EmulatorAgreement) => boolean) => [...AGREEMENTS, REQUESTS].filter(keep).map((agreement) => agreement.agreementId);
const byEnd = (a: string, b: string) => {
	const end = (id: string) => [...AGREEMENTS, REQUESTS].find((agreement) => agreement.agreementId === id)!.endTime ?? '9999';
	return end(a).localeCompare(end(b)) || a.localeCompare(b);
};

describe('Agreement Service: DescribeAgreement and GetAgreementTerms', () => {
	it('describes an agreement to its seller and to its buyer, in us-east-1, over awsJson 1.0', async () => {
		const described = await seller().send(new DescribeAgreementCommand({ agreementId: 'agmt-requests' }));
		expect(described).toMatchObject({
			agreementId: 'agmt-requests',
			acceptor: { accountId: '444455556666' },
			proposer: { accountId: '123456789012' },
			startTime: new Date(day(0)),
			endTime: new Date(day(365)),
			agreementType: 'PurchaseAgreement',
			estimatedCharges: { currencyCode: 'USD', agreementValue: '1200.00' },
			proposalSummary: { resources: [{ id: 'prod-saas1', type: 'SaaSProduct' }], offerId: 'offer-requests' },
			status: 'ACTIVE',
			initialAgreementId: 'agmt-requests',
			endTimeBehavior: { type: 'RENEW', renewalSummary: { offerId: 'offer-requests' } },
		});
		expect((await as(BUYER_B).send(new DescribeAgreementCommand({ agreementId: 'agmt-requests' }))).agreementId).toBe('agmt-requests');
		// Under the Metering Service's target it is no operation.
		const raw = await sendSigned(emulator(), { operation: 'DescribeAgreement', body: '{"agreementId":"agmt-requests"}', region: 'us-east-1' });
		expect([raw.status, raw.json()]).toEqual([400, expect.objectContaining({ __type: 'UnknownOperationException' })]);
	});

	it('answers ResourceNotFoundException, with the resource, for an unknown agreement or one of other parties', async () => {
		for (const [client, id] of [
			[seller(), 'agmt-unknown'],
			[as(STRANGER), 'agmt-requests'],
			[as(BUYER_A), 'agmt-requests'],
		] as const) {
			expect(await failure(client.send(new DescribeAgreementCommand({ agreementId: id })))).toMatchObject({
				name: 'ResourceNotFoundException',
				message: `Agreement ${id} not found.`,
				resourceId: id,
				resourceType: 'Agreement',
			});
		}
	});

	it('pages the accepted terms, the configured dates answered as timestamps', async () => {
		const first = await seller().send(new GetAgreementTermsCommand({ agreementId: 'agmt-requests', maxResults: 2 }));
		expect(first.acceptedTerms?.map((term) => Object.keys(term)[0])).toEqual(['freeTrialPricingTerm', 'usageBasedPricingTerm']);
		const second = await seller().send(new GetAgreementTermsCommand({ agreementId: 'agmt-requests', maxResults: 2, nextToken: first.nextToken }));
		expect(second).toMatchObject({
			acceptedTerms: [{ validityTerm: { agreementDuration: 'P12M', agreementStartDate: new Date(day(0)), agreementEndDate: new Date(day(365)) } }],
		});
		expect(second.nextToken).toBeUndefined();
		expect(await failure(seller().send(new GetAgreementTermsCommand({ agreementId: 'agmt-0001', nextToken: first.nextToken })))).toMatchObject({
			name: 'ValidationException',
			reason: 'INVALID_NEXT_TOKEN',
		});
	});
});

describe('Agreement Service: SearchAgreements', () => {
	it('finds the caller’s agreements on the side it names, ordered by end time, agreements without one last', async () => {
		expect(await search(PROPOSER)).toEqual(ids(() => true).sort(byEnd));
		expect(await search({ PartyType: 'Acceptor', AgreementType: 'PurchaseAgreement' }, as(BUYER_A))).toEqual(
			ids((agreement) => agreement.acceptorAccountId === '111122223333').sort(byEnd),
		);
		expect(await search(PROPOSER, as(BUYER_A))).toEqual([]);
		expect(emulator().log.filter((entry) => entry.operation === 'SearchAgreements')[0].body).toMatchObject({ maxResults: 5 });
	});

	it('answers the summary AWS describes', async () => {
		const { agreementViewSummaries } = await seller().send(new SearchAgreementsCommand({ filters: filters({ ...PROPOSER, OfferId: 'offer-1', Status: 'ACTIVE' }) }));
		expect(agreementViewSummaries).toEqual([
			{
				agreementId: 'agmt-0006',
				acceptanceTime: new Date(day(6)),
				startTime: new Date(day(6)),
				endTime: new Date(day(340)),
				lastUpdateTime: new Date(day(106)),
				agreementType: 'PurchaseAgreement',
				acceptor: { accountId: '444455556666' },
				proposer: { accountId: '123456789012' },
				proposalSummary: { resources: [{ id: 'prod-saas1', type: 'SaaSProduct' }], offerId: 'offer-1' },
				status: 'ACTIVE',
				entitlements: [{ licenseArn: 'arn:aws:license-manager::123456789012:license:l-00000000000000000000000000000006' }],
				initialAgreementId: 'agmt-0006',
			},
		]);
	});

	it('applies every filter, all of them at once', async () => {
		const cases: Array<[Record<string, string>, (agreement: EmulatorAgreement) => boolean]> = [
			[{ Status: 'EXPIRED' }, (agreement) => agreement.status === 'EXPIRED'],
			[{ ResourceIdentifier: 'prod-ami1' }, (agreement) => agreement.productId === 'prod-ami1'],
			[{ ResourceType: 'SaaSProduct', Status: 'ACTIVE' }, (agreement) => agreement.productType === 'SaaSProduct' && agreement.status === 'ACTIVE'],
			[{ AcceptorAccountId: '111122223333', OfferId: 'offer-3' }, (agreement) => agreement.acceptorAccountId === '111122223333' && agreement.offerId === 'offer-3'],
			[{ BeforeEndTime: filterDay(330), AfterEndTime: filterDay(300) }, (agreement) => agreement.endTime !== undefined && agreement.endTime < day(330) && agreement.endTime > day(300)],
			[{ AfterStartTime: filterDay(9) }, (agreement) => agreement.startTime > day(9)],
			[{ BeforeLastUpdateTime: filterDay(103) }, (agreement) => (agreement.lastUpdateTime ?? agreement.acceptanceTime) < day(103)],
			[{ LicenseArn: 'l-x' }, () => false],
		];
		for (const [named, keep] of cases) expect([named, await search({ ...PROPOSER, ...named })]).toEqual([named, ids(keep).sort(byEnd)]);
	});

	it('sorts by start or last update time, either way', async () => {
		const latestStartFirst = [...AGREEMENTS, REQUESTS]
			.sort((a, b) => b.startTime.localeCompare(a.startTime) || a.agreementId.localeCompare(b.agreementId))
			.map((agreement) => agreement.agreementId);
		expect(await search(PROPOSER, seller(), { sortBy: 'StartTime', sortOrder: 'DESCENDING' })).toEqual(latestStartFirst);
		const updated = await search(PROPOSER, seller(), { sortBy: 'LastUpdateTime' });
		expect(updated).toEqual(['agmt-requests', ...AGREEMENTS.map((agreement) => agreement.agreementId)]);
		expect(await failure(as(BUYER_A).send(new SearchAgreementsCommand({ filters: filters({ PartyType: 'Acceptor', AgreementType: 'PurchaseAgreement' }), sort: { sortBy: 'StartTime' } })))).toMatchObject({
			reason: 'INVALID_SORT_BY',
		});
	});

	it('refuses what AWS does not take, saying which rule', async () => {
		const refused = async (named: Record<string, string>, client = seller()) => (await failure(client.send(new SearchAgreementsCommand({ filters: filters(named) })))).reason;
		expect(await refused({ AgreementType: 'PurchaseAgreement' })).toBe('MISSING_PARTY_TYPE');
		expect(await refused({ PartyType: 'Seller', AgreementType: 'PurchaseAgreement' })).toBe('INVALID_PARTY_TYPE');
		expect(await refused({ PartyType: 'Proposer' })).toBe('INVALID_FILTERS');
		expect(await refused({ ...PROPOSER, ProductCode: 'x' })).toBe('INVALID_FILTER_NAME');
		expect(await refused({ ...PROPOSER, BeforeEndTime: 'soon' })).toBe('INVALID_FILTER_VALUES');
		expect(await refused({ PartyType: 'Acceptor', AgreementType: 'PurchaseAgreement', AcceptorAccountId: '111122223333' }, as(BUYER_A))).toBe('UNSUPPORTED_FILTERS');
		expect(await refused({ PartyType: 'Acceptor', AgreementType: 'PurchaseAgreement', ResourceType: 'SaaSProduct', Status: 'ACTIVE' }, as(BUYER_A))).toBe('UNSUPPORTED_FILTERS');
		const first = await seller().send(new SearchAgreementsCommand({ filters: filters(PROPOSER), maxResults: 2 }));
		expect(await failure(seller().send(new SearchAgreementsCommand({ filters: filters({ ...PROPOSER, Status: 'ACTIVE' }), maxResults: 2, nextToken: first.nextToken })))).toMatchObject({
			reason: 'INVALID_NEXT_TOKEN',
		});
	});

	it('validates the request against the model', async () => {
		const invalid = await failure(seller().send(new SearchAgreementsCommand({ filters: [{ name: 'BeforeEndTime', values: ['2025-01-01T00:00:00.000Z'] }], maxResults: 51 })));
		expect(invalid.name).toBe('ValidationException');
		expect(emulator().log.at(-1)?.validationErrors).toEqual([
			"Value '2025-01-01T00:00:00.000Z' at 'filters.1.member.values.1.member' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9+:_-]+",
			"Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50",
		]);
		await failure(seller().send(new SearchAgreementsCommand({ sort: { sortOrder: 'UP' as never } })));
		expect(emulator().log.at(-1)?.validationErrors).toEqual(["Value 'UP' at 'sort.sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [ASCENDING, DESCENDING]"]);
	});
});

describe('Agreement Service: invoices and charges', () => {
	it('lists the seller’s invoices of an agreement, one group each, filtered and paged', async () => {
		const list = (input: Record<string, unknown>) => seller().send(new ListAgreementInvoiceLineItemsCommand({ agreementId: 'agmt-requests', groupBy: 'INVOICE_ID', ...input }));
		const all = await list({});
		expect(all.agreementInvoiceLineItemGroupSummaries?.[0]).toEqual({
			agreementId: 'agmt-requests',
			invoiceId: 'inv-1',
			pricingCurrencyAmount: { amount: '1000.00', maxAdjustmentAmount: '1000.00', currencyCode: 'USD' },
			invoiceBillingPeriod: { month: 1, year: 2025 },
			issuedTime: new Date(day(31)),
			invoiceType: 'INVOICE',
			invoicingEntity: { legalName: 'Amazon Web Services, Inc.' },
		});
		const invoices = async (input: Record<string, unknown>) => (await list(input)).agreementInvoiceLineItemGroupSummaries?.map((group) => group.invoiceId);
		expect(await invoices({ invoiceType: 'CREDIT_MEMO' })).toEqual(['cm-1']);
		expect(await invoices({ invoiceBillingPeriod: { month: 2, year: 2025 } })).toEqual(['inv-2', 'cm-1']);
		expect(await invoices({ afterIssuedTime: new Date(day(31)), beforeIssuedTime: new Date(day(60)) })).toEqual(['inv-2']);
		expect(await invoices({ invoiceId: 'inv-2' })).toEqual(['inv-2']);
		const first = await list({ maxResults: 2 });
		expect([first.agreementInvoiceLineItemGroupSummaries?.length, (await list({ maxResults: 2, nextToken: first.nextToken })).agreementInvoiceLineItemGroupSummaries?.length]).toEqual([2, 1]);
		expect(await failure(as(BUYER_B).send(new ListAgreementInvoiceLineItemsCommand({ agreementId: 'agmt-requests', groupBy: 'INVOICE_ID' })))).toMatchObject({
			name: 'AccessDeniedException',
			reason: 'INVALID_ACCESS',
		});
	});

	it('lists what the buyer is charged; the seller is charged nothing', async () => {
		expect((await as(BUYER_B).send(new ListAgreementChargesCommand({}))).items).toEqual([
			{ id: 'ch-1', revision: 1, agreementId: 'agmt-requests', agreementType: 'PurchaseAgreement', currencyCode: 'USD', amount: '1200.00', time: new Date(day(0)) },
		]);
		expect((await as(BUYER_B).send(new ListAgreementChargesCommand({ agreementId: 'agmt-0000' }))).items).toEqual([]);
		expect((await seller().send(new ListAgreementChargesCommand({ agreementId: 'agmt-requests' }))).items).toEqual([]);
	});
});

describe('Agreement Service: cancellation requests', () => {
	const input = (id: string) => ({ agreementId: 'agmt-requests', agreementCancellationRequestId: id });

	it('shows a cancellation request to both parties', async () => {
		const expected = {
			agreementCancellationRequestId: 'acr-pending',
			agreementId: 'agmt-requests',
			reasonCode: 'INCORRECT_TERMS_ACCEPTED',
			description: 'Wrong rate',
			status: 'PENDING_APPROVAL',
			createdAt: new Date(day(70)),
			updatedAt: new Date(day(70)),
		};
		expect(await seller().send(new GetAgreementCancellationRequestCommand(input('acr-pending')))).toMatchObject(expected);
		expect(await as(BUYER_B).send(new GetAgreementCancellationRequestCommand(input('acr-pending')))).toMatchObject(expected);
		expect(await failure(seller().send(new GetAgreementCancellationRequestCommand(input('acr-unknown'))))).toMatchObject({
			name: 'ResourceNotFoundException',
			resourceType: 'AgreementCancellationRequest',
		});
	});

	it('lets the buyer accept one pending request, which cancels the agreement, and reject another', async () => {
		const accepted = await as(BUYER_B).send(new AcceptAgreementCancellationRequestCommand(input('acr-pending')));
		expect(accepted).toMatchObject({ agreementCancellationRequestId: 'acr-pending', status: 'APPROVED', reasonCode: 'INCORRECT_TERMS_ACCEPTED' });
		expect((await seller().send(new DescribeAgreementCommand({ agreementId: 'agmt-requests' }))).status).toBe('CANCELLED');
		const rejected = await as(BUYER_B).send(new RejectAgreementCancellationRequestCommand({ ...input('acr-second'), rejectionReason: 'We still use it' }));
		expect(rejected).toMatchObject({ status: 'REJECTED', statusMessage: 'We still use it' });

		expect(await failure(as(BUYER_B).send(new AcceptAgreementCancellationRequestCommand(input('acr-done'))))).toMatchObject({
			name: 'ConflictException',
			message: 'The cancellation request acr-done is REJECTED: only a request in PENDING_APPROVAL can be accepted or rejected.',
			resourceType: 'AgreementCancellationRequest',
		});
		emulator().reset();
		expect((await seller().send(new GetAgreementCancellationRequestCommand(input('acr-pending')))).status).toBe('PENDING_APPROVAL');
	});

	it('refuses the seller’s accept or reject: that is the buyer’s answer', async () => {
		expect(await failure(seller().send(new AcceptAgreementCancellationRequestCommand(input('acr-pending'))))).toMatchObject({
			name: 'AccessDeniedException',
			reason: 'INVALID_ACCESS',
			message: 'Only the acceptor (buyer) of the agreement may call AcceptAgreementCancellationRequest.',
		});
		expect(await failure(seller().send(new RejectAgreementCancellationRequestCommand({ ...input('acr-pending'), rejectionReason: '' })))).toMatchObject({
			name: 'ValidationException',
		});
	});
});

// The seller's side, as AWS's API reference assigns it: Send, Cancel; List for both parties by partyType.
describe('Agreement Service: the seller’s cancellation requests', () => {
	const active = 'agmt-0003';

	it('lets the seller send one request per active agreement, idempotent by client token, and the buyer see it', async () => {
		const sent = await seller().send(new SendAgreementCancellationRequestCommand({ agreementId: active, reasonCode: 'TEST_AGREEMENT', clientToken: 'send-1' }));
		expect(sent).toMatchObject({ agreementId: active, status: 'PENDING_APPROVAL', reasonCode: 'TEST_AGREEMENT', agreementCancellationRequestId: expect.stringMatching(/^acr-/) });
		expect(sent).not.toHaveProperty('statusMessage');
		const again = await seller().send(new SendAgreementCancellationRequestCommand({ agreementId: active, reasonCode: 'TEST_AGREEMENT', clientToken: 'send-1' }));
		expect(again.agreementCancellationRequestId).toBe(sent.agreementCancellationRequestId);
		expect(await failure(seller().send(new SendAgreementCancellationRequestCommand({ agreementId: active, reasonCode: 'OTHER', clientToken: 'send-1' })))).toMatchObject({
			name: 'ConflictException',
			message: 'The client token send-1 was used for another cancellation request.',
		});
		expect(await failure(seller().send(new SendAgreementCancellationRequestCommand({ agreementId: active, reasonCode: 'OTHER' })))).toMatchObject({
			name: 'ConflictException',
			message: `Agreement ${active} already has the cancellation request ${sent.agreementCancellationRequestId} pending approval.`,
		});
		expect(await failure(seller().send(new SendAgreementCancellationRequestCommand({ agreementId: 'agmt-0001', reasonCode: 'OTHER' })))).toMatchObject({
			name: 'ConflictException',
			message: 'Agreement agmt-0001 is EXPIRED: only an active agreement can be cancelled.',
			resourceType: 'Agreement',
		});
		// agmt-0003's buyer is 111122223333.
		const received = await as(BUYER_A).send(new ListAgreementCancellationRequestsCommand({ partyType: 'Acceptor' }));
		expect(received.items?.map((item) => [item.agreementId, item.agreementCancellationRequestId, item.status])).toEqual([[active, sent.agreementCancellationRequestId, 'PENDING_APPROVAL']]);
	});

	it('refuses the buyer’s send or cancel, the seller’s accept: each party its own operations', async () => {
		expect(await failure(as(BUYER_B).send(new SendAgreementCancellationRequestCommand({ agreementId: 'agmt-requests', reasonCode: 'OTHER' })))).toMatchObject({
			name: 'AccessDeniedException',
			reason: 'INVALID_ACCESS',
			message: 'Only the proposer (seller) of the agreement may call SendAgreementCancellationRequest.',
		});
		const cancel = new CancelAgreementCancellationRequestCommand({ agreementId: 'agmt-requests', agreementCancellationRequestId: 'acr-pending', cancellationReason: 'Mine' });
		expect(await failure(as(BUYER_B).send(cancel))).toMatchObject({ name: 'AccessDeniedException', reason: 'INVALID_ACCESS' });
		expect(await failure(as(STRANGER).send(cancel))).toMatchObject({ name: 'ResourceNotFoundException' });
	});

	it('lets the seller withdraw a pending request only', async () => {
		const withdraw = (id: string) => seller().send(new CancelAgreementCancellationRequestCommand({ agreementId: 'agmt-requests', agreementCancellationRequestId: id, cancellationReason: 'Resolved' }));
		expect(await withdraw('acr-pending')).toMatchObject({ status: 'CANCELLED', statusMessage: 'Resolved', reasonCode: 'INCORRECT_TERMS_ACCEPTED' });
		expect(await failure(withdraw('acr-pending'))).toMatchObject({
			name: 'ConflictException',
			message: 'The cancellation request acr-pending is CANCELLED: only a request in PENDING_APPROVAL can be cancelled.',
		});
		expect(await failure(as(BUYER_B).send(new AcceptAgreementCancellationRequestCommand({ agreementId: 'agmt-requests', agreementCancellationRequestId: 'acr-pending' })))).toMatchObject({
			name: 'ConflictException',
		});
	});

	it('lists the requests on the side partyType names, filtered and paged; partyType is required', async () => {
		const list = (input: Record<string, unknown>, client = seller()) => client.send(new ListAgreementCancellationRequestsCommand({ partyType: 'Proposer', ...input }));
		const first = await list({ maxResults: 2 });
		expect(first.items?.map((item) => item.agreementCancellationRequestId)).toEqual(['acr-done', 'acr-pending']);
		const second = await list({ maxResults: 2, nextToken: first.nextToken });
		expect([second.items?.map((item) => item.agreementCancellationRequestId), second.nextToken]).toEqual([['acr-second'], undefined]);
		expect(await failure(list({ maxResults: 2, status: 'REJECTED', nextToken: first.nextToken }))).toMatchObject({ name: 'ValidationException', reason: 'INVALID_NEXT_TOKEN' });
		expect((await list({ status: 'REJECTED' })).items).toEqual([
			{
				agreementCancellationRequestId: 'acr-done',
				agreementId: 'agmt-requests',
				status: 'REJECTED',
				reasonCode: 'OTHER',
				agreementType: 'PurchaseAgreement',
				catalog: 'AWSMarketplace',
				createdAt: new Date(day(60)),
				updatedAt: new Date(day(61)),
			},
		]);
		expect((await list({}, as(BUYER_B))).items).toEqual([]);
		expect((await list({ partyType: 'Acceptor' }, as(BUYER_B))).items).toHaveLength(3);
		expect(await failure(list({ partyType: 'Reseller' }))).toMatchObject({ name: 'ValidationException', reason: 'INVALID_PARTY_TYPE' });
		// The SDK checks nothing: the model's rules are the emulator's.
		const unvalidated = await failure(seller().send(new ListAgreementCancellationRequestsCommand({ status: 'GONE' } as never)));
		expect(unvalidated).toMatchObject({ name: 'ValidationException' });
		expect(unvalidated.message).toMatch(/^2 validation errors detected: Value null at 'partyType' failed to satisfy constraint: Member must not be null; Value 'GONE' at 'status' failed to satisfy constraint: Member must satisfy enum value set/);
	});
});

describe('Agreement Service: billing adjustment requests', () => {
	const entry = (overrides: Partial<BatchCreateBillingAdjustmentRequestEntry> = {}): BatchCreateBillingAdjustmentRequestEntry => ({
		agreementId: 'agmt-requests',
		originalInvoiceId: 'inv-1',
		adjustmentAmount: '400.00',
		currencyCode: 'USD',
		adjustmentReasonCode: 'INCORRECT_METERING',
		clientToken: 'token-1',
		...overrides,
	});
	const create = (...entries: BatchCreateBillingAdjustmentRequestEntry[]) => seller().send(new BatchCreateBillingAdjustmentRequestCommand({ billingAdjustmentRequestEntries: entries }));

	it('creates requests within what is left to adjust of each invoice, answering every entry by its client token', async () => {
		const answer = await create(
			entry(),
			entry({ clientToken: 'token-2', adjustmentAmount: '500.00' }),
			entry({ clientToken: 'token-3', adjustmentAmount: '0.00000001' }),
			entry({ clientToken: 'token-4', originalInvoiceId: 'inv-2', adjustmentAmount: '150' }),
		);
		expect(answer.items).toEqual([
			{ billingAdjustmentRequestId: expect.stringMatching(/^ba-[a-z0-9]+$/), clientToken: 'token-1' },
			{ billingAdjustmentRequestId: expect.stringMatching(/^ba-/), clientToken: 'token-2' },
			{ billingAdjustmentRequestId: expect.stringMatching(/^ba-/), clientToken: 'token-4' },
		]);
		expect(answer.errors).toEqual([
			{
				code: 'VALIDATION_EXCEPTION',
				message: 'The adjustment amount 0.00000001 exceeds what is left to adjust of invoice inv-1 (maxAdjustmentAmount 1000.00, adjusted 1000.00).',
				clientToken: 'token-3',
			},
		]);
		const created = await seller().send(new GetBillingAdjustmentRequestCommand({ agreementId: 'agmt-requests', billingAdjustmentRequestId: answer.items![0].billingAdjustmentRequestId }));
		expect(created).toMatchObject({ originalInvoiceId: 'inv-1', adjustmentAmount: '400.00', currencyCode: 'USD', adjustmentReasonCode: 'INCORRECT_METERING', status: 'PENDING' });
	});

	it('answers the same client token with the same request, and another entry under it with a conflict', async () => {
		const first = await create(entry());
		expect((await create(entry({ adjustmentAmount: '400.0' }))).items).toEqual(first.items);
		expect((await create(entry({ adjustmentAmount: '300.00' }))).errors).toEqual([
			{ code: 'CONFLICT_EXCEPTION', message: 'The client token token-1 was used for another billing adjustment request.', clientToken: 'token-1' },
		]);
	});

	it('refuses unknown agreements and invoices, credit memos, another currency and nothing', async () => {
		const { errors } = await create(
			entry({ clientToken: 'a', agreementId: 'agmt-unknown' }),
			entry({ clientToken: 'b', originalInvoiceId: 'inv-9' }),
			entry({ clientToken: 'c', originalInvoiceId: 'cm-1' }),
			entry({ clientToken: 'd', currencyCode: 'EUR' }),
			entry({ clientToken: 'e', adjustmentAmount: '0' }),
		);
		expect(errors?.map((error) => [error.clientToken, error.code])).toEqual([
			['a', 'RESOURCE_NOT_FOUND_EXCEPTION'],
			['b', 'RESOURCE_NOT_FOUND_EXCEPTION'],
			['c', 'VALIDATION_EXCEPTION'],
			['d', 'VALIDATION_EXCEPTION'],
			['e', 'VALIDATION_EXCEPTION'],
		]);
		expect(await failure(create())).toMatchObject({ name: 'ValidationException', reason: 'MISSING_BILLING_ADJUSTMENTS' });
		expect(await failure(create(entry({ adjustmentAmount: '-5', clientToken: 'bad token' })))).toMatchObject({ name: 'ValidationException' });
		expect(emulator().log.at(-1)?.validationErrors).toHaveLength(2);
	});

	it('shows a request to the seller only', async () => {
		const get = (client = seller(), id = 'ba-first') => client.send(new GetBillingAdjustmentRequestCommand({ agreementId: 'agmt-requests', billingAdjustmentRequestId: id }));
		expect(await get()).toMatchObject({ billingAdjustmentRequestId: 'ba-first', status: 'COMPLETED', createdAt: new Date(day(40)), updatedAt: new Date(day(41)) });
		expect(await failure(get(seller(), 'ba-unknown'))).toMatchObject({ name: 'ResourceNotFoundException', resourceType: 'BillingAdjustmentRequest' });
		expect(await failure(get(as(BUYER_B)))).toMatchObject({ name: 'AccessDeniedException', reason: 'INVALID_ACCESS' });
	});
});

describe('Agreement Service: the service around the operations', () => {
	it('authorizes aws-marketplace:<Operation>, takes requests signed for us-east-1 only, and serves only its operations', async () => {
		expect(await failure(as(DENIED).send(new DescribeAgreementCommand({ agreementId: 'agmt-0001' })))).toMatchObject({
			name: 'AccessDeniedException',
			message: 'User: arn:aws:iam::123456789012:user/AKIADENIEDAGREEMENT1 is not authorized to perform: aws-marketplace:DescribeAgreement',
		});
		expect((await failure(agreementClient(emulator(), DEFAULT_TEST_CREDENTIAL, 'eu-west-1').send(new DescribeAgreementCommand({ agreementId: 'agmt-0001' })))).name).toBe(
			'InvalidSignatureException',
		);
		const response = await fetch(`${emulator().url}/`, { method: 'POST', headers: { 'x-amz-target': 'AWSMPCommerceService_v20200301.CreateAgreementRequest' }, body: '{}' });
		expect([response.status, ((await response.json()) as { __type: string }).__type]).toEqual([400, 'UnknownOperationException']);
	});

	it('injects faults under the Agreement Service’s own error names', async () => {
		emulator().setFaults({ serverErrorRate: 1 });
		expect((await failure(seller().send(new DescribeAgreementCommand({ agreementId: 'agmt-0001' })))).name).toBe('InternalServerException');
		emulator().setFaults({ throttleRate: 1 });
		expect((await failure(seller().send(new DescribeAgreementCommand({ agreementId: 'agmt-0001' })))).name).toBe('ThrottlingException');
		emulator().setFaults({});
	});

	it('refuses a malformed configuration at start', async () => {
		const start = (agreement: Partial<EmulatorAgreement>) => startEmulator({ ...OPTIONS, agreements: [{ ...REQUESTS, ...agreement }] as EmulatorAgreement[] });
		await expect(start({ startTime: 'soon' })).rejects.toThrow('agreements[0].startTime is not an ISO 8601 date: soon');
		await expect(start({ terms: [{ usageBasedPricingTerm: { rateCards: [{ rateCard: [{ dimensionKey: 'bandwidth', price: '1' }] }] } }] })).rejects.toThrow(
			'agreements[0].terms[0] prices dimension bandwidth, which saas does not have',
		);
		await expect(start({ terms: [{ pricing: {} }] })).rejects.toThrow('agreements[0].terms[0] must have exactly one of');
		await expect(start({ billingAdjustments: [{ ...REQUESTS.billingAdjustments![0], originalInvoiceId: 'inv-9' }] })).rejects.toThrow('adjusts invoice inv-9');
		// The model's values, so that every answer is one the SDK reads.
		await expect(start({ invoices: [{ ...REQUESTS.invoices![0], amount: '1,000.00' }] })).rejects.toThrow('agreements[0].invoices[0].amount is not an amount: 1,000.00');
		await expect(start({ invoices: [{ ...REQUESTS.invoices![0], billingPeriod: { month: 13, year: 2025 } }] })).rejects.toThrow(
			'agreements[0].invoices[0].billingPeriod is not a month of 2023 to 2050',
		);
		await expect(start({ cancellationRequests: [{ ...REQUESTS.cancellationRequests![0], status: 'PENDING' }] })).rejects.toThrow(
			'agreements[0].cancellationRequests[0].status is PENDING, not one of PENDING_APPROVAL, APPROVED, REJECTED, CANCELLED, VALIDATION_FAILED',
		);
		await expect(start({ billingAdjustments: [{ ...REQUESTS.billingAdjustments![0], adjustmentReasonCode: 'REFUND' }] })).rejects.toThrow(
			'agreements[0].billingAdjustments[0].adjustmentReasonCode is REFUND, not one of',
		);
		await expect(startEmulator({ agreements: [REQUESTS, REQUESTS] })).rejects.toThrow('agreements: agmt-requests is configured twice');
	});

	it('ties the sample configuration’s agreements to its customers, licenses and products', async () => {
		const sample = JSON.parse(readFileSync(join(__dirname, '../../emulator/sample-config.json'), 'utf8')) as EmulatorOptions;
		for (const agreement of sample.agreements!) {
			const customer = sample.customers!.find((candidate) => candidate.customerAWSAccountId === agreement.acceptorAccountId);
			expect([agreement.agreementId, customer?.productCode]).toEqual([agreement.agreementId, agreement.productCode]);
			for (const arn of agreement.licenseArns ?? []) expect(customer?.licenseArn).toBe(arn);
		}
		const terms = sample.agreements!.flatMap((agreement) => agreement.terms ?? []).map((term) => Object.keys(term)[0]);
		expect(terms).toEqual(expect.arrayContaining(['freeTrialPricingTerm', 'usageBasedPricingTerm', 'configurableUpfrontPricingTerm', 'validityTerm']));
		// The trigger's cancellation and billing adjustment events name requests of the sample's agreements.
		const named = (detailType: string) => LIFECYCLE_EXAMPLES[detailType].detail as { agreement: { id: string }; agreementCancellationRequest?: { id: string }; billingAdjustmentRequest?: { id: string } };
		const pending = named('Agreement Cancellation Request Pending Approval - Proposer');
		const refund = named('Purchase Agreement Billing Adjustment Completed - Proposer');
		const agreementOf = (id: string) => sample.agreements!.find((agreement) => agreement.agreementId === id);
		expect(agreementOf(pending.agreement.id)?.cancellationRequests?.map((request) => request.agreementCancellationRequestId)).toContain(pending.agreementCancellationRequest!.id);
		expect(agreementOf(refund.agreement.id)?.billingAdjustments?.map((adjustment) => adjustment.billingAdjustmentRequestId)).toContain(refund.billingAdjustmentRequest!.id);
		// Every agreement with invoices refunds or asks to cancel something of its own.
		for (const agreement of sample.agreements!.filter((candidate) => candidate.invoices?.length)) {
			expect([agreement.agreementId, agreement.cancellationRequests?.length, agreement.billingAdjustments?.length]).toEqual([agreement.agreementId, 1, 1]);
		}
		const running = await startEmulator(sample);
		try {
			expect((await agreementClient(running).send(new DescribeAgreementCommand({ agreementId: 'agmt-4mwg1nevbokzw95eca5797ixs' }))).acceptor?.accountId).toBe('111122223333');
		} finally {
			await running.stop();
		}
	});
});
