import { DescribeAgreementCommand } from '@aws-sdk/client-marketplace-agreement';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { agreementItem } from '../helpers/agreementItems';
import { AGREEMENT_RULES, agreementIdField, readText } from '../helpers/agreementRules';
import { mapItems } from '../helpers/perItem';
import type { Services } from './services';

export const description: INodeProperties[] = [
	agreementIdField(
		{ show: { operation: ['describeAgreement'] } },
		'The agreement: the AWS Marketplace Trigger’s items and Search Agreements carry it as agreementId',
	),
];

/** One item per input item: the agreement's parties, product, offer, status and dates. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], services: Services): Promise<INodeExecutionData[]> {
	const client = await services.agreementClient();
	return await mapItems.call(this, items, async (itemIndex) => {
		const agreementId = readText(this, itemIndex, 'agreementId', AGREEMENT_RULES.agreementId);
		const answer = await client.send(new DescribeAgreementCommand({ agreementId }));
		return agreementItem(answer, {
			estimatedCharges: answer.estimatedCharges ? { currencyCode: answer.estimatedCharges.currencyCode ?? null, agreementValue: answer.estimatedCharges.agreementValue ?? null } : null,
		});
	});
}
