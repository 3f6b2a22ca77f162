import type { ICredentialType, INodeProperties } from 'n8n-workflow';

// The shared metering ledger's PostgreSQL connection: every n8n instance and queue-mode worker that
// meters one seller account uses the same database, so each hour is sent exactly once.
export class AwsMarketplaceMeteringLedgerApi implements ICredentialType {
	name = 'awsMarketplaceMeteringLedgerApi';

	displayName = 'AWS Marketplace Metering Ledger (PostgreSQL)';

	documentationUrl = 'https://github.com/n8n-nodes-aws-marketplace-metering/n8n-nodes-aws-marketplace-metering#metering-ledger';

	icon = { light: 'file:awsMarketplaceMetering.svg', dark: 'file:awsMarketplaceMetering.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: 'localhost',
			required: true,
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 5432,
		},
		{
			displayName: 'Database',
			name: 'database',
			type: 'string',
			default: 'postgres',
			required: true,
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: 'postgres',
			required: true,
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'SSL',
			name: 'ssl',
			type: 'options',
			options: [
				{ name: 'Disable', value: 'disable' },
				{ name: 'Require', value: 'require', description: 'Encrypt, and check the server’s certificate' },
				{ name: 'Require (Allow Self-Signed Certificates)', value: 'allowUnauthorized', description: 'Encrypt without checking the certificate' },
			],
			default: 'disable',
		},
	];
}
