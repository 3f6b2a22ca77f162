// Agreement cancellation requests and billing adjustment requests, on validated input. As AWS's API reference has it, a
// seller (proposer) sends, withdraws and lists cancellation requests, its buyer (acceptor) accepts or rejects them,
// either party reads them; a party calling the other's operation is refused (AccessDeniedException, INVALID_ACCESS).
// A seller refunds part of an invoice with a billing adjustment request.
import { randomBytes } from 'node:crypto';

import { DEFAULT_PAGE_SIZE, notFound, seconds, validation, type AgreementStore } from './agreementStore';
import type { Caller } from './credentials';
import { serviceError } from './errors';
import { pageOf } from './pages';
import type { EmulatorAgreement, EmulatorBillingAdjustment, EmulatorCancellationRequest } from './types';

interface CancellationRequestInput {
	agreementId: string;
	agreementCancellationRequestId: string;
	rejectionReason?: string;
	cancellationReason?: string;
}

interface SendCancellationRequestInput {
	agreementId: string;
	reasonCode: string;
	description?: string;
	clientToken?: string;
}

interface ListCancellationRequestsInput {
	partyType: string;
	agreementId?: string;
	status?: string;
	agreementType?: string;
	catalog?: string;
	maxResults?: number;
	nextToken?: string;
}

interface BillingAdjustmentEntry {
	agreementId: string;
	originalInvoiceId: string;
	adjustmentAmount: string;
	currencyCode: string;
	adjustmentReasonCode: string;
	description?: string;
	clientToken: string;
}

/** Billing adjustments that count against an invoice's maxAdjustmentAmount. */
const COUNTED = new Set(['PENDING', 'COMPLETED']);
/** adjustmentAmount has up to 8 decimals (PositiveAmountUpto8Decimals): compared in 1e-8 units, exactly. */
const DECIMALS = 8;

export function getCancellationRequest(store: AgreementStore, body: unknown, caller: Caller): Record<string, unknown> {
	const input = body as CancellationRequestInput;
	const { agreement } = store.find(input.agreementId, caller);
	return cancellationAnswer(agreement, findCancellationRequest(agreement, input.agreementCancellationRequestId));
}

/**
 * The proposer asks to cancel an active agreement: a request PENDING_APPROVAL, one at a time per agreement. The same
 * client token again answers the request it created; with other parameters it is a conflict.
 */
export function sendCancellationRequest(store: AgreementStore, body: unknown, caller: Caller, now: Date): Record<string, unknown> {
	const input = body as SendCancellationRequestInput;
	const agreement = store.findAs(input.agreementId, caller, 'Proposer', 'SendAgreementCancellationRequest');
	const same = input.clientToken === undefined ? undefined : proposerRequests(store, caller).find(({ request }) => request.clientToken === input.clientToken);
	if (same) {
		const unchanged =
			same.agreement === agreement && same.request.reasonCode === input.reasonCode && (same.request.description ?? '') === (input.description ?? '');
		if (!unchanged) throw conflict(`The client token ${input.clientToken} was used for another cancellation request.`, same.request.agreementCancellationRequestId);
		return sentAnswer(agreement, same.request);
	}
	if (agreement.status !== 'ACTIVE') throw conflict(`Agreement ${agreement.agreementId} is ${agreement.status}: only an active agreement can be cancelled.`, agreement.agreementId, 'Agreement');
	const pending = (agreement.cancellationRequests ?? []).find((request) => request.status === 'PENDING_APPROVAL');
	if (pending) throw conflict(`Agreement ${agreement.agreementId} already has the cancellation request ${pending.agreementCancellationRequestId} pending approval.`, pending.agreementCancellationRequestId);
	const request: EmulatorCancellationRequest = {
		agreementCancellationRequestId: `acr-${randomBytes(12).toString('hex')}`,
		reasonCode: input.reasonCode,
		...(input.description ? { description: input.description } : {}),
		status: 'PENDING_APPROVAL',
		createdAt: now.toISOString(),
		...(input.clientToken ? { clientToken: input.clientToken } : {}),
	};
	(agreement.cancellationRequests ??= []).push(request);
	return sentAnswer(agreement, request);
}

