import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { checkDimension, checkProductCode } from '../batch';
import type { ZeroUsage } from '../../shared/ledger';
import { listOf } from './fields';

// Off until products are listed: only the seller knows which of a product's dimensions to report (AWS
// rejects a dimension the product does not have, and with it the whole request), and only licenses in
// the ledger are known to be active. A zero record bills nothing and takes an hour no other quantity could.
export const zeroUsageOption: INodeProperties = {
	displayName: 'Send Zero Usage for Idle Hours',
	name: 'zeroUsage',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: 'Add Product',
	default: {},
	description:
		'AWS asks for a metering record every hour, of quantity 0 when there is nothing to bill. For each product listed, every closed hour in which an active license in the ledger (recorded by Resolve Customer, the trigger or Record License) had no usage of a dimension listed gets a record of 0: from the hour the license started until it stopped being active or its final usage report, within AWS’s 24-hour window, once. None by default: only you know which of the product’s dimensions to report, and AWS rejects a request with a dimension the product does not have.',
	displayOptions: { show: { '/ledger': ['embedded', 'postgres'] } },
	options: [
		{
			name: 'products',
			displayName: 'Product',
			values: [
				{ displayName: 'Product Code', name: 'productCode', type: 'string', default: '', required: true },
				{
					displayName: 'Dimensions',
					name: 'dimensions',
					type: 'string',
					default: '',
					required: true,
					placeholder: 'e.g. users',
					description: 'The dimensions to report 0 for, comma-separated: one is enough for AWS’s hourly record',
				},
			],
		},
	],
};

/** The option's products and dimensions, each checked by AWS's rules; the node fails naming the entry and the rule. */
export function readZeroUsage(ctx: IExecuteFunctions, value: unknown): ZeroUsage[] {
	const entries = ((value as { products?: Array<{ productCode?: unknown; dimensions?: unknown }> } | undefined)?.products ?? []);
	return entries.map((entry, index) => {
		const problem = (message: string) =>
			new NodeOperationError(ctx.getNode(), `Send Zero Usage for Idle Hours, product ${index + 1}: ${message}`);
		const productCode = checkProductCode(typeof entry.productCode === 'string' ? entry.productCode.trim() : entry.productCode);
		if (!productCode.ok) throw problem(productCode.error.message);
		const dimensions = listOf(entry.dimensions).map((dimension) => {
			const checked = checkDimension(dimension);
			if (!checked.ok) throw problem(checked.error.message);
			return checked.value;
		});
		if (dimensions.length === 0) throw problem('Dimensions is empty: name at least one dimension of the product to report 0 for');
		return { productCode: productCode.value, dimensions: [...new Set(dimensions)] };
	});
}
