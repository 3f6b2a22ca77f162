import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { checkLicenseArn, type NonIntegerQuantity } from '../batch';
import { fieldError, listOf } from '../helpers/fields';
import { meterLedgerUsage, withLedger } from '../helpers/ledgerRun';
import { describeUsageError, sendUsageBatch } from '../transport/sendUsageBatch';
import { ledgerFields, nonIntegerQuantityOption, unbilledAsErrorsOption } from '../helpers/usageFields';
import type { Services } from './services';

const show = { show: { operation: ['meterOpenHours'] } };

export const description: INodeProperties[] = [
	{
		displayName:
			'Sends the named licenses’ and customers’ usage now, their hour in progress included, and, as Batch Meter Usage from the ledger does, every closed hour of other licenses the ledger holds',
		name: 'meterOpenHoursNotice',
		type: 'notice',
		default: '',
		displayOptions: show,
	},
	...ledgerFields(['meterOpenHours']),
	{
		displayName: 'License ARNs',
		name: 'licenseArns',
		type: 'string',
		default: '={{ $json.licenseArn }}',
		description:
			'The licenses whose usage ends now, as on AWS’s License Deprovisioned event, in any spelling AWS uses: one per item, a comma-separated list, or an array',
		displayOptions: show,
	},
	{
		displayName: 'Customers',
		name: 'customers',
		type: 'string',
		default: '',
		placeholder: 'e.g. 123456789012',
		description: 'Customer AWS account IDs (or legacy customer identifiers) whose usage ends now: a comma-separated list, or an array',
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
			nonIntegerQuantityOption,
			unbilledAsErrorsOption,
		],
	},
];

/**
 * The final usage at cancellation: sends the ledger's hours of the named licenses or customers at
 * once, the hour in progress included, instead of waiting for them to close (AWS accepts their
 * usage for about an hour after the license is deprovisioned). Usage recorded for them afterwards
 * is reported as arriving after the final report, never sent. Closed hours of others go out too.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], services: Services): Promise<INodeExecutionData[]> {
	const licenseArns = new Set<string>();
	const customers = new Set<string>();
	items.forEach((_, itemIndex) => {
		// Any of AWS's spellings (the license events' too) names the license the ledger keys on.
		for (const arn of listOf(this.getNodeParameter('licenseArns', itemIndex, ''))) {
			const checked = checkLicenseArn(arn);
			if (!checked.ok) throw fieldError(this, itemIndex, `License ARNs: ${checked.error.message}`);
			licenseArns.add(checked.value);
		}
		for (const customer of listOf(this.getNodeParameter('customers', itemIndex, ''))) customers.add(customer);
	});
	if (licenseArns.size === 0 && customers.size === 0) {
		throw new NodeOperationError(this.getNode(), 'License ARNs and Customers are both empty: name the licenses or customers whose final usage to send');
	}
	const { nonIntegerQuantity, unbilledAsErrors = true } = this.getNodeParameter('options', 0, {}) as {
		nonIntegerQuantity?: NonIntegerQuantity;
		unbilledAsErrors?: boolean;
	};
	const send = sendUsageBatch(await services.client());
	return await withLedger.call(this, async (ledger) =>
		await meterLedgerUsage.call(
			this,
			ledger,
			send,
			[],
			{
				nonIntegerQuantity,
				describeError: describeUsageError,
				final: { licenseArns: [...licenseArns], customers: [...customers] },
			},
			{ node: this.getNode(), itemCount: 0, recordsMode: false, unreadable: new Map(), unbilledAsErrors },
		),
	);
}
