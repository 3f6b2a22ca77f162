import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { AGREEMENT_RULES, agreementIdField, readText } from './agreementRules';

/** The agreement and the cancellation request: the trigger's cancellation events and Get's output carry both. */
export function cancellationRequestFields(operation: string): INodeProperties[] {
	const show = { show: { operation: [operation] } };
	return [
		agreementIdField(show, 'The agreement the cancellation request is for'),
		{
			displayName: 'Cancellation Request ID',
			name: 'agreementCancellationRequestId',
			type: 'string',
			required: true,
			default: '={{ $json.cancellationRequest?.id ?? $json.agreementCancellationRequestId }}',
			placeholder: 'e.g. acr-…',
			description: 'The default reads it from the AWS Marketplace Trigger’s cancellation events, or from Get Agreement Cancellation Request',
			displayOptions: show,
		},
	];
}

export function readCancellationRequest(ctx: IExecuteFunctions, itemIndex: number): { agreementId: string; agreementCancellationRequestId: string } {
	return {
		agreementId: readText(ctx, itemIndex, 'agreementId', AGREEMENT_RULES.agreementId),
		agreementCancellationRequestId: readText(ctx, itemIndex, 'agreementCancellationRequestId', AGREEMENT_RULES.cancellationRequestId),
	};
}

/**
 * Who does what, as AWS's API reference has it: the seller (proposer) sends, withdraws and lists cancellation
 * requests; the buyer (acceptor) accepts or rejects them, or lets 7 days pass, which accepts them. A buyer who wants
 * to leave cancels the subscription itself (the trigger's Purchase Agreement Ended): no request comes to the seller.
 * Agreement Cancellation Request Pending Approval reaches a seller for its own request, awaiting the buyer.
 */
export const BUYER_ONLY_NOTICE =
	'The buyer’s answer to a seller’s request to cancel their agreement: AWS takes it from the buyer’s (acceptor’s) account only, and answers a seller’s account Access Denied. Buyers do not send sellers cancellation requests: a seller’s Agreement Cancellation Request Pending Approval event is its own request awaiting the buyer, followed with Get or List Agreement Cancellation Requests.';

/** The reasons AWS takes for a seller's request to cancel. */
export const CANCELLATION_REASON_CODES = [
	{ name: 'Alternative Procurement Channel', value: 'ALTERNATIVE_PROCUREMENT_CHANNEL' },
	{ name: 'Buyer Dissatisfaction', value: 'BUYER_DISSATISFACTION' },
	{ name: 'Incorrect Terms Accepted', value: 'INCORRECT_TERMS_ACCEPTED' },
	{ name: 'Other', value: 'OTHER' },
	{ name: 'Product Discontinued', value: 'PRODUCT_DISCONTINUED' },
	{ name: 'Replacing Agreement', value: 'REPLACING_AGREEMENT' },
	{ name: 'Test Agreement', value: 'TEST_AGREEMENT' },
	{ name: 'Unintended Renewal', value: 'UNINTENDED_RENEWAL' },
];
