import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

/** An error that names the item, the field and the rule it breaks. */
export function fieldError(ctx: IExecuteFunctions, itemIndex: number, field: string, problem: string) {
	return new NodeOperationError(ctx.getNode(), `${field} ${problem}`, {
		description: `Item ${itemIndex}: field ${field} ${problem}.`,
		itemIndex,
	});
}

const PRODUCT_CODE = /^[-a-zA-Z0-9/=:_.@]{1,255}$/;

export function requireProductCode(ctx: IExecuteFunctions, itemIndex: number): string {
	const value = String(ctx.getNodeParameter('productCode', itemIndex, '') ?? '').trim();
	if (!PRODUCT_CODE.test(value)) {
		throw fieldError(
			ctx,
			itemIndex,
			'Product Code',
			`${value ? `"${value}"` : 'is empty and'} must be 1-255 characters from a-z A-Z 0-9 - / = : _ . @`,
		);
	}
	return value;
}
