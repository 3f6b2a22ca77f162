import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

export interface Confirmation {
	operation: string;
	/** The switch's parameter name and label. */
	name: string;
	displayName: string;
	/** What the operation does that cannot be undone, shown above the switch. */
	notice: string;
}

/**
 * An operation that cannot be undone runs only when its switch is on: a notice says what it does, the switch
 * defaults to off and takes no expression, so no input item can turn it on.
 */
export function confirmationFields({ operation, name, displayName, notice }: Confirmation): INodeProperties[] {
	const show = { show: { operation: [operation] } };
	return [
		{ displayName: notice, name: `${name}Notice`, type: 'notice', default: '', displayOptions: show },
		{
			displayName,
			name,
			type: 'boolean',
			default: false,
			noDataExpression: true,
			description: 'Whether to do it: without this switch on, the node sends nothing and fails',
			displayOptions: show,
		},
	];
}

/** Stops the node before any request unless the switch is on. */
export function requireConfirmation(ctx: IExecuteFunctions, { name, displayName, notice }: Confirmation): void {
	if (ctx.getNodeParameter(name, 0, false) === true) return;
	throw new NodeOperationError(ctx.getNode(), `${displayName} is off: nothing was sent`, {
		description: `${notice} Turn on ${displayName} to do so.`,
	});
}
