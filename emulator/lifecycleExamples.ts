// AWS Marketplace's seller events as the Seller Guide documents them ("Amazon EventBridge events":
// agreements, licenses, cancellations, billing adjustments), with its account placeholders
// ("<ISV's account id>") replaced by an account ID. AWS's license examples print the license ARN
// without `arn:`, and all examples share one requestId: the emulator gives each post its own.

export interface LifecycleEvent {
	version: string;
	id: string;
	'detail-type': string;
	source: string;
	account: string;
	time: string;
	region: string;
	resources: string[];
	detail: Record<string, unknown>;
}

export const SELLER_ACCOUNT = '123456789012';
const AGREEMENT = 'agmt-4mwg1nevbokzw95eca5797ixs';
const REQUEST_ID = '3d4c9f9b-b809-4f5e-9fac-a9ae98b05cbb';

function event(detailType: string, detail: Record<string, unknown>, overrides: Partial<LifecycleEvent> = {}): LifecycleEvent {
	return {
		version: '0',
		id: '12345678-1234-1234-1234-123456789012',
		'detail-type': detailType,
		source: 'aws.agreement-marketplace',
		account: SELLER_ACCOUNT,
		time: '2024-08-30T21:36:03Z',
		region: 'us-east-1',
		resources: [`arn:aws:aws-marketplace::aws:agreement:${AGREEMENT}`],
		detail: { requestId: REQUEST_ID, catalog: 'AWSMarketplace', ...detail },
		...overrides,
	};
}

const parties = {
	acceptor: { accountId: '845735284135' },
	proposer: { accountId: '123456512334' },
};
const resale = { resaleAuthorization: { id: 'resaleauthz-yaxjqxiskysxa' } };
const offer = { offer: { id: 'offer-1234567890123' } };
const term = { acceptanceTime: '2024-06-26T21:36:03Z', startTime: '2024-08-30T21:36:03Z', endTime: '2025-05-30T21:36:03Z' };

const created = (role: string) =>
	event(`Purchase Agreement Created - ${role}`, { agreement: { id: AGREEMENT, intent: 'NEW', status: 'ACTIVE', ...term }, ...resale, ...parties, ...offer });

const ended = (role: string) => event(`Purchase Agreement Ended - ${role}`, { agreement: { id: AGREEMENT, status: 'CANCELLED' }, ...resale, ...parties, ...offer });

const license = (detailType: string) =>
	event(detailType, {
		agreement: { id: AGREEMENT },
		product: { code: 'aw4fgf5tyo5w2ap6fEXAMPLE', id: 'prod-qtwveEXAMPLE' },
		license: { arn: 'aws:license-manager:us-east-1:123456789012:l-e52ca6f38bf84d0fafb8802ca15ac11x' },
		...parties,
		offer: { id: '8kkr91jo647j3qxlcjhlqce7y' },
	});

const advisory = (detailType: string, id: string, requestId: string, advisoryTimes: Record<string, string>) =>
	event(
		detailType,
		{
			requestId,
			agreement: { id: AGREEMENT },
			product: { id: 'prod-aw4fgf5tyo5w2ap6fEXAMPLE' },
			acceptor: parties.acceptor,
			proposer: { accountId: '987654321098' },
			...offer,
			advisory: advisoryTimes,
		},
		{ id, account: '987654321098', time: '2026-07-02T14:30:00Z' },
	);

const product = { product: { id: 'prod-aw4fgf5tyo5w2ap6fEXAMPLE', title: 'Product Title' } };
const namedProposer = { acceptor: parties.acceptor, proposer: { name: 'Seller Account Name', accountId: '123456512334' } };
const renewalTerm = { id: AGREEMENT, startTime: '2025-06-01T00:00:00Z', endTime: '2026-12-31T00:00:00Z' };

const cancellationAgreement = { id: 'agmt-abcdexampleid', acceptorId: '123465789012', productId: 'prod-exampleid', offerId: 'offer-exampleid' };
const cancellation = (status: string, time: string, request: Record<string, string>) =>
	event(
		`Agreement Cancellation Request ${status} - Proposer`,
		{
			agreement: cancellationAgreement,
			agreementCancellationRequest: { id: 'acr-abcdexampleid', reasonCode: 'INCORRECT_TERMS_ACCEPTED', reasonMessage: '', statusMessage: '', ...request },
		},
		{ id: '01234567-0123-0123-0123-0123456789ab', time, resources: [] },
	);

const billing = (outcome: string, time: string, amount: string) =>
	event(
		`Purchase Agreement Billing Adjustment ${outcome} - Proposer`,
		{
			agreement: { id: 'agmt-abcdexampleid' },
			billingAdjustmentRequest: { id: 'ba-abcdexampleid', adjustmentAmount: amount, currencyCode: 'USD', adjustmentReasonCode: 'INCORRECT_TERMS_ACCEPTED' },
			invoice: { originalInvoiceId: '2028746221' },
		},
		{ id: '01234567-0123-0123-0123-0123456789ab', time, resources: [] },
	);

