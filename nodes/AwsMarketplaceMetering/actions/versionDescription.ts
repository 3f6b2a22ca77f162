import type { INodeTypeDescription } from 'n8n-workflow';

import * as batchMeterUsage from './batchMeterUsage.operation';
import * as getEntitlements from './getEntitlements.operation';
import * as getMeteringReport from './getMeteringReport.operation';
import * as meterOpenHours from './meterOpenHours.operation';
import * as meterUsage from './meterUsage.operation';
import * as recordUsage from './recordUsage.operation';
import * as registerUsage from './registerUsage.operation';
import * as resolveCustomer from './resolveCustomer.operation';

export const versionDescription: INodeTypeDescription = {
	displayName: 'AWS Marketplace Metering',
	name: 'awsMarketplaceMetering',
	icon: { light: 'file:awsMarketplaceMetering.svg', dark: 'file:awsMarketplaceMetering.dark.svg' },
	group: ['output'],
	version: [1, 2],
	defaultVersion: 2,
	// The operation's name as the nodes panel shows it, not its value.
	subtitle:
		'={{ { batchMeterUsage: "Batch Meter Usage", getEntitlements: "Get Entitlements", getMeteringReport: "Get Metering Report", meterOpenHours: "Meter Open Hours Now", meterUsage: "Meter Usage", recordUsage: "Record Usage", registerUsage: "Register Usage", resolveCustomer: "Resolve Customer" }[$parameter["operation"]] }}',
	description: 'Resolve AWS Marketplace customers, read their contract entitlements and meter their usage for billing',
	defaults: { name: 'AWS Marketplace Metering' },
	usableAsTool: true,
	// Plain 'main' rather than NodeConnectionTypes, which n8n 1.x's n8n-workflow lacks.
	inputs: ['main'],
	outputs: ['main'],
	credentials: [
		{
			name: 'awsMarketplaceMeteringApi',
			required: true,
			testedBy: 'awsMarketplaceMeteringApiTest',
			// These two only touch the metering ledger.
			displayOptions: { hide: { operation: ['recordUsage', 'getMeteringReport'] } },
		},
		{ name: 'awsMarketplaceMeteringLedgerApi', required: true, displayOptions: { show: { ledger: ['postgres'] } } },
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
	],
};
