import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { router } from './actions/router';
import { properties } from './actions/versionDescription';
import { testCredential } from './transport/credentialTest';
import { testLedgerCredential } from './transport/ledger';

export class AwsMarketplaceMetering implements INodeType {
	description: INodeTypeDescription = {
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
			{
				name: 'awsMarketplaceMeteringLedgerApi',
				required: true,
				testedBy: 'awsMarketplaceMeteringLedgerApiTest',
				displayOptions: { show: { ledger: ['postgres'] } },
			},
		],
		properties,
	};

	methods = {
		credentialTest: { awsMarketplaceMeteringApiTest: testCredential, awsMarketplaceMeteringLedgerApiTest: testLedgerCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
