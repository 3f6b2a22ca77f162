import type { MarketplaceMeteringClient } from '@aws-sdk/client-marketplace-metering';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { meterUsageEvents, type MeteringOptions } from '../batch';
import { describeUsageError, sendUsageBatch } from '../helpers/sendUsageBatch';
import { readUsageEvents } from '../helpers/usageEvents';
import { firstFailure, outcomeItems, type OutputMode } from '../helpers/usageOutcomes';

const show = { show: { operation: ['batchMeterUsage'] } };
const eachItem = { show: { operation: ['batchMeterUsage'], inputMode: ['eachItem'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Input Mode',
		name: 'inputMode',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Each Item Is a Usage Record',
				value: 'eachItem',
				description: 'Map the fields of each input item to one usage record',
			},
			{
				name: 'Usage Records From a Field',
				value: 'recordsField',
				description: 'Each input item holds an array of usage records in one field',
			},
		],
		default: 'eachItem',
		displayOptions: show,
	},
	{
		displayName: 'Records Field',
		name: 'recordsField',
		type: 'string',
		default: 'usageRecords',
		required: true,
		description:
			'Name of the field holding the array of usage records. Each record has productCode, customerAWSAccountId and licenseArn (or customerIdentifier), dimension, quantity, timestamp and optionally usageAllocations.',
		displayOptions: { show: { operation: ['batchMeterUsage'], inputMode: ['recordsField'] } },
	},
	{
		displayName: 'Identify Customer By',
		name: 'customerIdType',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'AWS Account ID and License ARN',
				value: 'awsAccountId',
				description: 'For products listed since 2024: what Resolve Customer returns as customerAWSAccountId and licenseArn',
			},
			{
				name: 'Customer Identifier (Legacy)',
				value: 'customerIdentifier',
				description: 'For older products: the customerIdentifier from Resolve Customer',
			},
		],
		default: 'awsAccountId',
		displayOptions: eachItem,
	},
	{
		displayName: 'Customer AWS Account ID',
		name: 'customerAWSAccountId',
		type: 'string',
		default: '={{ $json.customerAWSAccountId }}',
		required: true,
		displayOptions: { show: { ...eachItem.show, customerIdType: ['awsAccountId'] } },
	},
	{
		displayName: 'License ARN',
		name: 'licenseArn',
		type: 'string',
		default: '={{ $json.licenseArn }}',
		required: true,
		description:
			'The customer’s license for the product, as Resolve Customer returned it. Required with an account ID: one customer’s hour sent once with a product code and once with a License ARN is billed twice.',
		displayOptions: { show: { ...eachItem.show, customerIdType: ['awsAccountId'] } },
	},
	{
		displayName: 'Customer Identifier',
		name: 'customerIdentifier',
		type: 'string',
		default: '={{ $json.customerIdentifier }}',
		required: true,
		displayOptions: { show: { ...eachItem.show, customerIdType: ['customerIdentifier'] } },
	},
	{
		displayName: 'Product Code',
		name: 'productCode',
		type: 'string',
		default: '={{ $json.productCode }}',
		required: true,
		description:
			'The SaaS product’s code. Every request covers one product; the code is sent to AWS only with legacy customer identifiers.',
		displayOptions: eachItem,
	},
	{
		displayName: 'Dimension',
		name: 'dimension',
		type: 'string',
		default: '={{ $json.dimension }}',
		required: true,
		description: 'The pricing dimension’s API identifier',
		displayOptions: eachItem,
	},
	{
		displayName: 'Quantity',
		name: 'quantity',
		type: 'string',
		default: '={{ $json.quantity }}',
		required: true,
		description: 'Whole units used, 0 to 2147483647',
		displayOptions: eachItem,
	},
	{
		displayName: 'Timestamp',
		name: 'timestamp',
		type: 'string',
		default: '={{ $json.timestamp }}',
		required: true,
		description: 'When the usage happened: ISO 8601, epoch seconds or milliseconds, or a date',
		displayOptions: eachItem,
	},
	{
		displayName: 'Usage Allocations',
		name: 'usageAllocations',
		type: 'json',
		default: '={{ $json.usageAllocations }}',
		description:
			'Optional split of the quantity by tags: an array of allocations, each with allocatedUsageQuantity and 1 to 5 tags (an object, or key/value pairs). The quantities must add up to the record’s quantity. An item without the field has no allocations.',
		displayOptions: eachItem,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Aggregate Records',
				name: 'aggregate',
				type: 'boolean',
				default: true,
				description:
					'Whether to sum the records of the same product or license, customer, dimension and hour into one. AWS bills only the first quantity it receives for such a key.',
			},
			{
				displayName: 'Max Attempts Per Request',
				name: 'maxAttempts',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 10 },
				default: 5,
				description: 'Attempts the AWS SDK makes, with backoff, when a request is throttled, fails with a server error or loses its connection',
			},
			{
				displayName: 'Max Isolation Requests',
				name: 'maxIsolationRequests',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 100,
				description:
					'When AWS rejects a whole request over one record, the request is halved until that record is alone. This caps the requests a run spends on it (AWS allows 10 a second per account); records left unresolved are reported Rejected with the reason.',
			},
			{
				displayName: 'Max Record Age (Hours)',
				name: 'maxRecordAgeHours',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 24 },
				default: 24,
				description:
					'Records this old or older are reported as invalid instead of being sent: one out-of-window record would make AWS reject its whole request. AWS accepts 24 hours (last month’s usage only until 06:00 UTC on the 1st).',
			},
			{
				displayName: 'Max Requests Per Second',
				name: 'maxRequestsPerSecond',
				type: 'number',
				typeOptions: { minValue: 0.1, maxValue: 100 },
				default: 10,
				description: 'Client-side rate limit; AWS allows 10 BatchMeterUsage requests per second per account and Region',
			},
			{
				displayName: 'Non-Integer Quantity',
				name: 'nonIntegerQuantity',
				type: 'options',
				options: [
					{ name: 'Report as Invalid', value: 'error' },
					{ name: 'Round Up', value: 'roundUp' },
					{ name: 'Round to Nearest', value: 'roundNearest' },
				],
				default: 'error',
				description: 'AWS accepts whole quantities only. Rounding applies to the summed record.',
			},
			{
				displayName: 'Output',
				name: 'output',
				type: 'options',
				options: [
					{ name: 'One Item Per Input Item', value: 'perItem' },
					{ name: 'One Item Per Usage Record Sent', value: 'perRecord' },
					{ name: 'One Summary Item', value: 'summary' },
				],
				default: 'perItem',
			},
			{
				displayName: 'Parallel Requests',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 50 },
				default: 5,
				description: 'Requests in flight at once, within the rate limit',
			},
			{
				displayName: 'Report Unbilled Usage as Errors',
				name: 'unbilledAsErrors',
				type: 'boolean',
				default: true,
				description:
					'Whether usage AWS did not bill (Unprocessed after every resend, DuplicateRecord, CustomerNotSubscribed) goes to the error output (with On Error → Continue (using error output)) or stops the node, like invalid usage. Off: such items are regular output with their status.',
			},
			{
				displayName: 'Request Timeout (Seconds)',
				name: 'requestTimeoutSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 30,
				description: 'How long to wait for an answer before the attempt counts as failed',
			},
			{
				displayName: 'Resend Attempts',
				name: 'unprocessedRetries',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 20 },
				default: 5,
				description:
					'How often to resend, with exponential backoff and jitter, the records AWS returned as unprocessed and the requests that still failed after the SDK’s attempts. The same records are resent, so nothing is billed twice.',
			},
			{
				displayName: 'Resend Time (Seconds)',
				name: 'unprocessedRetryMaxSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 1800,
				description: 'Longest time spent resending one request’s records; AWS suggests retrying for up to 30 minutes',
			},
			{
				displayName: 'Truncate Timestamps to the Hour',
				name: 'truncateToHour',
				type: 'boolean',
				default: true,
				description:
					'Whether to send the start of the usage hour. AWS deduplicates per hour, so a rerun then sends the same record instead of a duplicate.',
			},
		],
	},
];

