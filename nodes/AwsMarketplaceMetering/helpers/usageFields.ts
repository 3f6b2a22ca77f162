import type { INodeProperties } from 'n8n-workflow';

import { OPTIONAL_MAPPINGS_EMPTY_SINCE, versionsBefore, versionsFrom } from './versions';

// The fields that map input items to usage events, shared by Batch Meter Usage and Record Usage, and
// the metering ledger's settings. Hidden when Batch Meter Usage reads its usage from the ledger. Each field
// shows or hides on parameters its operation always shows (operation, ledger, source, input mode): n8n's
// editor keeps a hidden parameter's value until the page is reloaded, so a condition on one hides fields for
// a value the seller no longer sees.

/**
 * Which ledger keeps usage between runs; Batch Meter Usage may go without one. `closing`: whether Hour Closes
 * After applies, or on which node versions only.
 */
export function ledgerFields(operations: string[], { optional = false, closing = true as boolean | number[] } = {}): INodeProperties[] {
	const show = { show: { operation: operations } };
	const closingVersions = Array.isArray(closing) ? { '@version': closing } : {};
	const fields: INodeProperties[] = [
		// The default depends on whether the operation can go without a ledger.
		// eslint-disable-next-line n8n-nodes-base/node-param-default-missing
		{
			displayName: 'Metering Ledger',
			name: 'ledger',
			type: 'options',
			noDataExpression: true,
			options: [
				...(optional
					? [{ name: 'None', value: 'none', description: 'Meter the input items of this run only; nothing is kept between runs' }]
					: []),
				{
					name: 'Embedded',
					value: 'embedded',
					description: 'A PostgreSQL database (PGlite) in the n8n user folder: for one n8n instance, not for queue mode',
				},
				{
					name: 'PostgreSQL',
					value: 'postgres',
					description: 'A PostgreSQL database shared by every n8n instance and worker that meters this seller account',
				},
			],
			default: optional ? 'none' : 'embedded',
			description:
				'Keeps every usage event and what was sent for each customer, dimension and hour, so that each hour is sent once, complete, across all runs and workers: AWS bills only the first quantity it receives for an hour',
			displayOptions: show,
		},
		{
			displayName: 'Hour Closes After (Minutes)',
			name: 'closeAfterMinutes',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 600 },
			default: 10,
			description:
				'An hour is sent once it ended this many minutes ago, so usage that arrives a little late still counts in its own hour. With the default, an hourly schedule at minute 15 meters the previous hour.',
			displayOptions: { show: { operation: operations, ledger: ['embedded', 'postgres'], ...closingVersions } },
		},
	];
	return fields.filter((field) => closing !== false || field.name !== 'closeAfterMinutes');
}

/**
 * The input item fields of a usage event; `withSource`: hidden when the operation's Source is the ledger (only
 * there: another operation's Source, left over, would hide them too).
 */
export function usageRecordFields(operations: string[], { withSource = false } = {}): INodeProperties[] {
	const forOperations = { show: { operation: operations }, ...(withSource ? { hide: { source: ['ledger'] } } : {}) };
	const eachItem = { ...forOperations, show: { ...forOperations.show, inputMode: ['eachItem'] } };
	return [
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
			displayOptions: forOperations,
		},
		{
			displayName: 'Records Field',
			name: 'recordsField',
			type: 'string',
			default: 'usageRecords',
			required: true,
			description:
				'Name of the field holding the array of usage records. Each record has productCode, customerAWSAccountId and licenseArn (or customerIdentifier), dimension, quantity, timestamp and optionally usageAllocations.',
			displayOptions: { ...forOperations, show: { ...forOperations.show, inputMode: ['recordsField'] } },
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
			displayOptions: { ...eachItem, show: { ...eachItem.show, customerIdType: ['awsAccountId'] } },
		},
		{
			displayName: 'License ARN',
			name: 'licenseArn',
			type: 'string',
			default: '={{ $json.licenseArn }}',
			required: true,
			description:
				'The customer’s license for the product, as Resolve Customer returned it. Required with an account ID: one customer’s hour sent once with a product code and once with a License ARN is billed twice.',
			displayOptions: { ...eachItem, show: { ...eachItem.show, customerIdType: ['awsAccountId'] } },
		},
		{
			displayName: 'Customer Identifier',
			name: 'customerIdentifier',
			type: 'string',
			default: '={{ $json.customerIdentifier }}',
			required: true,
			displayOptions: { ...eachItem, show: { ...eachItem.show, customerIdType: ['customerIdentifier'] } },
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
		...optionalMapping({
			displayName: 'Usage Allocations',
			name: 'usageAllocations',
			// Text, not n8n's JSON editor, which flags the valid empty value as broken JSON.
			type: 'string',
			default: '',
			placeholder: 'e.g. {{ $json.usageAllocations }}',
			description:
				'Optional split of the quantity by tags: an array of allocations, each with allocatedUsageQuantity and 1 to 5 tags (an object, or key/value pairs), such as [{ "allocatedUsageQuantity": 2, "tags": { "team": "data" } }]. The quantities must add up to the record’s quantity. Empty, or a field the item lacks: no allocations.',
			displayOptions: eachItem,
		}),
		...optionalMapping({
			displayName: 'Event ID',
			name: 'eventId',
			type: 'string',
			default: '',
			placeholder: 'e.g. {{ $json.eventId }}',
			description:
				'Optional: the ID your source gives each usage event. The ledger counts an event ID once, so a re-delivered webhook or a re-run query is never summed twice. Empty, or a field the item lacks: the item is identified by its usage (Identify Items Without Event ID, in Options).',
			displayOptions: { ...eachItem, show: { ...eachItem.show, ledger: ['embedded', 'postgres'] } },
		}),
	];
}

