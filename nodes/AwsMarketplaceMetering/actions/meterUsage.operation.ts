import { MeterUsageCommand } from '@aws-sdk/client-marketplace-metering';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { readMeterUsageFields } from '../helpers/meterUsageFields';
import { mapItems } from '../helpers/perItem';
import { serviceError } from '../transport/serviceErrors';
import { versioned } from '../helpers/versions';
import type { Services } from './services';
import { clientTokenOption } from './common.descriptions';

const show = { show: { operation: ['meterUsage'] } };

export const description: INodeProperties[] = (<INodeProperties[]>[
	{
		displayName: 'Meter Usage works only from the buyer’s EC2 instance, ECS task, EKS pod or AgentCore Runtime, with that compute’s own role (credential source: Default AWS Credential Chain). Static keys are refused by AWS.',
		name: 'meterUsageNotice',
		type: 'notice',
		default: '',
		displayOptions: show,
	},
	{
		displayName: 'Deployment',
		name: 'deployment',
		type: 'options',
		options: [
			{
				name: 'Amazon Bedrock AgentCore Runtime',
				value: 'agentCoreRuntime',
				description: 'Any number of reports per hour, each identified by its Client Token; the timestamp is not rounded',
			},
			{
				name: 'EC2, ECS or EKS (Hourly)',
				value: 'hourly',
				description: 'One report per dimension and hour from each EC2 instance, ECS task or EKS pod',
			},
		],
		default: 'hourly',
		description: 'Where the software runs: AWS deduplicates the reports differently',
		displayOptions: show,
	},
	{
		displayName: 'Product Code',
		name: 'meterUsageProductCode',
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
		description: 'Whole units used during the hour (on AgentCore Runtime: since the last report), 0 to 2147483647',
		displayOptions: show,
	},
	{
		displayName: 'Timestamp',
		name: 'meterUsageTimestamp',
		type: 'string',
		default: "={{ $now.minus({ hours: 1 }).startOf('hour').toISO() }}",
		description:
			'The hour the usage belongs to (ISO 8601 or epoch seconds or milliseconds), within the last 6 hours. By default the hour that just ended: AWS takes one report per hour, so a report during the hour would leave its later usage unreported. Truncated to the start of the hour, so that a rerun reports the same hour and is not billed twice.',
		displayOptions: { show: { operation: ['meterUsage'], deployment: ['hourly'] } },
	},
	{
		displayName: 'Timestamp',
		name: 'meterUsageTimestamp',
		type: 'string',
		default: '={{ $now.toISO() }}',
		description:
			'When the usage happened (ISO 8601 or epoch seconds or milliseconds), within the last 6 hours; sent as is. Map it from the item, such as the usage event’s time, so that a retried execution sends the same report.',
		displayOptions: { show: { operation: ['meterUsage'], deployment: ['agentCoreRuntime'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			clientTokenOption(
				'Up to 64 characters identifying this report: AWS answers the same token again with the first answer instead of metering again. Take it from the item, such as the request or usage event ID (a retried execution gets a new execution ID). Empty: for EC2, ECS or EKS the AWS SDK generates one per request; for AgentCore Runtime the node derives it from the input item’s data, product code, dimension, quantity and allocations, so that n8n’s Retry of the same item bills nothing twice, and two items with identical data are one report: map an ID if yours can be identical.',
			),
			{
				displayName: 'Dry Run',
				name: 'dryRun',
				type: 'boolean',
				default: false,
				description:
					'Whether to only check that these credentials may call Meter Usage, without metering anything. AWS checks permissions only: not the input, the subscription or the timestamp.',
			},
			{
				displayName: 'Usage Allocations',
				name: 'usageAllocations',
				// Text, not n8n's JSON editor, which flags the valid empty value as broken JSON.
				type: 'string',
				typeOptions: { rows: 3 },
				default: '',
				placeholder: 'e.g. [{ "allocatedUsageQuantity": 2, "tags": { "team": "data" } }]',
				description:
					'Split the quantity by tags: an array of allocations, each with a quantity and 1 to 5 tags (an object, or an array of key/value pairs). The quantities must add up to the usage quantity.',
			},
		],
	},
]).flatMap(versioned);

const ALREADY_REPORTED =
	'Not metered again: AWS holds a report of this same item from an earlier run (the same Client Token, derived from the item) with another timestamp. Map a Client Token if this was new usage with identical data.';

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	services: Services,
): Promise<INodeExecutionData[]> {
	const client = await services.client();
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
			...(fields.clientToken ? { clientToken: fields.clientToken } : {}),
		};
		try {
			const response = await client.send(new MeterUsageCommand(input));
			return { meteringRecordId: response.MeteringRecordId ?? '', ...echo };
		} catch (error) {
			// A permitted dry run is answered with this (unmodelled) error, before AWS looks at the input.
			if ((error as Error).name === 'DryRunOperation') {
				return { dryRun: true, permitted: true, note: 'A dry run checks permissions only, not the input, the subscription or the timestamp', ...echo };
			}
			// The token covers everything but the timestamp: AWS holds this item's report from an earlier run.
			if ((error as Error).name === 'IdempotencyConflictException' && fields.clientTokenDerived) {
				return { meteringRecordId: null, alreadyReported: true, note: ALREADY_REPORTED, ...echo };
			}
			throw serviceError(this.getNode(), error, itemIndex);
		}
	});
}
