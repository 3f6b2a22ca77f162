import { SendAgreementCancellationRequestCommand, type AgreementCancellationRequestReasonCode } from '@aws-sdk/client-marketplace-agreement';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { plain } from '../helpers/agreementItems';
import { AGREEMENT_RULES, agreementIdField, checkValue, readText } from '../helpers/agreementRules';
import { CANCELLATION_REASON_CODES } from '../helpers/cancellationRequests';
import { deriveCancellationToken } from '../helpers/clientToken';
import { confirmationFields, requireConfirmation, type Confirmation } from '../helpers/confirmation';
import { mapItems } from '../helpers/perItem';
import type { Services } from './services';
import { clientTokenOption } from './common.descriptions';

const CONFIRMATION: Confirmation = {
	operation: 'sendAgreementCancellationRequest',
	name: 'confirmCancellationRequest',
	displayName: 'Confirm Cancellation Request',
	notice:
		'Asks the buyer of each agreement to cancel it: AWS Marketplace notifies the buyer, who has 7 days to accept or reject; a request left unanswered is accepted, and the agreement is cancelled. Until then, Cancel Agreement Cancellation Request withdraws it.',
};
const show = { show: { operation: [CONFIRMATION.operation] } };

export const description: INodeProperties[] = [
	...confirmationFields(CONFIRMATION),
	agreementIdField(show, 'The active agreement to cancel; this account must be its seller (proposer)'),
	{
		displayName: 'Reason Code',
		name: 'reasonCode',
		type: 'options',
		default: 'OTHER',
		options: CANCELLATION_REASON_CODES,
		description: 'Why the seller asks to cancel; the buyer sees it',
		displayOptions: show,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			clientTokenOption(
				'Up to 64 characters of a-z A-Z 0-9 -. Empty: derived from the agreement, reason and description, so the same request sent again (a retried execution) answers the first. To ask again after a request was withdrawn, rejected or failed, give a new token.',
			),
			{ displayName: 'Description', name: 'description', type: 'string', default: '', typeOptions: { rows: 2 }, description: 'Why, in up to 2000 characters; the buyer sees it' },
		],
	},
];

/** One item per input item: the request, PENDING_APPROVAL until the buyer answers (Get or List, or the trigger's events). */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], services: Services): Promise<INodeExecutionData[]> {
	requireConfirmation(this, CONFIRMATION);
	const client = await services.agreementClient();
	return await mapItems.call(this, items, async (itemIndex) => {
		const options = this.getNodeParameter('options', itemIndex, {}) as { clientToken?: string; description?: string };
		const request = {
			agreementId: readText(this, itemIndex, 'agreementId', AGREEMENT_RULES.agreementId),
			reasonCode: this.getNodeParameter('reasonCode', itemIndex, 'OTHER') as AgreementCancellationRequestReasonCode,
			...(options.description ? { description: checkValue(this, itemIndex, options.description, AGREEMENT_RULES.cancellationDescription) } : {}),
		};
		const clientToken = options.clientToken ? checkValue(this, itemIndex, options.clientToken, AGREEMENT_RULES.clientToken) : deriveCancellationToken(request);
		return plain(await client.send(new SendAgreementCancellationRequestCommand({ ...request, clientToken })));
	});
}
