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

/** Accept and Reject are the buyer's answer: AWS takes them from the agreement's acceptor only. */
export const BUYER_ONLY_NOTICE =
	'The buyer’s answer to a seller’s request to cancel their agreement: AWS takes it from the buyer’s (acceptor’s) account only. A seller learns the answer from the AWS Marketplace Trigger’s Agreement Cancellation Request events, or from Get Agreement Cancellation Request.';
