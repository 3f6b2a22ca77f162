import { MeterUsageCommand, type MarketplaceMeteringClient } from '@aws-sdk/client-marketplace-metering';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { readMeterUsageFields } from '../helpers/meterUsageFields';
import { mapItems } from '../helpers/perItem';

const show = { show: { operation: ['meterUsage'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Product Code',
		name: 'productCode',
		type: 'string',
		required: true,
		default: '',
		description: 'The AMI or container product’s code from the AWS Marketplace Management Portal',
		displayOptions: show,
	},
	{
		displayName: 'Usage Dimension',
		name: 'usageDimension',
		type: 'string',
		required: true,
		default: '',
		description: 'The dimension’s API identifier, as defined in the product’s pricing',
		displayOptions: show,
	},
	{
		displayName: 'Usage Quantity',
		name: 'usageQuantity',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		default: 1,
		description: 'Whole units used during the hour, 0 to 2147483647',
		displayOptions: show,
	},
	{
		displayName: 'Timestamp',
		name: 'timestamp',
		type: 'string',
		default: "={{ $now.startOf('hour').toISO() }}",
		description:
			'The hour the usage belongs to (ISO 8601 or epoch seconds or milliseconds), within the last 6 hours. Truncated to the start of the hour, so that a rerun reports the same hour and is not billed twice.',
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
			// Not a secret: it only makes a retry idempotent, and must stay readable to be reused.
			{
				displayName: 'Client Token',
				name: 'clientToken',
				// eslint-disable-next-line n8n-nodes-base/node-param-type-options-password-missing
				type: 'string',
				default: '',
				description:
					'Up to 64 characters identifying this report. A stable token, such as the execution ID and the item index, makes a retried workflow return the first answer instead of reporting again. Empty: the AWS SDK generates a new one for every request.',
			},
			{
				displayName: 'Dry Run',
				name: 'dryRun',
				type: 'boolean',
				default: false,
				description: 'Whether to only check that the call would be accepted, without metering anything',
			},
			{
				displayName: 'Usage Allocations',
				name: 'usageAllocations',
				type: 'json',
				default: '',
				placeholder: '[{ "allocatedUsageQuantity": 2, "tags": { "team": "data" } }]',
				description:
					'Split the quantity by tags: an array of allocations, each with a quantity and 1 to 5 tags (an object, or an array of key/value pairs). The quantities must add up to the usage quantity.',
			},
		],
	},
];

export async function execute(
	this: IExecuteFunctions,
	client: MarketplaceMeteringClient,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await mapItems.call(this, items, async (itemIndex) => {
		const fields = readMeterUsageFields(this, itemIndex);
		const input = {
			ProductCode: fields.productCode,
			UsageDimension: fields.usageDimension,
			UsageQuantity: fields.usageQuantity,
			Timestamp: fields.timestamp,
			UsageAllocations: fields.usageAllocations,
			DryRun: fields.dryRun || undefined,
			ClientToken: fields.clientToken,
		};
		const echo: IDataObject = {
			productCode: fields.productCode,
			usageDimension: fields.usageDimension,
			usageQuantity: fields.usageQuantity,
			timestamp: fields.timestamp.toISOString(),
			...(fields.usageAllocations ? { usageAllocations: fields.usageAllocations as unknown as IDataObject[] } : {}),
		};
		try {
			const response = await client.send(new MeterUsageCommand(input));
			return { meteringRecordId: response.MeteringRecordId ?? '', ...echo };
		} catch (error) {
			// A dry run that would succeed is answered with this (unmodelled) error.
			if ((error as Error).name === 'DryRunOperation') return { dryRun: true, wouldSucceed: true, ...echo };
			throw error;
		}
	});
}
