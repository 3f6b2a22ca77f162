import { paginateGetAgreementTerms } from '@aws-sdk/client-marketplace-agreement';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { AGREEMENT_RULES, agreementIdField, readText } from '../helpers/agreementRules';
import { termsItem } from '../helpers/agreementTerms';
import { readPages } from '../helpers/pages';
import { mapItems } from '../helpers/perItem';
import type { Services } from './services';

export const description: INodeProperties[] = [
	agreementIdField(
		{ show: { operation: ['getAgreementTerms'] } },
		'The agreement whose accepted terms to read: pricing, dimensions, free trial, validity, renewal',
	),
];

/** One item per input item with every page of the agreement's accepted terms. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], services: Services): Promise<INodeExecutionData[]> {
	const client = await services.agreementClient();
	return await mapItems.call(this, items, async (itemIndex) => {
		const agreementId = readText(this, itemIndex, 'agreementId', AGREEMENT_RULES.agreementId);
		const terms = await readPages(
			(pageSize) => paginateGetAgreementTerms({ client, pageSize, stopOnSameToken: true }, { agreementId }),
			(page) => page.acceptedTerms,
			undefined,
		);
		return termsItem(agreementId, terms);
	});
}
