// The Agreement Service's state: the configured agreements (checked at start, copied so that reset() restores them),
// who may see each one, and the service's errors in its own shapes.
import { DEFAULT_ACCOUNT_ID, type Caller } from './credentials';
import { serviceError, type ServiceError } from './errors';
import type { EmulatorAgreement, EmulatorProduct } from './types';
import { ADJUSTMENT_REASONS, CANCELLATION_REASONS, CANCELLATION_STATUSES, INVOICE_TYPES } from './validation';

/** The caller's side of an agreement, in the words of SearchAgreements' PartyType filter. */
export type Party = 'Proposer' | 'Acceptor';

const TERM_TYPES = [
	'legalTerm',
	'supportTerm',
	'renewalTerm',
	'usageBasedPricingTerm',
	'configurableUpfrontPricingTerm',
	'byolPricingTerm',
	'recurringPaymentTerm',
	'validityTerm',
	'paymentScheduleTerm',
	'freeTrialPricingTerm',
	'fixedUpfrontPricingTerm',
	'variablePaymentTerm',
	'netPaymentTerm',
];
/** The timestamp members of the accepted terms: ISO 8601 in the configuration, epoch seconds on the wire. */
const TERM_TIMESTAMPS = new Set(['agreementStartDate', 'agreementEndDate', 'chargeDate']);
const CANCELLATION_REQUEST_ID = /^acr-[a-zA-Z0-9]+$/;
const BILLING_ADJUSTMENT_ID = /^ba-[a-zA-Z0-9]+$/;
// The model's values of what the configuration holds, so that every answer is one the SDK reads.
const AMOUNT = /^[0-9]+(\.[0-9]{1,8})?$/;
const CURRENCY = /^[A-Z]{3}$/;
const ADJUSTMENT_STATUSES = ['PENDING', 'COMPLETED', 'VALIDATION_FAILED'];

/** The page size of the list operations when the request names none: AWS documents none. */
export const DEFAULT_PAGE_SIZE = 50;

/** awsJson timestamps are epoch seconds. */
export const seconds = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso) / 1000);

/** The account of an IAM or STS principal ARN: arn:aws:iam::<account>:user/… */
export const accountOf = (caller: Caller) => caller.principalArn.split(':')[4] ?? '';

export const notFound = (resourceType: string, resourceId: string): ServiceError =>
	serviceError('ResourceNotFoundException', `${resourceType} ${resourceId} not found.`, 400, { resourceId, resourceType });

export const validation = (reason: string, message: string): ServiceError => serviceError('ValidationException', message, 400, { reason });

/** What the emulator answers a party calling another party's operation: AWS documents no answer for it. */
export const otherPartyOnly = (party: Party, operation: string): ServiceError =>
	serviceError('AccessDeniedException', `Only the ${party === 'Proposer' ? 'proposer (seller)' : 'acceptor (buyer)'} of the agreement may call ${operation}.`, 400, {
		reason: 'INVALID_ACCESS',
	});

export class AgreementStore {
	private agreements = new Map<string, EmulatorAgreement>();

	constructor(
		private readonly configured: EmulatorAgreement[] = [],
		products?: EmulatorProduct[],
	) {
		configured.forEach((agreement, index) => checkAgreement(agreement, `agreements[${index}]`, products));
		const ids = configured.map((agreement) => agreement.agreementId);
		const twice = ids.find((id, index) => ids.indexOf(id) !== index);
		if (twice) throw new Error(`agreements: ${twice} is configured twice`);
		this.reset();
	}

	/** Back to the configuration: cancellation requests answered and billing adjustments created are forgotten. */
	reset(): void {
		this.agreements = new Map(structuredClone(this.configured).map((agreement) => [agreement.agreementId, agreement]));
	}

	/** Every agreement the caller is a party to, in configuration order, with its side. */
	ofCaller(caller: Caller): Array<{ agreement: EmulatorAgreement; party: Party }> {
		return [...this.agreements.values()].flatMap((agreement) => {
			const party = partyOf(agreement, caller);
			return party ? [{ agreement, party }] : [];
		});
	}

	/** The agreement, if the caller is a party to it; another's is not found, as if it did not exist. */
	find(agreementId: string, caller: Caller): { agreement: EmulatorAgreement; party: Party } {
		const agreement = this.agreements.get(agreementId);
		const party = agreement && partyOf(agreement, caller);
		if (!agreement || !party) throw notFound('Agreement', agreementId);
		return { agreement, party };
	}

	/** As find, for an operation AWS documents for one party only. */
	findAs(agreementId: string, caller: Caller, party: Party, operation: string): EmulatorAgreement {
		const found = this.find(agreementId, caller);
		if (found.party !== party) throw otherPartyOnly(party, operation);
		return found.agreement;
	}
}

export const proposerOf = (agreement: EmulatorAgreement) => agreement.proposerAccountId ?? DEFAULT_ACCOUNT_ID;

export function proposalSummary(agreement: EmulatorAgreement): Record<string, unknown> {
	return {
		resources: [{ id: agreement.productId, type: agreement.productType }],
		offerId: agreement.offerId,
		...(agreement.offerSetId ? { offerSetId: agreement.offerSetId } : {}),
	};
}

function partyOf(agreement: EmulatorAgreement, caller: Caller): Party | undefined {
	const account = accountOf(caller);
	if (account === proposerOf(agreement)) return 'Proposer';
	if (account === agreement.acceptorAccountId) return 'Acceptor';
	return undefined;
}

