import {
	paginateListAgreementCancellationRequests,
	type AgreementCancellationRequestStatus,
	type ListAgreementCancellationRequestsInput,
} from '@aws-sdk/client-marketplace-agreement';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { plain } from '../helpers/agreementItems';
import { AGREEMENT_RULES, checkValue } from '../helpers/agreementRules';
import { limitOf, readPages, returnAllFields } from '../helpers/pages';
import { flatMapItems } from '../helpers/perItem';
import type { Services } from './services';

const OPERATION = 'listAgreementCancellationRequests';
const show = { show: { operation: [OPERATION] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Party Type',
		name: 'partyType',
		type: 'options',
		default: 'Proposer',
		options: [
			{ name: 'Proposer (Seller)', value: 'Proposer', description: 'The requests this account sent as the seller' },
			{ name: 'Acceptor (Buyer)', value: 'Acceptor', description: 'The requests sellers sent this account as the buyer' },
		],
		displayOptions: show,
	},
	{
		displayName: 'Filters',
		name: 'cancellationRequestFilters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: show,
		options: [
			{ displayName: 'Agreement ID', name: 'agreementId', type: 'string', default: '', placeholder: 'e.g. agmt-…' },
			{ displayName: 'Agreement Type', name: 'agreementType', type: 'string', default: 'PurchaseAgreement' },
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				default: 'PENDING_APPROVAL',
				options: [
					{ name: 'Approved', value: 'APPROVED' },
					{ name: 'Cancelled', value: 'CANCELLED' },
					{ name: 'Pending Approval', value: 'PENDING_APPROVAL' },
					{ name: 'Rejected', value: 'REJECTED' },
					{ name: 'Validation Failed', value: 'VALIDATION_FAILED' },
				],
			},
		],
	},
	...returnAllFields(OPERATION),
];

/** One output item per cancellation request: its agreement, status, reason and times, as AWS lists them. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], services: Services): Promise<INodeExecutionData[]> {
	const client = await services.agreementClient();
	return await flatMapItems.call(this, items, async (itemIndex) => {
		const input = readInput(this, itemIndex);
		const requests = await readPages(
			(pageSize) => paginateListAgreementCancellationRequests({ client, pageSize, stopOnSameToken: true }, input),
			(page) => page.items,
			limitOf(this, itemIndex),
		);
		return requests.map(plain);
	});
}

function readInput(ctx: IExecuteFunctions, itemIndex: number): ListAgreementCancellationRequestsInput {
	const filters = ctx.getNodeParameter('cancellationRequestFilters', itemIndex, {}) as Record<string, unknown>;
	const given = (name: string) => filters[name] !== undefined && filters[name] !== '';
	const input: ListAgreementCancellationRequestsInput = { partyType: ctx.getNodeParameter('partyType', itemIndex, 'Proposer') as string };
	if (given('agreementId')) input.agreementId = checkValue(ctx, itemIndex, filters.agreementId, { ...AGREEMENT_RULES.agreementId, label: 'Filters: Agreement ID' });
	if (given('agreementType')) input.agreementType = checkValue(ctx, itemIndex, filters.agreementType, { ...AGREEMENT_RULES.agreementType, label: 'Filters: Agreement Type' });
	if (given('status')) input.status = filters.status as AgreementCancellationRequestStatus;
	return input;
}