/** The proposer withdraws its request while the buyer has not answered: CANCELLED, with the reason as statusMessage. */
export function cancelCancellationRequest(store: AgreementStore, body: unknown, caller: Caller, now: Date): Record<string, unknown> {
	const input = body as CancellationRequestInput;
	const agreement = store.findAs(input.agreementId, caller, 'Proposer', 'CancelAgreementCancellationRequest');
	const request = pendingRequest(agreement, input.agreementCancellationRequestId, 'cancelled');
	request.status = 'CANCELLED';
	request.statusMessage = input.cancellationReason;
	request.updatedAt = now.toISOString();
	return cancellationAnswer(agreement, request);
}

/** The caller's requests on the side partyType names, oldest first, filtered and paged. */
export function listCancellationRequests(store: AgreementStore, body: unknown, caller: Caller): Record<string, unknown> {
	const input = body as ListCancellationRequestsInput;
	if (input.partyType !== 'Proposer' && input.partyType !== 'Acceptor') throw validation('INVALID_PARTY_TYPE', `PartyType ${input.partyType} is not Proposer or Acceptor.`);
	if (input.catalog !== undefined && input.catalog !== 'AWSMarketplace') throw validation('INVALID_CATALOG', `Catalog ${input.catalog} is not supported.`);
	const matching = store
		.ofCaller(caller)
		.filter(({ agreement, party }) => party === input.partyType && (input.agreementId ?? agreement.agreementId) === agreement.agreementId)
		.filter(({ agreement }) => input.agreementType === undefined || input.agreementType === (agreement.agreementType ?? 'PurchaseAgreement'))
		.flatMap(({ agreement }) => (agreement.cancellationRequests ?? []).map((request) => ({ agreement, request })))
		.filter(({ request }) => input.status === undefined || request.status === input.status)
		.sort((a, b) => Date.parse(a.request.createdAt) - Date.parse(b.request.createdAt) || a.request.agreementCancellationRequestId.localeCompare(b.request.agreementCancellationRequestId));
	const { maxResults: _size, nextToken: token, ...query } = input;
	const { page, nextToken } = pageOf(matching, {
		token,
		size: input.maxResults ?? DEFAULT_PAGE_SIZE,
		query,
		invalidToken: () => validation('INVALID_NEXT_TOKEN', 'The nextToken is not valid for this request.'),
	});
	return {
		items: page.map(({ agreement, request }) => ({
			agreementCancellationRequestId: request.agreementCancellationRequestId,
			agreementId: agreement.agreementId,
			status: request.status,
			reasonCode: request.reasonCode,
			agreementType: agreement.agreementType ?? 'PurchaseAgreement',
			catalog: 'AWSMarketplace',
			createdAt: seconds(request.createdAt),
			updatedAt: seconds(request.updatedAt ?? request.createdAt),
		})),
		...(nextToken ? { nextToken } : {}),
	};
}

/** Accept or Reject: the acceptor's answer to a request pending its approval. */
export function answerCancellationRequest(store: AgreementStore, operation: string, body: unknown, caller: Caller, now: Date): Record<string, unknown> {
	const input = body as CancellationRequestInput;
	const agreement = store.findAs(input.agreementId, caller, 'Acceptor', operation);
	const request = pendingRequest(agreement, input.agreementCancellationRequestId, 'accepted or rejected');
	request.updatedAt = now.toISOString();
	if (operation === 'AcceptAgreementCancellationRequest') {
		request.status = 'APPROVED';
		agreement.status = 'CANCELLED';
		agreement.lastUpdateTime = request.updatedAt;
		// Accept's answer has no statusMessage.
		const { statusMessage: _none, ...answer } = cancellationAnswer(agreement, request);
		return answer;
	}
	request.status = 'REJECTED';
	request.statusMessage = input.rejectionReason;
	return cancellationAnswer(agreement, request);
}

/** Every entry is answered, created (items) or not (errors), by its client token; the same token again is idempotent. */
export function batchCreateBillingAdjustments(store: AgreementStore, body: unknown, caller: Caller, now: Date): Record<string, unknown> {
	const entries = (body as { billingAdjustmentRequestEntries: BillingAdjustmentEntry[] }).billingAdjustmentRequestEntries;
	if (!entries.length) throw validation('MISSING_BILLING_ADJUSTMENTS', 'billingAdjustmentRequestEntries has no entry.');
	const items: Record<string, unknown>[] = [];
	const errors: Record<string, unknown>[] = [];
	for (const entry of entries) {
		try {
			items.push({ billingAdjustmentRequestId: createBillingAdjustment(store, entry, caller, now), clientToken: entry.clientToken });
		} catch (error) {
			if (!(error instanceof EntryError)) throw error;
			errors.push({ code: error.code, message: error.message, clientToken: entry.clientToken });
		}
	}
	return { items, errors };
}

