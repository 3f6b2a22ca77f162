import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { LEDGER_OPERATIONS, OPERATIONS, SUBTITLE } from './actions/operations';
import { router } from './actions/router';
import { properties } from './actions/versionDescription';
import { NODE_VERSIONS } from './helpers/versions';
import { testCredential } from './transport/credentialTest';
import { testLedgerCredential } from '../shared/openLedger';

export class AwsMarketplaceMetering implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AWS Marketplace Metering',
		name: 'awsMarketplaceMetering',
		icon: { light: 'file:awsMarketplaceMetering.svg', dark: 'file:awsMarketplaceMetering.dark.svg' },
		group: ['output'],
		// 2: each operation's fields have names of their own; 3: the operations grouped under a Resource.
		version: NODE_VERSIONS,
		defaultVersion: NODE_VERSIONS[NODE_VERSIONS.length - 1],
		// The operation's name as the nodes panel shows it, not its value.
		subtitle: SUBTITLE,
		description: 'Resolve AWS Marketplace customers, meter their usage for billing, and read their entitlements and agreements',
		defaults: { name: 'AWS Marketplace Metering' },
		usableAsTool: true,
		// Plain 'main' rather than NodeConnectionTypes, which n8n 1.x's n8n-workflow lacks.
		inputs: ['main'],
		outputs: ['main'],
		// Hidden by `hide` conditions only: n8n's editor puts the credentials above the last parameter their `show`
		// conditions name (the ledger's credential moved below Operation), and the first one for these: at the top, as
		// n8n's AWS nodes have them. The labels fit the panel of a laptop's screen.
		credentials: [
			{
				name: 'awsMarketplaceMeteringApi',
				displayName: 'AWS Credential',
				required: true,
				testedBy: 'awsMarketplaceMeteringApiTest',
				// These only touch the metering ledger.
				displayOptions: { hide: { operation: ['recordUsage', 'getMeteringReport', 'recordLicense'] } },
			},
			{
				name: 'awsMarketplaceMeteringLedgerApi',
				displayName: 'Ledger Credential',
				required: true,
				testedBy: 'awsMarketplaceMeteringLedgerApiTest',
				// Operation first: a ledger chosen for another operation keeps its value, unseen, until the page reloads.
				displayOptions: { hide: { operation: OPERATIONS.map(({ value }) => value).filter((value) => !LEDGER_OPERATIONS.includes(value)), ledger: ['none', 'embedded'] } },
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
