import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

import { DEFAULT_TEST_CREDENTIAL, type Emulator, type EmulatorAgreement, type EmulatorCredential, type EmulatorOptions } from '../../emulator';
import { emulatorCredential } from './credentials';
import { useEmulator } from './emulator';
import { runNode, type OnError } from './workflow';

// The default key is the seller's (account 123456789012); this one the buyer's of the contract and the trial.
export const BUYER: EmulatorCredential = { accessKeyId: 'AKIABUYER00000000001', secretAccessKey: 'buyer-secret-key', principalArn: 'arn:aws:iam::444455556666:user/buyer' };
export const DENIED: EmulatorCredential = { accessKeyId: 'AKIADENIEDAGREEMENTS', secretAccessKey: 'denied-secret-key', deniedActions: ['aws-marketplace:*'] };
export const LICENSE = 'arn:aws:license-manager::123456789012:license:l-0000000000000000000000000000000c';

const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString();

/** A year's contract of seats with usage overage, its invoices, a cancellation request and a refund. */
export const CONTRACT: EmulatorAgreement = {
	agreementId: 'agmt-contract',
	acceptorAccountId: '444455556666',
	status: 'ACTIVE',
	productId: 'prod-saas1',
	productType: 'SaaSProduct',
	productCode: 'prod-saas',
	offerId: 'offer-contract',
	acceptanceTime: day(0),
	startTime: day(0),
	endTime: day(365),
	lastUpdateTime: day(20),
	licenseArns: [LICENSE],
	estimatedCharges: { currencyCode: 'USD', agreementValue: '2500.00' },
	terms: [
		{ legalTerm: { type: 'LegalTerm', id: 'term-legal', documents: [{ type: 'StandardEula', version: '2022-07-14' }] } },
		{
			configurableUpfrontPricingTerm: {
				type: 'ConfigurableUpfrontPricingTerm',
				id: 'term-contract',
				currencyCode: 'USD',
				rateCards: [
					{ selector: { type: 'Duration', value: 'P12M' }, rateCard: [{ dimensionKey: 'users', price: '100.00' }] },
					{ selector: { type: 'Duration', value: 'P24M' }, rateCard: [{ dimensionKey: 'users', price: '180.00' }] },
				],
				configuration: { selectorValue: 'P12M', dimensions: [{ dimensionKey: 'users', dimensionValue: 25 }] },
			},
		},
		{ usageBasedPricingTerm: { type: 'UsageBasedPricingTerm', id: 'term-overage', currencyCode: 'USD', rateCards: [{ rateCard: [{ dimensionKey: 'requests', price: '0.0015' }] }] } },
		{ validityTerm: { type: 'ValidityTerm', id: 'term-validity', agreementDuration: 'P12M', agreementStartDate: day(0), agreementEndDate: day(365) } },
		{ renewalTerm: { type: 'RenewalTerm', id: 'term-renewal', configuration: { enableAutoRenew: true } } },
	],
	charges: [
		{ id: 'ch-upfront', amount: '2500.00', currencyCode: 'USD', time: day(0), purchaseOrderReference: 'PO-1' },
		{ id: 'ch-overage', amount: '12.30', currencyCode: 'USD', revision: 2 },
	],
	invoices: [
		{ invoiceId: 'inv-jan', invoiceType: 'INVOICE', amount: '2500.00', maxAdjustmentAmount: '2500.00', currencyCode: 'USD', billingPeriod: { month: 1, year: 2026 }, issuedTime: day(31) },
		{ invoiceId: 'inv-feb', invoiceType: 'INVOICE', amount: '12.30', maxAdjustmentAmount: '12.30', currencyCode: 'USD', billingPeriod: { month: 2, year: 2026 }, issuedTime: day(59) },
		{ invoiceId: 'cm-feb', invoiceType: 'CREDIT_MEMO', amount: '100.00', maxAdjustmentAmount: '0', currencyCode: 'USD', billingPeriod: { month: 2, year: 2026 }, issuedTime: day(60) },
	],
	cancellationRequests: [
		{ agreementCancellationRequestId: 'acr-pending', reasonCode: 'INCORRECT_TERMS_ACCEPTED', description: 'Wrong rate', status: 'PENDING_APPROVAL', createdAt: day(70) },
		{ agreementCancellationRequestId: 'acr-rejected', reasonCode: 'OTHER', status: 'REJECTED', statusMessage: 'Still needed', createdAt: day(60), updatedAt: day(61) },
	],
	billingAdjustments: [
		{
			billingAdjustmentRequestId: 'ba-done',
			originalInvoiceId: 'inv-jan',
			adjustmentAmount: '500.00',
			currencyCode: 'USD',
			adjustmentReasonCode: 'INCORRECT_METERING',
			description: 'Seats billed twice',
			status: 'COMPLETED',
			createdAt: day(40),
			updatedAt: day(41),
		},
	],
};