export function getBillingAdjustment(store: AgreementStore, body: unknown, caller: Caller): Record<string, unknown> {
	const input = body as { agreementId: string; billingAdjustmentRequestId: string };
	const agreement = store.findAs(input.agreementId, caller, 'Proposer', 'GetBillingAdjustmentRequest');
	const adjustment = (agreement.billingAdjustments ?? []).find((candidate) => candidate.billingAdjustmentRequestId === input.billingAdjustmentRequestId);
	if (!adjustment) throw notFound('BillingAdjustmentRequest', input.billingAdjustmentRequestId);
	return {
		billingAdjustmentRequestId: adjustment.billingAdjustmentRequestId,
		agreementId: agreement.agreementId,
		adjustmentReasonCode: adjustment.adjustmentReasonCode,
		...(adjustment.description ? { description: adjustment.description } : {}),
		originalInvoiceId: adjustment.originalInvoiceId,
		adjustmentAmount: adjustment.adjustmentAmount,
		currencyCode: adjustment.currencyCode,
		status: adjustment.status,
		...(adjustment.statusMessage ? { statusMessage: adjustment.statusMessage } : {}),
		createdAt: seconds(adjustment.createdAt),
		updatedAt: seconds(adjustment.updatedAt ?? adjustment.createdAt),
	};
}

/** An entry's failure, answered in `errors` with the code AWS gives it. */
class EntryError extends Error {
	constructor(
		readonly code: 'CONFLICT_EXCEPTION' | 'VALIDATION_EXCEPTION' | 'RESOURCE_NOT_FOUND_EXCEPTION',
		message: string,
	) {
		super(message);
	}
}

function createBillingAdjustment(store: AgreementStore, entry: BillingAdjustmentEntry, caller: Caller, now: Date): string {
	const mine = store.ofCaller(caller).filter((found) => found.party === 'Proposer');
	const earlier = mine.flatMap(({ agreement }) => (agreement.billingAdjustments ?? []).map((adjustment) => ({ agreement, adjustment })));
	const same = earlier.find(({ adjustment }) => adjustment.clientToken === entry.clientToken);
	if (same) {
		if (sameEntry(same.agreement, same.adjustment, entry)) return same.adjustment.billingAdjustmentRequestId;
		throw new EntryError('CONFLICT_EXCEPTION', `The client token ${entry.clientToken} was used for another billing adjustment request.`);
	}
	const agreement = mine.find((found) => found.agreement.agreementId === entry.agreementId)?.agreement;
	if (!agreement) throw new EntryError('RESOURCE_NOT_FOUND_EXCEPTION', `Agreement ${entry.agreementId} not found.`);
	const invoice = (agreement.invoices ?? []).find((candidate) => candidate.invoiceId === entry.originalInvoiceId);
	if (!invoice) throw new EntryError('RESOURCE_NOT_FOUND_EXCEPTION', `Invoice ${entry.originalInvoiceId} of agreement ${entry.agreementId} not found.`);
	if (invoice.invoiceType !== 'INVOICE') throw new EntryError('VALIDATION_EXCEPTION', `${entry.originalInvoiceId} is a ${invoice.invoiceType}, not an invoice.`);
	if (entry.currencyCode !== invoice.currencyCode) {
		throw new EntryError('VALIDATION_EXCEPTION', `The currency code ${entry.currencyCode} is not the invoice's, ${invoice.currencyCode}.`);
	}
	const amount = units(entry.adjustmentAmount);
	if (amount <= 0n) throw new EntryError('VALIDATION_EXCEPTION', `The adjustment amount ${entry.adjustmentAmount} is not greater than 0.`);
	const adjusted = (agreement.billingAdjustments ?? [])
		.filter((adjustment) => adjustment.originalInvoiceId === invoice.invoiceId && COUNTED.has(adjustment.status))
		.reduce((sum, adjustment) => sum + units(adjustment.adjustmentAmount), 0n);
	if (amount > units(invoice.maxAdjustmentAmount) - adjusted) {
		throw new EntryError(
			'VALIDATION_EXCEPTION',
			`The adjustment amount ${entry.adjustmentAmount} exceeds what is left to adjust of invoice ${invoice.invoiceId} (maxAdjustmentAmount ${invoice.maxAdjustmentAmount}, adjusted ${format(adjusted)}).`,
		);
	}
	const created: EmulatorBillingAdjustment = {
		billingAdjustmentRequestId: `ba-${randomBytes(12).toString('hex')}`,
		originalInvoiceId: entry.originalInvoiceId,
		adjustmentAmount: entry.adjustmentAmount,
		currencyCode: entry.currencyCode,
		adjustmentReasonCode: entry.adjustmentReasonCode,
		...(entry.description ? { description: entry.description } : {}),
		status: 'PENDING',
		createdAt: now.toISOString(),
		clientToken: entry.clientToken,
	};
	(agreement.billingAdjustments ??= []).push(created);
	return created.billingAdjustmentRequestId;
}

