import type { INodeProperties } from 'n8n-workflow';

import * as batchMeterUsage from './batchMeterUsage.operation';
import * as getEntitlements from './getEntitlements.operation';
import * as getMeteringReport from './getMeteringReport.operation';
import * as meterOpenHours from './meterOpenHours.operation';
import * as meterUsage from './meterUsage.operation';
import * as recordUsage from './recordUsage.operation';
import * as registerUsage from './registerUsage.operation';
import * as resolveCustomer from './resolveCustomer.operation';

// The node's parameters; the rest of its description is in AwsMarketplaceMetering.node.ts, where the lint
// rules read it.
export const properties: INodeProperties[] = [
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
				name: 'Get Entitlements',
				value: 'getEntitlements',
				description: 'Read what customers of a contract product bought, per dimension, and until when',
				action: 'Get entitlements',
			},
			{
				name: 'Get Metering Report',
				value: 'getMeteringReport',
				description: 'Read what the metering ledger holds and sent, per customer, dimension and hour',
				action: 'Get metering report',
			},
			{
				name: 'Meter Open Hours Now',
				value: 'meterOpenHours',
				description: 'Send the final usage of cancelled licenses or customers from the metering ledger at once',
				action: 'Meter open hours now',
			},
			{
				name: 'Meter Usage',
				value: 'meterUsage',
				description: 'Report hourly usage of an AMI or container product from the buyer’s compute',
				action: 'Meter usage',
			},
			{
				name: 'Record Usage',
				value: 'recordUsage',
				description: 'Store usage events in the metering ledger, to be sent once their hour has closed',
				action: 'Record usage',
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
	...recordUsage.description,
	...meterOpenHours.description,
	...getMeteringReport.description,
	...meterUsage.description,
	...registerUsage.description,
	...getEntitlements.description,
];
