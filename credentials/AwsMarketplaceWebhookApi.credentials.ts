import type { ICredentialType, INodeProperties } from 'n8n-workflow';

// The shared secret of the EventBridge connection that calls the AWS Marketplace Trigger: the
// connection sends it as an API-key header, the trigger refuses requests without it. Nothing is
// sent with it; the trigger only compares.
export class AwsMarketplaceWebhookApi implements ICredentialType {
	name = 'awsMarketplaceWebhookApi';

	displayName = 'AWS Marketplace Webhook API';

	documentationUrl = 'https://github.com/n8n-nodes-aws-marketplace-metering/n8n-nodes-aws-marketplace-metering/blob/main/docs/trigger.md';

	icon = { light: 'file:awsMarketplaceMetering.svg', dark: 'file:awsMarketplaceMetering.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Header Name',
			name: 'headerName',
			type: 'string',
			default: 'x-api-key',
			required: true,
			description: 'The API key name of the EventBridge connection: the HTTP header that carries the secret',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The API key value of the EventBridge connection. Use a long random value, e.g. from `openssl rand -hex 32`.',
		},
	];
}