function sameEntry(agreement: EmulatorAgreement, adjustment: EmulatorBillingAdjustment, entry: BillingAdjustmentEntry): boolean {
	return (
		agreement.agreementId === entry.agreementId &&
		adjustment.originalInvoiceId === entry.originalInvoiceId &&
		units(adjustment.adjustmentAmount) === units(entry.adjustmentAmount) &&
		adjustment.currencyCode === entry.currencyCode &&
		adjustment.adjustmentReasonCode === entry.adjustmentReasonCode &&
		(adjustment.description ?? '') === (entry.description ?? '')
	);
}

function units(amount: string): bigint {
	const [whole, fraction = ''] = amount.split('.');
	return BigInt(whole || '0') * 10n ** BigInt(DECIMALS) + BigInt(fraction.padEnd(DECIMALS, '0') || '0');
}

function format(amount: bigint): string {
	const text = amount.toString().padStart(DECIMALS + 1, '0');
	return `${text.slice(0, -DECIMALS)}.${text.slice(-DECIMALS).replace(/0+$/, '').padEnd(2, '0')}`;
}

function findCancellationRequest(agreement: EmulatorAgreement, id: string): EmulatorCancellationRequest {
	const request = (agreement.cancellationRequests ?? []).find((candidate) => candidate.agreementCancellationRequestId === id);
	if (!request) throw notFound('AgreementCancellationRequest', id);
	return request;
}

/** The request, if still PENDING_APPROVAL: AWS answers ConflictException for any other status. */
function pendingRequest(agreement: EmulatorAgreement, id: string, verb: string): EmulatorCancellationRequest {
	const request = findCancellationRequest(agreement, id);
	if (request.status !== 'PENDING_APPROVAL') throw conflict(`The cancellation request ${id} is ${request.status}: only a request in PENDING_APPROVAL can be ${verb}.`, id);
	return request;
}

const conflict = (message: string, resourceId: string, resourceType = 'AgreementCancellationRequest') =>
	serviceError('ConflictException', message, 400, { resourceId, resourceType });

function proposerRequests(store: AgreementStore, caller: Caller): Array<{ agreement: EmulatorAgreement; request: EmulatorCancellationRequest }> {
	return store
		.ofCaller(caller)
		.filter(({ party }) => party === 'Proposer')
		.flatMap(({ agreement }) => (agreement.cancellationRequests ?? []).map((request) => ({ agreement, request })));
}

/** Send's answer has no statusMessage. */
function sentAnswer(agreement: EmulatorAgreement, request: EmulatorCancellationRequest): Record<string, unknown> {
	const { statusMessage: _none, ...answer } = cancellationAnswer(agreement, request);
	return answer;
}

function cancellationAnswer(agreement: EmulatorAgreement, request: EmulatorCancellationRequest): Record<string, unknown> {
	return {
		agreementCancellationRequestId: request.agreementCancellationRequestId,
		agreementId: agreement.agreementId,
		reasonCode: request.reasonCode,
		...(request.description ? { description: request.description } : {}),
		status: request.status,
		...(request.statusMessage ? { statusMessage: request.statusMessage } : {}),
		createdAt: seconds(request.createdAt),
		updatedAt: seconds(request.updatedAt ?? request.createdAt),
	};
}
