import { ResolveCustomerCommand } from '@aws-sdk/client-marketplace-metering';
import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { LicenseChange } from '../../shared/ledger';
import { withLedger } from '../helpers/ledgerRun';
import { checkLicenseFields, licenseAnswerJson } from '../helpers/licenseItems';
import { mapItems } from '../helpers/perItem';
import { ledgerFields } from '../helpers/usageFields';
import type { LedgerChoice } from '../../shared/openLedger';
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
	...ledgerFields(['resolveCustomer'], { optional: true, closing: false }).map((field) => ({
		...field,
		// The choices say what Resolve Customer keeps, not what metering does.
		options: field.options?.map((option) => ('value' in option && option.value === 'none' ? { ...option, description: 'Record nothing: only resolve the token' } : option)),
		description: 'Where the license of each customer resolved is kept, so that metering knows who is subscribed (for example to send zero usage in idle hours)',
	})),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: ['resolveCustomer'], ledger: ['embedded', 'postgres'] } },
		options: [
			{
				displayName: 'Record License in Ledger',
				name: 'recordLicense',
				type: 'boolean',
				default: true,
				description:
					'Whether to record each license resolved as active in the metering ledger, with its customer and product (legacy customers without a license ARN are not recorded)',
			},
		],
	},
];

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	services: Services,
): Promise<INodeExecutionData[]> {
	const client = await services.client();
	const resolved = await mapItems.call(this, items, async (itemIndex) => {
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
	const ledger = this.getNodeParameter('ledger', 0, 'none') as LedgerChoice;
	const { recordLicense = true } = this.getNodeParameter('options', 0, {}) as { recordLicense?: boolean };
	return ledger === 'none' || !recordLicense ? resolved : await recordSignUps(this, resolved);
}

/** Records the license of each customer resolved (its sign-up) as active, and tells each item what the ledger holds. */
async function recordSignUps(ctx: IExecuteFunctions, resolved: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const now = new Date();
	const signUps = resolved.filter((item) => typeof item.json.licenseArn === 'string' && item.json.licenseArn !== '');
	if (signUps.length === 0) return resolved;
	const changes: LicenseChange[] = signUps.map(({ json }) => ({
		...checkLicenseFields({ licenseArn: json.licenseArn, customerAWSAccountId: json.customerAWSAccountId, productCode: json.productCode }),
		...(json.customerIdentifier ? { customerIdentifier: json.customerIdentifier as string } : {}),
		state: 'active',
		happenedAt: now,
		source: 'signUp',
		detail: 'Resolve Customer',
	}));
	return await withLedger.call(ctx, async (ledger) => {
		const answers = await ledger.recordLicenseChanges(changes, { now });
		const recorded = new Map(signUps.map((item, n) => [item, answers[n]]));
		return resolved.map((item) => {
			const answer = recorded.get(item);
			return answer ? { ...item, json: { ...item.json, license: licenseAnswerJson(answer) } } : item;
		});
	});
}
