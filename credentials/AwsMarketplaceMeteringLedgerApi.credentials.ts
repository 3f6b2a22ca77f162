import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The SSL field's default, and so the setting of a credential saved without the field: n8n saves only the fields
 * that differ from their default and fills in the others with the current one (a credential saved while Disable was
 * the default gets this one).
 */
export const DEFAULT_SSL = 'verifyIfOffered';

// The shared metering ledger's PostgreSQL connection: every n8n instance and queue-mode worker that
// meters one seller account uses the same database, so each hour is sent exactly once.
export class AwsMarketplaceMeteringLedgerApi implements ICredentialType {
	name = 'awsMarketplaceMeteringLedgerApi';

	displayName = 'AWS Marketplace Ledger (PostgreSQL)';

	documentationUrl = 'https://github.com/n8n-nodes-aws-marketplace-metering/n8n-nodes-aws-marketplace-metering/blob/main/docs/postgresql-ledger.md';

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
				{
					name: 'Verify If the Server Offers TLS',
					value: DEFAULT_SSL,
					description: 'Encrypt and check the server’s certificate when the server offers TLS; unencrypted to a server without TLS',
				},
				{ name: 'Require', value: 'require', description: 'Encrypt and check the server’s certificate; refuse a server without TLS' },
				{ name: 'Require Without Verification', value: 'allowUnauthorized', description: 'Encrypt, accepting any certificate: whoever sits on the network path can pose as the server' },
				{ name: 'Disable', value: 'disable', description: 'Never encrypt' },
			],
			default: DEFAULT_SSL,
		},
		{
			displayName: 'CA Certificate',
			name: 'ca',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			placeholder: '-----BEGIN CERTIFICATE-----',
			description:
				'The certificate (PEM) of the authority that signed the server’s, when it is not a public one. For Amazon RDS and Aurora, paste the AWS RDS bundle (global-bundle.pem). Certificates only, never a private key.',
			displayOptions: { show: { ssl: [DEFAULT_SSL, 'require'] } },
		},
	];
}
