import {
	paginateGetEntitlements,
	type Entitlement,
	type EntitlementValue,
	type GetEntitlementFilterName,
} from '@aws-sdk/client-marketplace-entitlement-service';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { CONSTRAINTS, checkDimension, checkLicenseArnToSend, checkText, type Checked } from '../batch';
import { fieldError, listOf, requireProductCode } from '../helpers/fields';
import { flatMapItems } from '../helpers/perItem';
import type { Services } from './services';

const show = { show: { operation: ['getEntitlements'] } };
/** The model's largest page: the fewest requests. */
const PAGE_SIZE = 25;

export const description: INodeProperties[] = [
	{
		displayName: 'Product Code',
		name: 'entitlementsProductCode',
		type: 'string',
		required: true,
		default: '={{ $json.productCode }}',
		description: 'The contract product’s code from the AWS Marketplace Management Portal, or the one Resolve Customer returned',
		displayOptions: show,
	},
	{
		displayName: 'Filters',
		name: 'entitlementFilters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		description: 'Without filters, every entitlement of the product. Several filters: entitlements that match all of them.',
		displayOptions: show,
		options: [
			{
				displayName: 'Customer AWS Account ID',
				name: 'customerAWSAccountId',
				type: 'string',
				default: '',
				placeholder: 'e.g. 123456789012',
				description:
					'The buyer’s AWS account ID, as Resolve Customer returned it: one, a comma-separated list or an array, matching any of them. Not together with Customer Identifier.',
			},
			{
				displayName: 'Customer Identifier',
				name: 'customerIdentifier',
				type: 'string',
				default: '',
				description:
					'The customer identifier of products listed before 2024: one, a comma-separated list or an array, matching any of them. Not together with Customer AWS Account ID.',
			},
			{
				displayName: 'Dimension',
				name: 'dimension',
				type: 'string',
				default: '',
				description: 'The dimension’s API identifier, as in the product’s pricing: one, a comma-separated list or an array, matching any of them',
			},
			{
				displayName: 'License ARN',
				name: 'licenseArn',
				type: 'string',
				default: '',
				placeholder: 'e.g. arn:aws:license-manager::123456789012:license:l-…',
				description: 'The license Resolve Customer returned: one, a comma-separated list or an array, matching any of them',
			},
		],
	},
];

// Each filter field, the key AWS filters on, and the rule every value follows.
const FILTERS: Array<{ name: string; key: GetEntitlementFilterName; check: (value: string) => Checked<string> }> = [
	{ name: 'licenseArn', key: 'LICENSE_ARN', check: checkLicenseArnToSend },
	{
		name: 'customerAWSAccountId',
		key: 'CUSTOMER_AWS_ACCOUNT_ID',
		check: (value) => checkText(value, CONSTRAINTS.customerAWSAccountId, 'InvalidCustomerAWSAccountId', 'customerAWSAccountId'),
	},
	{
		name: 'customerIdentifier',
		key: 'CUSTOMER_IDENTIFIER',
		check: (value) => checkText(value, CONSTRAINTS.customerIdentifier, 'InvalidCustomerIdentifier', 'customerIdentifier'),
	},
	{ name: 'dimension', key: 'DIMENSION', check: (value) => checkDimension(value) },
];

/**
 * Every page of the product's entitlements, one output item each. No entitlements, no items for that input item:
 * n8n's own "get many" operations output nothing for an empty answer (the node setting Always Output Data lets
 * the workflow go on), and an item without an entitlement would be one more shape for every next node to test for.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	services: Services,
): Promise<INodeExecutionData[]> {
	const client = await services.entitlementClient();
	return await flatMapItems.call(this, items, async (itemIndex) => {
		const productCode = requireProductCode(this, itemIndex, 'entitlementsProductCode');
		const filter = readFilter(this, itemIndex);
		const entitlements: IDataObject[] = [];
		// AWS may answer an empty page with a NextToken: follow it. The same token twice ends the loop.
		const pages = paginateGetEntitlements({ client, pageSize: PAGE_SIZE, stopOnSameToken: true }, { ProductCode: productCode, Filter: filter });
		for await (const page of pages) entitlements.push(...(page.Entitlements ?? []).map(toItem));
		return entitlements;
	});
}

function readFilter(ctx: IExecuteFunctions, itemIndex: number): Partial<Record<GetEntitlementFilterName, string[]>> | undefined {
	const fields = ctx.getNodeParameter('entitlementFilters', itemIndex, {}) as Record<string, unknown>;
	const filter: Partial<Record<GetEntitlementFilterName, string[]>> = {};
	for (const { name, key, check } of FILTERS) {
		const values = listOf(fields[name]).map((value) => {
			const checked = check(value);
			if (!checked.ok) throw fieldError(ctx, itemIndex, `Filters: ${checked.error.message}`);
			return checked.value;
		});
		if (values.length) filter[key] = [...new Set(values)];
	}
	if (filter.CUSTOMER_AWS_ACCOUNT_ID && filter.CUSTOMER_IDENTIFIER) {
		throw fieldError(
			ctx,
			itemIndex,
			'Filters: Customer AWS Account ID and Customer Identifier are both set: AWS takes one or the other (the account ID for products that use license ARNs)',
		);
	}
	return Object.keys(filter).length ? filter : undefined;
}

function toItem(entitlement: Entitlement): IDataObject {
	return {
		productCode: entitlement.ProductCode ?? '',
		dimension: entitlement.Dimension ?? '',
		customerAWSAccountId: entitlement.CustomerAWSAccountId ?? '',
		licenseArn: entitlement.LicenseArn ?? '',
		customerIdentifier: entitlement.CustomerIdentifier ?? '',
		value: valueOf(entitlement.Value),
		expirationDate: entitlement.ExpirationDate?.toISOString() ?? null,
	};
}

/** AWS sets the one member of the entitlement's type. */
function valueOf(value: EntitlementValue | undefined): number | boolean | string | null {
	return value?.IntegerValue ?? value?.DoubleValue ?? value?.BooleanValue ?? value?.StringValue ?? null;
}
