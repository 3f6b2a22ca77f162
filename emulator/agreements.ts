// The AWS Marketplace Agreement Service (awsJson 1.0, target AWSMPCommerceService_v20200301) on validated input: the
// configured agreements as their proposer (the seller) and their acceptor (the buyer) see them. Searches are in
// agreementSearch.ts, cancellation and billing adjustment requests in agreementRequests.ts.
import {
	answerCancellationRequest,
	batchCreateBillingAdjustments,
	cancelCancellationRequest,
	getBillingAdjustment,
	getCancellationRequest,
	listCancellationRequests,
	sendCancellationRequest,
} from './agreementRequests';
import { searchAgreements } from './agreementSearch';
import { AgreementStore, DEFAULT_PAGE_SIZE, proposalSummary, proposerOf, seconds, termsOnTheWire, validation } from './agreementStore';
import type { Caller } from './credentials';
import { pageOf } from './pages';
import type { EmulatorAgreement, EmulatorInvoice, EmulatorProduct } from './types';

interface Paged {
	maxResults?: number;
	nextToken?: string;
}
interface ListInvoiceLineItemsRequest extends Paged {
	agreementId: string;
	invoiceId?: string;
	invoiceType?: string;
	invoiceBillingPeriod?: { month: number; year: number };
	beforeIssuedTime?: number;
	afterIssuedTime?: number;
}
interface ListChargesRequest extends Paged {
	catalog?: string;
	agreementId?: string;
	agreementType?: string;
}

const invalidToken = () => validation('INVALID_NEXT_TOKEN', 'The nextToken is not valid for this request.');

export class AgreementService {
	private readonly store: AgreementStore;

	constructor(agreements?: EmulatorAgreement[], products?: EmulatorProduct[]) {
		this.store = new AgreementStore(agreements, products);
	}

	reset(): void {
		this.store.reset();
	}

	/** `body` has passed the model's validation; `operation` is one of validation.ts's AGREEMENT_OPERATIONS. */
	handle(operation: string, body: unknown, caller: Caller, now: Date): Record<string, unknown> {
		switch (operation) {
			case 'DescribeAgreement':
				return describe(this.store.find((body as { agreementId: string }).agreementId, caller).agreement);
			case 'GetAgreementTerms':
				return this.terms(body as Paged & { agreementId: string }, caller);
			case 'SearchAgreements':
				return searchAgreements(this.store, body, caller);
			case 'ListAgreementInvoiceLineItems':
				return this.invoiceLineItems(body as ListInvoiceLineItemsRequest, caller);
			case 'ListAgreementCharges':
				return this.charges(body as ListChargesRequest, caller);
			case 'SendAgreementCancellationRequest':
				return sendCancellationRequest(this.store, body, caller, now);
			case 'CancelAgreementCancellationRequest':
				return cancelCancellationRequest(this.store, body, caller, now);
			case 'ListAgreementCancellationRequests':
				return listCancellationRequests(this.store, body, caller);
			case 'GetAgreementCancellationRequest':
				return getCancellationRequest(this.store, body, caller);
			case 'AcceptAgreementCancellationRequest':
			case 'RejectAgreementCancellationRequest':
				return answerCancellationRequest(this.store, operation, body, caller, now);
			case 'BatchCreateBillingAdjustmentRequest':
				return batchCreateBillingAdjustments(this.store, body, caller, now);
			case 'GetBillingAdjustmentRequest':
				return getBillingAdjustment(this.store, body, caller);
			default:
				throw new Error(`${operation} is not an Agreement Service operation`);
		}
	}

	private terms(request: Paged & { agreementId: string }, caller: Caller): Record<string, unknown> {
		const { agreement } = this.store.find(request.agreementId, caller);
		const { page, nextToken } = pageOf(agreement.terms ?? [], { token: request.nextToken, size: request.maxResults ?? DEFAULT_PAGE_SIZE, query: agreement.agreementId, invalidToken });
		return { acceptedTerms: termsOnTheWire(page), ...(nextToken ? { nextToken } : {}) };
	}

