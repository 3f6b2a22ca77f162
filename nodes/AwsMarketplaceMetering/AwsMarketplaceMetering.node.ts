import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { versionDescription } from './actions/versionDescription';
import { router } from './actions/router';
import { testCredential } from './transport/credentialTest';

export class AwsMarketplaceMetering implements INodeType {
	description: INodeTypeDescription = versionDescription;

	methods = { credentialTest: { awsMarketplaceMeteringApiTest: testCredential } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
