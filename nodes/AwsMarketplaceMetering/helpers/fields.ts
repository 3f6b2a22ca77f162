import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import { checkProductCode } from '../batch';
import { parameterName } from './versions';

/** An error that names the field and the rule it breaks; n8n's editor numbers the item. */
export function fieldError(ctx: IExecuteFunctions, itemIndex: number, message: string) {
	return new NodeOperationError(ctx.getNode(), message, { itemIndex });
}

export function requireProductCode(ctx: IExecuteFunctions, itemIndex: number, name: string): string {
	const value = ctx.getNodeParameter(parameterName(ctx, name), itemIndex, '') as unknown;
	const checked = checkProductCode(typeof value === 'string' ? value.trim() : value);
	if (!checked.ok) throw fieldError(ctx, itemIndex, checked.error.message);
	return checked.value;
}

/** A field of several values: an array, or text of comma-separated values; blanks are dropped. */
export function listOf(value: unknown): string[] {
	const values = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
	return values.map((entry) => String(entry ?? '').trim()).filter(Boolean);
}