/** Each documented example by name: its detail-type, or "<detail-type> (RENEW)" for the renewal one. */
export const LIFECYCLE_EXAMPLES: Record<string, LifecycleEvent> = Object.fromEntries(
	[
		created('Proposer'),
		created('Manufacturer'),
		event(
			'Purchase Agreement Amended - Proposer',
			{
				agreement: { id: AGREEMENT, intent: 'AMEND', status: 'ACTIVE', ...term, autoRenewalEnabled: true },
				renewalSummary: { lockoutStartTime: '2025-04-30T21:36:03Z', disabledBy: null },
				...product,
				...resale,
				...parties,
				...offer,
			},
		),
		event('Purchase Agreement Amended - Manufacturer', { agreement: { id: AGREEMENT, intent: 'AMEND', status: 'ACTIVE', ...term }, ...resale, ...parties, ...offer }),
		ended('Proposer'),
		ended('Manufacturer'),
		advisory('Purchase Agreement Advisory Issued - Manufacturer', 'a1b2c3d4-1111-2222-3333-444455556666', REQUEST_ID, { issuedAt: '2026-07-02T14:28:00Z' }),
		advisory('Purchase Agreement Advisory Resolved - Manufacturer', 'k9s5f3d4-0921-2382-3333-970453552166', '7s4p9f1b-b809-4f5e-9fgl-a9ae74b05cji', {
			resolvedAt: '2026-08-02T11:13:05Z',
		}),
		event(
			'Purchase Agreement Ending - Proposer',
			{
				agreement: { ...renewalTerm, status: 'ACTIVE', daysBeforeEndTime: 180, autoRenewalEnabled: true },
				renewalSummary: { lockoutStartTime: '2026-12-01T00:00:00Z', disabledBy: null },
				...product,
				...namedProposer,
				...offer,
			},
			{ time: '2026-07-04T00:00:00Z' },
		),
		event(
			'Purchase Agreement Renewal Terms Finalized - Proposer',
			{
				agreement: renewalTerm,
				renewalSummary: { tcv: '105000.00', currency: 'USD', termsFinalizedTime: '2026-11-01T00:00:00Z', lockoutReached: false, lockoutStartTime: '2026-12-01T00:00:00Z' },
				...product,
				...namedProposer,
			},
			{ time: '2026-11-01T00:00:00Z' },
		),
		event(
			'Purchase Agreement Renewal Upcoming - Proposer',
			{ agreement: renewalTerm, renewalSummary: { lockoutReached: true, tcv: '105000.00', currency: 'USD' }, ...product, ...namedProposer },
			{ time: '2026-12-01T00:00:00Z' },
		),
		license('License Updated - Manufacturer'),
		license('License Deprovisioned - Manufacturer'),
		cancellation('Pending Approval', '2025-01-01T13:12:22Z', { statusCode: 'PENDING_APPROVAL', createdAt: '2025-01-01T13:12:22Z', updatedAt: '2025-01-01T13:12:22Z' }),
		cancellation('Approved', '2025-01-01T13:16:07Z', {
			reasonMessage: 'The terms accepted in agreement had wrong rate',
			statusCode: 'APPROVED',
			createdAt: '2025-01-03T16:16:22Z',
			updatedAt: '2025-01-03T16:20:08Z',
		}),
		cancellation('Rejected', '2025-01-02T10:30:00Z', {
			statusCode: 'REJECTED',
			statusMessage: 'We still need this product',
			createdAt: '2025-01-01T13:12:22Z',
			updatedAt: '2025-01-02T10:30:00Z',
		}),
		cancellation('Cancelled', '2025-01-02T08:00:00Z', {
			statusCode: 'CANCELLED',
			statusMessage: 'Seller withdrew the request',
			createdAt: '2025-01-01T13:12:22Z',
			updatedAt: '2025-01-02T08:00:00Z',
		}),
		cancellation('Validation Failed', '2025-01-01T13:15:00Z', {
			reasonMessage: 'The terms accepted in agreement had wrong rate',
			statusCode: 'VALIDATION_FAILED',
			statusMessage: 'Agreement has a renewal agreement that must be canceled first',
			createdAt: '2025-01-01T13:12:22Z',
			updatedAt: '2025-01-01T13:15:00Z',
		}),
		billing('Completed', '2025-01-01T13:12:22Z', '-100.00'),
		billing('Failed', '2025-01-01T13:15:00Z', '-1000.00'),
	]
		.map((example) => [example['detail-type'], example] as const)
		.concat([
			[
				'Purchase Agreement Created - Proposer (RENEW)',
				event(
					'Purchase Agreement Created - Proposer',
					{
						agreement: {
							id: 'agmt-newrenewalagreementid',
							intent: 'RENEW',
							status: 'ACTIVE',
							...term,
							acceptanceTime: '2024-08-30T21:36:03Z',
							previousAgreementId: AGREEMENT,
						},
						...product,
						...namedProposer,
						...offer,
					},
					{ resources: ['arn:aws:aws-marketplace::aws:agreement:agmt-newrenewalagreementid'] },
				),
			],
		]),
);
