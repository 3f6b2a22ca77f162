import { NodeOperationError, type IHookFunctions } from 'n8n-workflow';

import { testSnsOrigin } from './sns/trust';

/**
 * What n8n runs when the workflow is activated (or listens for a test event). There is nothing to
 * register with AWS: the EventBridge rule and the SNS subscription are the seller's. A test SNS
 * origin set wrongly is refused here, before any message could be trusted because of it.
 */
export const webhookMethods = {
	default: {
		async checkExists(this: IHookFunctions): Promise<boolean> {
			return false;
		},
		async create(this: IHookFunctions): Promise<boolean> {
			if (this.getNodeParameter('acceptSns', false) !== true) return true;
			try {
				testSnsOrigin();
			} catch (error) {
				throw new NodeOperationError(this.getNode(), error as Error);
			}
			return true;
		},
		async delete(this: IHookFunctions): Promise<boolean> {
			return true;
		},
	},
};