/** Pay as you go after a free trial: no end, no invoices yet. */
export const TRIAL: EmulatorAgreement = {
	agreementId: 'agmt-trial',
	acceptorAccountId: '444455556666',
	status: 'ACTIVE',
	productId: 'prod-saas1',
	productType: 'SaaSProduct',
	productCode: 'prod-saas',
	offerId: 'offer-public',
	acceptanceTime: day(10),
	startTime: day(10),
	terms: [
		{ freeTrialPricingTerm: { type: 'FreeTrialPricingTerm', id: 'term-trial', duration: 'P30D', grants: [{ dimensionKey: 'users', maxQuantity: 5 }, { dimensionKey: 'requests' }] } },
		{
			usageBasedPricingTerm: {
				type: 'UsageBasedPricingTerm',
				id: 'term-usage',
				currencyCode: 'USD',
				rateCards: [{ rateCard: [{ dimensionKey: 'requests', price: '0.002' }, { dimensionKey: 'users', price: '4.00' }] }],
			},
		},
	],
};

/** 58 more agreements of the seller, for pages: 60 in all, two pages of 50. */
export const OTHERS: EmulatorAgreement[] = Array.from({ length: 58 }, (_, n) => ({
	agreementId: `agmt-other${String(n).padStart(3, '0')}`,
	acceptorAccountId: String(200000000000 + (n % 4)),
	status: n % 2 ? 'EXPIRED' : 'ACTIVE',
	productId: n % 3 ? 'prod-saas1' : 'prod-ami1',
	productType: n % 3 ? 'SaaSProduct' : 'AmiProduct',
	offerId: `offer-${n % 5}`,
	acceptanceTime: day(n),
	startTime: day(n),
	endTime: day(100 + n),
}));

export const AGREEMENT_OPTIONS: EmulatorOptions = {
	credentials: [DEFAULT_TEST_CREDENTIAL, BUYER, DENIED],
	products: [
		{ productCode: 'prod-saas', dimensions: ['users', 'requests'] },
		{ productCode: 'prod-ami', dimensions: ['vcpu_hours'] },
	],
	agreements: [CONTRACT, TRIAL, ...OTHERS],
};

/** As the AWS Marketplace Trigger outputs an Agreement Cancellation Request Pending Approval event: the contract's request. */
export const PENDING_CANCELLATION_EVENT = {
	event: 'agreementCancellationRequestPendingApproval',
	agreementId: 'agmt-contract',
	cancellationRequest: { id: 'acr-pending', statusCode: 'PENDING_APPROVAL' },
};

/**
 * For the seller's side of cancellation requests: each of the 58 other agreements has a request the seller sent (two
 * pages of 50); the contract has none, so its buyer receives only what a test sends.
 */
export const CANCELLATION_REQUESTS_OPTIONS: EmulatorOptions = {
	...AGREEMENT_OPTIONS,
	agreements: [
		{ ...CONTRACT, cancellationRequests: [] },
		TRIAL,
		...OTHERS.map((agreement, n) => ({
			...agreement,
			cancellationRequests: [{ agreementCancellationRequestId: `acr-other${n}`, reasonCode: 'TEST_AGREEMENT', status: n % 2 ? 'APPROVED' : 'REJECTED', createdAt: agreement.startTime }],
		})),
	],
};

export interface AgreementRun {
	items?: Record<string, unknown>[];
	onError?: OnError;
	/** Another key than the seller's. */
	as?: EmulatorCredential;
	typeVersion?: number;
}

/** Runs an agreement operation of version 3 through n8n's engine against the emulator. */
export async function runAgreement(emulator: Emulator, resource: string, operation: string, parameters: INodeParameters, run: AgreementRun = {}) {
	const keys: ICredentialDataDecryptedObject = run.as ? { accessKeyId: run.as.accessKeyId, secretAccessKey: run.as.secretAccessKey } : {};
	return await runNode({
		parameters: { resource, operation, ...parameters },
		credentials: emulatorCredential(emulator, keys),
		items: run.items,
		onError: run.onError,
		typeVersion: run.typeVersion ?? 3,
	});
}

/** For the tests of the surrounding describe block: an emulator, reset before each test, and runs of one resource's operations on it. */
export function useAgreementRuns(resource: string, options: EmulatorOptions = AGREEMENT_OPTIONS) {
	const emulator = useEmulator(options);
	beforeEach(() => emulator().reset());
	const run = (operation: string, parameters: Record<string, unknown>, agreementRun: AgreementRun = {}) =>
		runAgreement(emulator(), resource, operation, parameters as INodeParameters, agreementRun);
	return { emulator, run };
}

/** The requests the emulator received for an operation, as sent. */
export const sent = (emulator: Emulator, operation: string) => emulator.log.filter((entry) => entry.operation === operation).map((entry) => entry.body as Record<string, unknown>);
