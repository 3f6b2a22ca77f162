import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { KeyState, ReportQuery, ReportRow } from '../../shared/ledger';
import { limitOf, returnAllFields } from '../helpers/pages';
import { ledgerFields } from '../helpers/usageFields';
import { customerJson } from '../helpers/ledgerOutcomes';
import { withLedger } from '../helpers/ledgerRun';
import { REPORT_LIMIT_SINCE, versionsBefore, versionsFrom } from '../helpers/versions';

const before = { show: { operation: ['getMeteringReport'], '@version': versionsBefore(REPORT_LIMIT_SINCE) } };
const since = { show: { operation: ['getMeteringReport'], '@version': versionsFrom(REPORT_LIMIT_SINCE) } };
// When an hour closes is Batch Meter Usage's setting; the report's own copy (versions 1 and 2) only named states.
const CLOSE_AFTER_MINUTES = 10;

const filters: INodeProperties[] = [
	{ displayName: 'Customer AWS Account ID', name: 'customerAWSAccountId', type: 'string', default: '' },
	{ displayName: 'Customer Identifier', name: 'customerIdentifier', type: 'string', default: '' },
	{ displayName: 'Dimension', name: 'dimension', type: 'string', default: '' },
	{ displayName: 'From', name: 'from', type: 'dateTime', default: '', description: 'Hours from this one on' },
	{ displayName: 'License ARN', name: 'licenseArn', type: 'string', default: '' },
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
];

const filterLimit: INodeProperties = { displayName: 'Limit', name: 'limit', type: 'number', typeOptions: { minValue: 1 }, default: 50, description: 'Max number of results to return' };

export const description: INodeProperties[] = [
	...ledgerFields(['getMeteringReport'], { closing: versionsBefore(REPORT_LIMIT_SINCE) }),
	// From version 3 on, Return All and Limit in sight, as n8n's "get many" operations have them: a limit hidden among
	// the filters cut reports short unseen.
	...returnAllFields('getMeteringReport').map((field) => ({ ...field, displayOptions: { show: { ...field.displayOptions!.show, ...since.show } } })),
	{ displayName: 'Filters', name: 'filters', type: 'collection', placeholder: 'Add Filter', default: {}, displayOptions: since, options: filters },
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: before,
		options: [...filters, filterLimit].sort((a, b) => a.displayName.localeCompare(b.displayName)),
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
				limit: this.getNode().typeVersion < REPORT_LIMIT_SINCE ? (typeof filters.limit === 'number' ? filters.limit : 50) : (limitOf(this, itemIndex) ?? null),
				now: new Date(),
				closeAfterMinutes: this.getNodeParameter('closeAfterMinutes', itemIndex, CLOSE_AFTER_MINUTES) as number,
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
