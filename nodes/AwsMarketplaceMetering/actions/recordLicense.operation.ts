import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import type { LicenseChange, LicenseState } from '../../shared/ledger';
import { checkLicenseFields, licenseAnswerJson } from '../helpers/licenseItems';
import { withLedger } from '../helpers/ledgerRun';
import { itemMessage } from '../helpers/usageOutcomes';
import { ledgerFields } from '../helpers/usageFields';

const show = { show: { operation: ['recordLicense'] } };

export const description: INodeProperties[] = [
	...ledgerFields(['recordLicense'], { closing: false }),
	{
		displayName: 'License ARN',
		name: 'licenseArn',
		type: 'string',
		required: true,
		default: '={{ $json.licenseArn }}',
		description:
			'The license, in any spelling AWS uses (Resolve Customer’s arn:aws:license-manager::123456789012:license:l-…, or its license events’ aws:license-manager:us-east-1:123456789012:l-…): the ledger keeps one',
		displayOptions: show,
	},
	{
		displayName: 'State',
		name: 'state',
		type: 'options',
		options: [
			{ name: 'Active', value: 'active', description: 'Subscribed: its usage is metered, and its idle hours get zero usage when Batch Meter Usage sends it' },
			{ name: 'Cancelling', value: 'cancelling', description: 'Its agreement ended: no zero usage from this time on' },
			{ name: 'Ended', value: 'ended', description: 'Deprovisioned: no zero usage from this time on' },
		],
		default: 'active',
		displayOptions: show,
	},
	{
		displayName: 'Customer AWS Account ID',
		name: 'customerAWSAccountId',
		type: 'string',
		default: '={{ $json.customerAWSAccountId }}',
		description: 'The buyer’s AWS account ID: zero usage is sent for licenses whose account is known',
		displayOptions: show,
	},
	{
		displayName: 'Product Code',
		name: 'productCode',
		type: 'string',
		default: '={{ $json.productCode }}',
		description: 'The product the license is for',
		displayOptions: show,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{ displayName: 'Agreement ID', name: 'agreementId', type: 'string', default: '', placeholder: 'e.g. agmt-4mwg1nevbokzw95eca5797ixs' },
			{ displayName: 'Customer Identifier', name: 'customerIdentifier', type: 'string', default: '', description: 'The legacy customer identifier, if Resolve Customer returned one' },
			{
				displayName: 'Changed At',
				name: 'happenedAt',
				type: 'dateTime',
				default: '',
				description: 'When the license changed; now by default. A change older than the license’s newest is kept in its history but changes nothing.',
			},
		],
	},
];

/**
 * Records licenses a seller learns of elsewhere (its own sign-up page, AWS's agreements feed) in
 * the metering ledger, as Resolve Customer and the trigger do: one item per input item, with what
 * the change did (applied, stale, repeated) and the license as it now is.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const now = new Date();
	const changes = new Map<number, LicenseChange>();
	const failed = new Map<number, INodeExecutionData>();
	items.forEach((_, itemIndex) => {
		try {
			changes.set(itemIndex, licenseChange(this, itemIndex, now));
		} catch (caught) {
			const error = new NodeOperationError(this.getNode(), itemMessage((caught as Error).message, { itemIndex }, items.length), { itemIndex });
			if (!this.continueOnFail()) throw error;
			failed.set(itemIndex, { json: { error: error.message, details: '' }, pairedItem: { item: itemIndex } });
		}
	});
	return await withLedger.call(this, async (ledger) => {
		const answers = await ledger.recordLicenseChanges([...changes.values()], { now });
		const byItem = new Map([...changes.keys()].map((itemIndex, n) => [itemIndex, answers[n]]));
		return items.map((_, itemIndex) => failed.get(itemIndex) ?? { json: licenseAnswerJson(byItem.get(itemIndex)!), pairedItem: { item: itemIndex } });
	});
}

function licenseChange(ctx: IExecuteFunctions, itemIndex: number, now: Date): LicenseChange {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as { agreementId?: string; customerIdentifier?: string; happenedAt?: string };
	const fields = checkLicenseFields({
		licenseArn: ctx.getNodeParameter('licenseArn', itemIndex, ''),
		customerAWSAccountId: ctx.getNodeParameter('customerAWSAccountId', itemIndex, ''),
		productCode: ctx.getNodeParameter('productCode', itemIndex, ''),
	});
	const happenedAt = options.happenedAt ? new Date(options.happenedAt) : now;
	if (Number.isNaN(happenedAt.getTime())) throw new Error(`Changed At "${options.happenedAt}" is not a date and time`);
	return {
		...fields,
		state: ctx.getNodeParameter('state', itemIndex, 'active') as LicenseState,
		happenedAt,
		source: 'manual',
		...(options.agreementId?.trim() ? { agreementId: options.agreementId.trim() } : {}),
		...(options.customerIdentifier?.trim() ? { customerIdentifier: options.customerIdentifier.trim() } : {}),
		detail: 'Record License',
	};
}