/**
 * An optional mapping, empty from version 3 on: a `{{ $json.… }}` default shows red in the editor whenever the
 * input lacks the field, the usual case. Saved nodes of earlier versions keep reading the item's field.
 */
function optionalMapping(property: INodeProperties): INodeProperties[] {
	const show = property.displayOptions?.show ?? {};
	const field = `={{ $json.${property.name} }}`;
	return [
		{ ...property, default: field, displayOptions: { ...property.displayOptions, show: { ...show, '@version': versionsBefore(OPTIONAL_MAPPINGS_EMPTY_SINCE) } } },
		{ ...property, displayOptions: { ...property.displayOptions, show: { ...show, '@version': versionsFrom(OPTIONAL_MAPPINGS_EMPTY_SINCE) } } },
	];
}

/** How fractional quantities are treated: the same choice wherever usage is summed. */
export const nonIntegerQuantityOption: INodeProperties = {
	displayName: 'Non-Integer Quantity',
	name: 'nonIntegerQuantity',
	type: 'options',
	options: [
		{ name: 'Report as Invalid', value: 'error' },
		{ name: 'Round Up', value: 'roundUp' },
		{ name: 'Round to Nearest', value: 'roundNearest' },
	],
	default: 'error',
	description: 'AWS accepts whole quantities only. Fractions are summed exactly; rounding applies to each usage record’s sum.',
};

/** Whether usage AWS did not bill is an error, wherever usage is sent. */
export const unbilledAsErrorsOption: INodeProperties = {
	displayName: 'Report Unbilled Usage as Errors',
	name: 'unbilledAsErrors',
	type: 'boolean',
	default: true,
	description:
		'Whether usage AWS did not bill (Unprocessed after every resend, DuplicateRecord, CustomerNotSubscribed) goes to the error output (with On Error → Continue (using error output)) or stops the node, like invalid usage. Off: such items are regular output with their status.',
};

/**
 * How the metering ledger takes the input's usage: shared by the operations that record it. With
 * `whenLedger`, shown only when a ledger is chosen and the usage comes from the input.
 */
export function recordingOptions({ whenLedger = false } = {}): INodeProperties[] {
	const displayOptions = whenLedger ? { displayOptions: { show: { '/ledger': ['embedded', 'postgres'] }, hide: { '/source': ['ledger'] } } } : {};
	return [
		{
			displayName: 'Bill Late Usage in a Later Hour',
			name: 'billLateUsageLater',
			type: 'boolean',
			default: false,
			description:
				'Whether usage that arrives past AWS’s deadline for its hour (24 hours; last month’s only until 06:00 UTC on the 1st), or after every later hour of its month was sent, is billed in the hour in progress instead of being reported Expired. Only if your terms with buyers allow it: their invoice then shows the usage in another hour, perhaps another month. Every item this affects says so.',
			...displayOptions,
		},
		{
			displayName: 'Identify Items Without Event ID',
			name: 'deriveEventIds',
			type: 'boolean',
			default: true,
			description:
				'Whether an item without an Event ID is identified by its usage (product or license, customer, dimension, timestamp, quantity, allocations) and its place among identical items of the run, so that n8n’s Retry, a second run over the same rows or a webhook delivered twice counts nothing twice. Identical usage in two runs then counts once: map an Event ID if your source can send identical events. Off: every such item is counted, also when the execution is retried, which bills it twice.',
			...displayOptions,
		},
	];
}
