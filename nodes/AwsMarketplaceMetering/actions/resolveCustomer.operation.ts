import { ResolveCustomerCommand } from '@aws-sdk/client-marketplace-metering';
import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { mapItems } from '../helpers/perItem';
import type { Services } from './services';

const show = { show: { operation: ['resolveCustomer'] } };

export const description: INodeProperties[] = [
	// Masked: the token identifies a buyer to whoever holds it. The default expression still evaluates.
	{
		displayName: 'Registration Token',
		name: 'registrationToken',
		type: 'string',
		typeOptions: { password: true },
		required: true,
		default: '={{ $json.body["x-amzn-marketplace-token"] }}',
		description:
			'The token AWS Marketplace posts to your registration page in the form field x-amzn-marketplace-token. The default reads it from a Webhook node’s form body.',
		displayOptions: show,
	},
];

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	services: Services,
): Promise<INodeExecutionData[]> {
	const client = await services.client();
	return await mapItems.call(this, items, async (itemIndex) => {
		const token = this.getNodeParameter('registrationToken', itemIndex, '');
		if (typeof token !== 'string' || token.trim() === '') {
			throw new NodeOperationError(this.getNode(), 'Registration Token is empty', {
				description: 'Registration Token must be the non-empty x-amzn-marketplace-token value AWS posted to your registration page.',
				itemIndex,
			});
		}
		const response = await client.send(new ResolveCustomerCommand({ RegistrationToken: token.trim() }));
		// New products get an empty CustomerIdentifier: the account ID and license ARN identify the buyer,
		// so they come first and the legacy identifier last.
		return {
			customerAWSAccountId: response.CustomerAWSAccountId ?? '',
			licenseArn: response.LicenseArn ?? '',
			productCode: response.ProductCode ?? '',
			customerIdentifier: response.CustomerIdentifier ?? '',
		};
	});
}