	/** The seller's invoices of one agreement, one group per invoice (groupBy INVOICE_ID, the only grouping). */
	private invoiceLineItems(request: ListInvoiceLineItemsRequest, caller: Caller): Record<string, unknown> {
		const agreement = this.store.findAs(request.agreementId, caller, 'Proposer', 'ListAgreementInvoiceLineItems');
		const period = request.invoiceBillingPeriod;
		const matching = (agreement.invoices ?? []).filter(
			(invoice) =>
				(request.invoiceId === undefined || invoice.invoiceId === request.invoiceId) &&
				(request.invoiceType === undefined || invoice.invoiceType === request.invoiceType) &&
				(period === undefined || (invoice.billingPeriod.month === period.month && invoice.billingPeriod.year === period.year)) &&
				(request.beforeIssuedTime === undefined || seconds(invoice.issuedTime)! < request.beforeIssuedTime) &&
				(request.afterIssuedTime === undefined || seconds(invoice.issuedTime)! > request.afterIssuedTime),
		);
		const { maxResults: _size, nextToken: token, ...query } = request;
		const { page, nextToken } = pageOf(matching, { token, size: request.maxResults ?? DEFAULT_PAGE_SIZE, query, invalidToken });
		return { agreementInvoiceLineItemGroupSummaries: page.map((invoice) => invoiceGroup(agreement, invoice)), ...(nextToken ? { nextToken } : {}) };
	}

	/** What the caller is charged as acceptor (AWS documents the operation for acceptors): a seller has none. */
	private charges(request: ListChargesRequest, caller: Caller): Record<string, unknown> {
		if (request.catalog !== undefined && request.catalog !== 'AWSMarketplace') throw validation('INVALID_CATALOG', `Catalog ${request.catalog} is not supported.`);
		const charges = this.store
			.ofCaller(caller)
			.filter(({ agreement, party }) => party === 'Acceptor' && (request.agreementId ?? agreement.agreementId) === agreement.agreementId)
			.filter(({ agreement }) => (request.agreementType ?? 'PurchaseAgreement') === (agreement.agreementType ?? 'PurchaseAgreement'))
			.flatMap(({ agreement }) =>
				(agreement.charges ?? []).map((charge) => ({
					id: charge.id,
					revision: charge.revision ?? 1,
					agreementId: agreement.agreementId,
					agreementType: agreement.agreementType ?? 'PurchaseAgreement',
					...(charge.purchaseOrderReference ? { purchaseOrderReference: charge.purchaseOrderReference } : {}),
					currencyCode: charge.currencyCode,
					amount: charge.amount,
					...(charge.time ? { time: seconds(charge.time) } : {}),
				})),
			);
		const { maxResults: _size, nextToken: token, ...query } = request;
		const { page, nextToken } = pageOf(charges, { token, size: request.maxResults ?? DEFAULT_PAGE_SIZE, query, invalidToken });
		return { items: page, ...(nextToken ? { nextToken } : {}) };
	}
}

function describe(agreement: EmulatorAgreement): Record<string, unknown> {
	const behavior = agreement.endTimeBehavior;
	return {
		agreementId: agreement.agreementId,
		acceptor: { accountId: agreement.acceptorAccountId },
		proposer: { accountId: proposerOf(agreement) },
		startTime: seconds(agreement.startTime),
		...(agreement.endTime ? { endTime: seconds(agreement.endTime) } : {}),
		acceptanceTime: seconds(agreement.acceptanceTime),
		agreementType: agreement.agreementType ?? 'PurchaseAgreement',
		...(agreement.estimatedCharges ? { estimatedCharges: agreement.estimatedCharges } : {}),
		proposalSummary: proposalSummary(agreement),
		status: agreement.status,
		initialAgreementId: agreement.initialAgreementId ?? agreement.agreementId,
		...(behavior
			? {
					endTimeBehavior: {
						type: behavior.type,
						...(behavior.reasonCode ? { reasonCode: behavior.reasonCode } : {}),
						...(behavior.renewalOfferId ? { renewalSummary: { offerId: behavior.renewalOfferId } } : {}),
					},
				}
			: {}),
	};
}

function invoiceGroup(agreement: EmulatorAgreement, invoice: EmulatorInvoice): Record<string, unknown> {
	return {
		agreementId: agreement.agreementId,
		invoiceId: invoice.invoiceId,
		pricingCurrencyAmount: { amount: invoice.amount, maxAdjustmentAmount: invoice.maxAdjustmentAmount, currencyCode: invoice.currencyCode },
		invoiceBillingPeriod: invoice.billingPeriod,
		issuedTime: seconds(invoice.issuedTime),
		invoiceType: invoice.invoiceType,
		invoicingEntity: invoice.invoicingEntity ?? { legalName: 'Amazon Web Services, Inc.' },
	};
}