interface BatchOptions extends Partial<MeteringOptions> {
	output?: OutputMode;
	unbilledAsErrors?: boolean;
	unprocessedRetryMaxSeconds?: number;
	// Read by the router for the SDK client.
	maxAttempts?: number;
	requestTimeoutSeconds?: number;
}

export async function execute(
	this: IExecuteFunctions,
	client: MarketplaceMeteringClient,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const {
		output = 'perItem',
		unbilledAsErrors = true,
		unprocessedRetryMaxSeconds,
		maxAttempts: _maxAttempts,
		requestTimeoutSeconds: _requestTimeoutSeconds,
		...options
	} = this.getNodeParameter('options', 0, {}) as BatchOptions;
	const { events, unreadable, recordsMode } = readUsageEvents.call(this, items);
	const report = await meterUsageEvents(events, sendUsageBatch(client), {
		...options,
		describeError: describeUsageError,
		...(unprocessedRetryMaxSeconds !== undefined ? { unprocessedRetryMaxMs: unprocessedRetryMaxSeconds * 1000 } : {}),
	});
	const ctx = {
		node: this.getNode(),
		itemCount: items.length,
		recordsMode,
		unreadable,
		unbilledAsErrors,
	};
	if (!this.continueOnFail()) {
		const failure = firstFailure(report, ctx);
		if (failure) throw failure;
	}
	return outcomeItems(report, output, ctx);
}
