import { NodeOperationError, type IHookFunctions } from 'n8n-workflow';

import { prepareLedger } from './deliveries';
import { testSnsOrigin } from './sns/trust';

/**
 * What n8n runs when the workflow is activated (or listens for a test event). There is nothing to
 * register with AWS: the EventBridge rule and the SNS subscription are the seller's. A test SNS
 * origin set wrongly is refused here, before any message could be trusted because of it, and the
 * metering ledger the deliveries are remembered in is created now rather than by the first delivery.
 */
export const webhookMethods = {
	default: {
		async checkExists(this: IHookFunctions): Promise<boolean> {
			return false;
		},
		async create(this: IHookFunctions): Promise<boolean> {
			if (this.getNodeParameter('acceptSns', false) === true) {
				try {
					testSnsOrigin();
				} catch (error) {
					throw new NodeOperationError(this.getNode(), error as Error);
				}
			}
			await prepareLedger.call(this);
			return true;
		},
		async delete(this: IHookFunctions): Promise<boolean> {
			return true;
		},
	},
};