/** The accepted terms as AWS answers them: the configuration's ISO 8601 dates become epoch seconds. */
export function termsOnTheWire(value: unknown, key = ''): unknown {
	if (Array.isArray(value)) return value.map((entry) => termsOnTheWire(entry));
	if (value !== null && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([name, member]) => [name, termsOnTheWire(member, name)]));
	}
	return TERM_TIMESTAMPS.has(key) && typeof value === 'string' ? seconds(value) : value;
}

/** A configuration error at start rather than a malformed answer later. */
function checkAgreement(agreement: EmulatorAgreement, at: string, products?: EmulatorProduct[]): void {
	const date = (value: string | undefined, name: string) => {
		if (value !== undefined && Number.isNaN(Date.parse(value))) throw new Error(`${at}.${name} is not an ISO 8601 date: ${value}`);
	};
	for (const name of ['acceptanceTime', 'startTime', 'endTime', 'lastUpdateTime'] as const) date(agreement[name], name);
	if (!/^[A-Za-z0-9_/-]{1,64}$/.test(agreement.agreementId ?? '')) throw new Error(`${at}.agreementId is not an agreement ID: ${agreement.agreementId}`);
	const dimensions = agreement.productCode === undefined ? undefined : products?.find((product) => product.productCode === agreement.productCode)?.dimensions;
	if (agreement.productCode !== undefined && products && !dimensions) throw new Error(`${at}.productCode ${agreement.productCode} is not a configured product`);
	(agreement.terms ?? []).forEach((term, index) => {
		const kinds = Object.keys(term);
		if (kinds.length !== 1 || !TERM_TYPES.includes(kinds[0])) throw new Error(`${at}.terms[${index}] must have exactly one of ${TERM_TYPES.join(', ')}`);
		walkTimestamps(term, (value) => date(value, `terms[${index}]`));
		for (const dimension of dimensionKeys(term)) {
			if (dimensions && !dimensions.includes(dimension)) throw new Error(`${at}.terms[${index}] prices dimension ${dimension}, which ${agreement.productCode} does not have`);
		}
	});
	const oneOf = (value: string, values: string[], name: string) => {
		if (!values.includes(value)) throw new Error(`${at}.${name} is ${value}, not one of ${values.join(', ')}`);
	};
	const matches = (value: string, pattern: RegExp, name: string, what: string) => {
		if (!pattern.test(value ?? '')) throw new Error(`${at}.${name} is not ${what}: ${value}`);
	};
	(agreement.invoices ?? []).forEach((invoice, index) => {
		date(invoice.issuedTime, `invoices[${index}].issuedTime`);
		oneOf(invoice.invoiceType, INVOICE_TYPES, `invoices[${index}].invoiceType`);
		matches(invoice.amount, AMOUNT, `invoices[${index}].amount`, 'an amount');
		matches(invoice.maxAdjustmentAmount, AMOUNT, `invoices[${index}].maxAdjustmentAmount`, 'an amount');
		matches(invoice.currencyCode, CURRENCY, `invoices[${index}].currencyCode`, 'an ISO 4217 code');
		const { month, year } = invoice.billingPeriod ?? {};
		if (!(month >= 1 && month <= 12 && year >= 2023 && year <= 2050)) throw new Error(`${at}.invoices[${index}].billingPeriod is not a month of 2023 to 2050`);
	});
	(agreement.cancellationRequests ?? []).forEach((request, index) => {
		if (!CANCELLATION_REQUEST_ID.test(request.agreementCancellationRequestId)) throw new Error(`${at}.cancellationRequests[${index}] needs an ID acr-…`);
		oneOf(request.reasonCode, CANCELLATION_REASONS, `cancellationRequests[${index}].reasonCode`);
		oneOf(request.status, CANCELLATION_STATUSES, `cancellationRequests[${index}].status`);
		date(request.createdAt, `cancellationRequests[${index}].createdAt`);
	});
	(agreement.billingAdjustments ?? []).forEach((adjustment, index) => {
		if (!BILLING_ADJUSTMENT_ID.test(adjustment.billingAdjustmentRequestId)) throw new Error(`${at}.billingAdjustments[${index}] needs an ID ba-…`);
		oneOf(adjustment.adjustmentReasonCode, ADJUSTMENT_REASONS, `billingAdjustments[${index}].adjustmentReasonCode`);
		oneOf(adjustment.status, ADJUSTMENT_STATUSES, `billingAdjustments[${index}].status`);
		matches(adjustment.adjustmentAmount, AMOUNT, `billingAdjustments[${index}].adjustmentAmount`, 'an amount');
		if (!(agreement.invoices ?? []).some((invoice) => invoice.invoiceId === adjustment.originalInvoiceId)) {
			throw new Error(`${at}.billingAdjustments[${index}] adjusts invoice ${adjustment.originalInvoiceId}, which the agreement does not have`);
		}
		date(adjustment.createdAt, `billingAdjustments[${index}].createdAt`);
	});
}

function walkTimestamps(value: unknown, visit: (value: string) => void, key = ''): void {
	if (Array.isArray(value)) value.forEach((entry) => walkTimestamps(entry, visit));
	else if (value !== null && typeof value === 'object') Object.entries(value).forEach(([name, member]) => walkTimestamps(member, visit, name));
	else if (TERM_TIMESTAMPS.has(key) && typeof value === 'string') visit(value);
}

/** Every dimension a term prices, grants or configures. */
function dimensionKeys(value: unknown): string[] {
	if (Array.isArray(value)) return value.flatMap(dimensionKeys);
	if (value === null || typeof value !== 'object') return [];
	const object = value as Record<string, unknown>;
	const own = typeof object.dimensionKey === 'string' ? [object.dimensionKey] : [];
	return [...own, ...Object.values(object).flatMap(dimensionKeys)];
}
