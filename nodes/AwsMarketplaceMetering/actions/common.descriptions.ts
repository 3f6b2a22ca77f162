import type { INodeProperties } from 'n8n-workflow';

/**
 * The Client Token option of the operations AWS makes idempotent by one, with what leaving it empty does there.
 * Not a secret: it only makes a retry idempotent, and must stay readable to be reused.
 */
export function clientTokenOption(description: string): INodeProperties {
	return {
		displayName: 'Client Token',
		name: 'clientToken',
		// eslint-disable-next-line n8n-nodes-base/node-param-type-options-password-missing
		type: 'string',
		default: '',
		description,
	};
}
