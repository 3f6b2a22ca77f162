import type { ICredentialType, INodeProperties } from 'n8n-workflow';

import { METERING_REGIONS } from '../nodes/AwsMarketplaceMetering/transport/regions';

// Authentication happens in the node's transport through the AWS SDK (SigV4, credential chain,
// role assumption); this type only collects the settings. The editor's test is the node's
// `awsMarketplaceMeteringApiTest` credential test method.
export class AwsMarketplaceMeteringApi implements ICredentialType {
	name = 'awsMarketplaceMeteringApi';

	displayName = 'AWS Marketplace Metering API';

	documentationUrl = 'https://github.com/n8n-nodes-aws-marketplace-metering/n8n-nodes-aws-marketplace-metering/blob/main/docs/credentials.md';

	icon = { light: 'file:awsMarketplaceMetering.svg', dark: 'file:awsMarketplaceMetering.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Region',
			name: 'region',
			type: 'options',
			options: METERING_REGIONS,
			default: 'us-east-1',
			description:
				'The Region AWS enabled for your product; Meter Usage and Register Usage: the Region of the EC2 instance, ECS task or EKS pod. AWS deduplicates usage per Region, so never resend an hour through another Region: keep the Region of a metering workflow unchanged. China (Ningxia): AWS lists Batch Meter Usage there. GovCloud (US): AWS lists Meter Usage from EC2 instances; for other operations check AWS’s list of Regions for the Metering API. Get Entitlements and the agreement operations always go to US East (N. Virginia), the only Region of the Entitlement and Agreement Services.',
		},
		{
			displayName: 'Credential Source',
			name: 'credentialSource',
			type: 'options',
			options: [
				{
					name: 'Access Keys',
					value: 'accessKeys',
					description: 'An access key ID and secret access key, optionally with a session token',
				},
				{
					name: 'Default AWS Credential Chain',
					value: 'defaultChain',
					description:
						'The n8n host’s own AWS identity: environment variables, shared config files, ECS task role, EKS pod identity or IRSA, EC2 instance profile. Required for Meter Usage and Register Usage on the buyer’s compute. Only where an n8n administrator set N8N_AWS_SYSTEM_CREDENTIALS_ACCESS_ENABLED=true.',
				},
			],
			default: 'accessKeys',
		},
		{
			displayName: 'Access Key ID',
			name: 'accessKeyId',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { credentialSource: ['accessKeys'] } },
		},
		{
			displayName: 'Secret Access Key',
			name: 'secretAccessKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { credentialSource: ['accessKeys'] } },
		},
		{
			displayName: 'Session Token',
			name: 'sessionToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Only for temporary credentials from AWS STS',
			displayOptions: { show: { credentialSource: ['accessKeys'] } },
		},
		{
			displayName: 'Assume Role',
			name: 'assumeRole',
			type: 'boolean',
			default: false,
			description: 'Whether to assume an IAM role with the credentials above before calling the service',
		},
		{
			displayName: 'Role ARN',
			name: 'roleArn',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. arn:aws:iam::123456789012:role/MarketplaceMetering',
			displayOptions: { show: { assumeRole: [true] } },
		},
		// Masked on purpose: the role's trust policy checks the External ID before these credentials may assume the
		// role, so the package keeps it out of view like the keys (test/credentials/secretFields.test.ts).
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password
		{
			displayName: 'External ID',
			name: 'externalId',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Only if the role’s trust policy requires one',
			displayOptions: { show: { assumeRole: [true] } },
		},
		{
			displayName: 'Role Session Name',
			name: 'roleSessionName',
			type: 'string',
			default: 'n8n-marketplace-metering',
			displayOptions: { show: { assumeRole: [true] } },
		},
		{
			displayName: 'STS Endpoint',
			name: 'stsEndpoint',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://sts.us-east-1.amazonaws.com',
			description: 'Leave empty for the Regional AWS STS endpoint. Set it for an STS VPC endpoint.',
			displayOptions: { show: { assumeRole: [true] } },
		},
		{
			displayName: 'Custom Endpoint',
			name: 'endpoint',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://metering.marketplace-fips.us-east-1.amazonaws.com',
			description:
				'Leave empty for the Regional AWS endpoint. Set it for a VPC endpoint, a FIPS endpoint or a local emulator. Get Entitlements and the agreement operations go there too when set, so a metering VPC or FIPS endpoint leaves them to a credential without one.',
		},
	];
}
