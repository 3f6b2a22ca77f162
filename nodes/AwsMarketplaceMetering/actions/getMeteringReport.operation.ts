import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { KeyState, ReportQuery, ReportRow } from '../ledger';
import { ledgerFields } from '../helpers/usageFields';
import { customerJson } from '../helpers/ledgerOutcomes';
import { withLedger } from '../helpers/ledgerRun';

const show = { show: { operation: ['getMeteringReport'] } };

export const description: INodeProperties[] = [
	...ledgerFields(['getMeteringReport']),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: show,
		options: [
			{ displayName: 'Customer AWS Account ID', name: 'customerAWSAccountId', type: 'string', default: '' },
			{ displayName: 'Customer Identifier', name: 'customerIdentifier', type: 'string', default: '' },
			{ displayName: 'Dimension', name: 'dimension', type: 'string', default: '' },
			{ displayName: 'From', name: 'from', type: 'dateTime', default: '', description: 'Hours from this one on' },
			{ displayName: 'License ARN', name: 'licenseArn', type: 'string', default: '' },
			{ displayName: 'Limit', name: 'limit', type: 'number', typeOptions: { minValue: 1 }, default: 50, description: 'Max number of results to return' },
			{ displayName: 'Product Code', name: 'productCode', type: 'string', default: '' },
			{
				displayName: 'States',
				name: 'states',
				type: 'multiOptions',
				// The output's state values, named for the editor.
				options: [
					{ name: 'Billed', value: 'billed' },
					{ name: 'Expired', value: 'expired' },
					{ name: 'Not Billed', value: 'notBilled' },
					{ name: 'Open', value: 'open' },
					{ name: 'Ready', value: 'ready' },
					{ name: 'Sending', value: 'sending' },
				] satisfies Array<{ name: string; value: KeyState }>,
				default: [],
			},
			{ displayName: 'To', name: 'to', type: 'dateTime', default: '', description: 'Hours before this one' },
		],
	},
];

/**
 * One item per customer, dimension and hour in the ledger: its events, quantity, state, metering
 * record ID, when it was sent and where late usage went. For reconciliation with AWS's billing
 * reports and for dashboards.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await withLedger.call(this, async (ledger) => {
		const returnData: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const filters = this.getNodeParameter('filters', itemIndex, {}) as Record<string, string | number | string[]>;
			const text = (name: string) => (typeof filters[name] === 'string' && filters[name] ? (filters[name] as string) : undefined);
			const query: ReportQuery = {
				...(text('from') ? { from: new Date(text('from')!) } : {}),
				...(text('to') ? { to: new Date(text('to')!) } : {}),
				customerAWSAccountId: text('customerAWSAccountId'),
				customerIdentifier: text('customerIdentifier'),
				licenseArn: text('licenseArn'),
				productCode: text('productCode'),
				dimension: text('dimension'),
				...(Array.isArray(filters.states) && filters.states.length ? { states: filters.states as KeyState[] } : {}),
				limit: typeof filters.limit === 'number' ? filters.limit : 50,
				now: new Date(),
				closeAfterMinutes: this.getNodeParameter('closeAfterMinutes', itemIndex, 10) as number,
			};
			for (const row of await ledger.report(query)) returnData.push({ json: rowJson(row), pairedItem: { item: itemIndex } });
		}
		return returnData;
	});
}

function rowJson(row: ReportRow): IDataObject {
	const iso = (date?: Date) => (date ? date.toISOString() : null);
	return {
		hour: row.hour.toISOString(),
		productCode: row.productCode,
		licenseArn: row.licenseArn ?? null,
		...customerJson(row.customer),
		dimension: row.dimension,
		events: row.events,
		quantity: row.quantity,
		sentQuantity: row.sentQuantity ?? null,
		state: row.state,
		status: row.status ?? null,
		reason: row.reason ?? null,
		meteringRecordId: row.meteringRecordId ?? null,
		sentAt: iso(row.sentAt),
		attempts: row.attempts,
		deadline: row.deadline.toISOString(),
		carriedFrom: row.carriedFrom.map((hour) => hour.toISOString()),
		carriedTo: row.carriedTo.map((hour) => hour.toISOString()),
	};
}
