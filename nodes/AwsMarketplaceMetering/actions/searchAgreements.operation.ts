import { paginateSearchAgreements, type Filter, type SortOrder } from '@aws-sdk/client-marketplace-agreement';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { agreementItem } from '../helpers/agreementItems';
import { AGREEMENT_RULES, checkTime, checkValue, filterTime, readText } from '../helpers/agreementRules';
import { limitOf, readPages, returnAllFields } from '../helpers/pages';
import { flatMapItems } from '../helpers/perItem';
import type { Services } from './services';

const show = { show: { operation: ['searchAgreements'] } };
const time = (name: string, displayName: string, description: string): INodeProperties => ({ displayName, name, type: 'dateTime', default: '', description });

export const description: INodeProperties[] = [
	{
		displayName: 'Party Type',
		name: 'partyType',
		type: 'options',
		options: [
			{ name: 'Proposer', value: 'Proposer', description: 'Agreements in which this account is the seller' },
			{ name: 'Acceptor', value: 'Acceptor', description: 'Agreements in which this account is the buyer' },
		],
		default: 'Proposer',
		description: 'This account’s side of the agreements. As acceptor, AWS takes fewer filter combinations.',
		displayOptions: show,
	},
	{
		displayName: 'Agreement Type',
		name: 'agreementType',
		type: 'string',
		required: true,
		default: 'PurchaseAgreement',
		description: 'AWS requires one: PurchaseAgreement for the subscriptions, contracts and private offers buyers accept',
		displayOptions: show,
	},
	{
		displayName: 'Filters',
		name: 'agreementFilters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		description: 'Agreements that match all of them. Times are sent in whole seconds.',
		displayOptions: show,
		options: [
			{
				displayName: 'Acceptor Account ID',
				name: 'acceptorAccountId',
				type: 'string',
				default: '',
				placeholder: 'e.g. 123456789012',
				description: 'The buyer’s AWS account ID (customerAWSAccountId in Resolve Customer’s output)',
			},
			time('afterEndTime', 'After End Time', 'Agreements that end after this time'),
			time('afterLastUpdateTime', 'After Last Update Time', 'Agreements last updated after this time (as proposer)'),
			time('afterStartTime', 'After Start Time', 'Agreements that start after this time (as proposer)'),
			time('beforeEndTime', 'Before End Time', 'Agreements that end before this time'),
			time('beforeLastUpdateTime', 'Before Last Update Time', 'Agreements last updated before this time (as proposer)'),
			time('beforeStartTime', 'Before Start Time', 'Agreements that start before this time (as proposer)'),
			{
				displayName: 'Initial Agreement ID',
				name: 'initialAgreementId',
				type: 'string',
				default: '',
				description: 'The first agreement of a chain of renewals and replacements: every agreement of the chain (as proposer)',
			},
			{ displayName: 'Offer ID', name: 'offerId', type: 'string', default: '', placeholder: 'e.g. offer-…' },
			{ displayName: 'Offer Set ID', name: 'offerSetId', type: 'string', default: '' },
			{ displayName: 'Resource Identifier', name: 'resourceIdentifier', type: 'string', default: '', placeholder: 'e.g. prod-…', description: 'The product’s ID' },
			{
				displayName: 'Resource Type',
				name: 'resourceType',
				type: 'options',
				default: 'SaaSProduct',
				description: 'The type of product',
				options: [
					{ name: 'AMI Product', value: 'AmiProduct' },
					{ name: 'Container Product', value: 'ContainerProduct' },
					{ name: 'Machine Learning Product', value: 'MachineLearningProduct' },
					{ name: 'Professional Services Product', value: 'ProfessionalServicesProduct' },
					{ name: 'SaaS Product', value: 'SaaSProduct' },
				],
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				default: 'ACTIVE',
				options: [
					{ name: 'Active', value: 'ACTIVE' },
					{ name: 'Archived', value: 'ARCHIVED' },
					{ name: 'Cancelled', value: 'CANCELLED' },
					{ name: 'Expired', value: 'EXPIRED' },
					{ name: 'Renewed', value: 'RENEWED' },
					{ name: 'Replaced', value: 'REPLACED' },
					{ name: 'Rolled Back', value: 'ROLLED_BACK' },
					{ name: 'Superseded', value: 'SUPERSEDED' },
					{ name: 'Terminated', value: 'TERMINATED' },
				],
			},
		],
	},
	...returnAllFields('searchAgreements'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Sort By',
				name: 'sortBy',
				type: 'options',
				default: 'EndTime',
				description: 'Start Time and Last Update Time as proposer only',
				options: [
					{ name: 'End Time', value: 'EndTime' },
					{ name: 'Last Update Time', value: 'LastUpdateTime' },
					{ name: 'Start Time', value: 'StartTime' },
				],
			},
			{
				displayName: 'Sort Order',
				name: 'sortOrder',
				type: 'options',
				default: 'ASCENDING',
				options: [
					{ name: 'Ascending', value: 'ASCENDING' },
					{ name: 'Descending', value: 'DESCENDING' },
				],
			},
		],
	},
];

