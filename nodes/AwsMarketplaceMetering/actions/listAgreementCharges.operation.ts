import { paginateListAgreementCharges, type ListAgreementChargesInput } from '@aws-sdk/client-marketplace-agreement';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { plain } from '../helpers/agreementItems';
import { AGREEMENT_RULES, checkValue } from '../helpers/agreementRules';
import { limitOf, readPages, returnAllFields } from '../helpers/pages';
import { flatMapItems } from '../helpers/perItem';
import type { Services } from './services';

const show = { show: { operation: ['listAgreementCharges'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'AWS answers this to the buyer (acceptor) of an agreement: what the buyer’s account is charged. A seller’s account has no charges of its own to list.',
		name: 'buyerNotice',
		type: 'notice',
		default: '',
		displayOptions: show,
	},
	{
		displayName: 'Filters',
		name: 'chargeFilters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: show,
		options: [
			{ displayName: 'Agreement ID', name: 'agreementId', type: 'string', default: '', placeholder: 'e.g. agmt-…' },
			{ displayName: 'Agreement Type', name: 'agreementType', type: 'string', default: '', placeholder: 'e.g. PurchaseAgreement' },
		],
	},
	...returnAllFields('listAgreementCharges'),
];

/** One output item per charge: its amount, currency, time, revision and purchase order reference. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], services: Services): Promise<INodeExecutionData[]> {
	const client = await services.agreementClient();
	return await flatMapItems.call(this, items, async (itemIndex) => {
		const filters = this.getNodeParameter('chargeFilters', itemIndex, {}) as { agreementId?: string; agreementType?: string };
		const input: ListAgreementChargesInput = {};
		if (filters.agreementId) input.agreementId = checkValue(this, itemIndex, filters.agreementId, { ...AGREEMENT_RULES.agreementId, label: 'Filters: Agreement ID' });
		if (filters.agreementType) input.agreementType = checkValue(this, itemIndex, filters.agreementType, { ...AGREEMENT_RULES.agreementType, label: 'Filters: Agreement Type' });
		const charges = await readPages(
			(pageSize) => paginateListAgreementCharges({ client, pageSize, stopOnSameToken: true }, input),
			(page) => page.items,
			limitOf(this, itemIndex),
		);
		return charges.map(plain);
	});
}
