import type { INodeTypeDescription } from 'n8n-workflow';

import * as batchMeterUsage from './batchMeterUsage.operation';
import * as meterUsage from './meterUsage.operation';
import * as registerUsage from './registerUsage.operation';
import * as resolveCustomer from './resolveCustomer.operation';

export const versionDescription: INodeTypeDescription = {
	displayName: 'AWS Marketplace Metering',
	name: 'awsMarketplaceMetering',
	icon: 'file:awsMarketplaceMetering.svg',
	group: ['output'],
	version: 1,
	subtitle: '={{ $parameter["operation"] }}',
	description: 'Resolve AWS Marketplace customers and meter their usage for billing',
	defaults: { name: 'AWS Marketplace Metering' },
	usableAsTool: true,
	// Plain 'main' rather than NodeConnectionTypes, which n8n 1.x's n8n-workflow lacks.
	inputs: ['main'],
	outputs: ['main'],
	credentials: [
		{ name: 'awsMarketplaceMeteringApi', required: true, testedBy: 'awsMarketplaceMeteringApiTest' },
	],
	properties: [
		{
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			options: [
				{
					name: 'Batch Meter Usage',
					value: 'batchMeterUsage',
					description: 'Report SaaS usage records, batched, aggregated and retried',
					action: 'Batch meter usage',
				},
				{
					name: 'Meter Usage',
					value: 'meterUsage',
					description: 'Report hourly usage of an AMI or container product from the buyer’s compute',
					action: 'Meter usage',
				},
				{
					name: 'Register Usage',
					value: 'registerUsage',
					description: 'Check a paid container product’s entitlement at task or pod start',
					action: 'Register usage',
				},
				{
					name: 'Resolve Customer',
					value: 'resolveCustomer',
					description: 'Turn a SaaS registration token into the customer’s account, product and license',
					action: 'Resolve customer',
				},
			],
			default: 'batchMeterUsage',
		},
		...resolveCustomer.description,
		...batchMeterUsage.description,
		...meterUsage.description,
		...registerUsage.description,
	],
};