// Each filter field and the name AWS filters on; the times are sent as AWS's filter values take them.
const FILTERS: Array<{ field: string; name: string; time?: true }> = [
	{ field: 'acceptorAccountId', name: 'AcceptorAccountId' },
	{ field: 'offerId', name: 'OfferId' },
	{ field: 'offerSetId', name: 'OfferSetId' },
	{ field: 'resourceIdentifier', name: 'ResourceIdentifier' },
	{ field: 'resourceType', name: 'ResourceType' },
	{ field: 'status', name: 'Status' },
	{ field: 'initialAgreementId', name: 'InitialAgreementId' },
	{ field: 'afterEndTime', name: 'AfterEndTime', time: true },
	{ field: 'beforeEndTime', name: 'BeforeEndTime', time: true },
	{ field: 'afterStartTime', name: 'AfterStartTime', time: true },
	{ field: 'beforeStartTime', name: 'BeforeStartTime', time: true },
	{ field: 'afterLastUpdateTime', name: 'AfterLastUpdateTime', time: true },
	{ field: 'beforeLastUpdateTime', name: 'BeforeLastUpdateTime', time: true },
];

/** Every page of the agreements that match, or up to Limit; one output item per agreement, none for no match. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], services: Services): Promise<INodeExecutionData[]> {
	const client = await services.agreementClient();
	return await flatMapItems.call(this, items, async (itemIndex) => {
		const options = this.getNodeParameter('options', itemIndex, {}) as { sortBy?: string; sortOrder?: SortOrder };
		const input = {
			filters: readFilters(this, itemIndex),
			...(options.sortBy || options.sortOrder ? { sort: { sortBy: options.sortBy, sortOrder: options.sortOrder } } : {}),
		};
		const agreements = await readPages(
			(pageSize) => paginateSearchAgreements({ client, pageSize, stopOnSameToken: true }, input),
			(page) => page.agreementViewSummaries,
			limitOf(this, itemIndex),
		);
		return agreements.map((agreement) =>
			agreementItem(agreement, {
				lastUpdateTime: agreement.lastUpdateTime?.toISOString() ?? null,
				licenseArns: (agreement.entitlements ?? []).flatMap((entitlement) => (entitlement.licenseArn ? [entitlement.licenseArn] : [])),
			}),
		);
	});
}

function readFilters(ctx: IExecuteFunctions, itemIndex: number): Filter[] {
	const partyType = ctx.getNodeParameter('partyType', itemIndex, 'Proposer') as string;
	const agreementType = readText(ctx, itemIndex, 'agreementType', AGREEMENT_RULES.agreementType);
	const fields = ctx.getNodeParameter('agreementFilters', itemIndex, {}) as Record<string, unknown>;
	const filters: Filter[] = [
		{ name: 'PartyType', values: [partyType] },
		{ name: 'AgreementType', values: [agreementType] },
	];
	for (const { field, name, time } of FILTERS) {
		const value = fields[field];
		if (value === undefined || value === '') continue;
		const label = `Filters: ${name}`;
		const text = time ? filterTime(checkTime(ctx, itemIndex, value, label)) : value;
		const rule = name === 'AcceptorAccountId' ? AGREEMENT_RULES.acceptorAccountId : AGREEMENT_RULES.filterValue;
		filters.push({ name, values: [checkValue(ctx, itemIndex, text, { ...rule, label })] });
	}
	return filters;
}
