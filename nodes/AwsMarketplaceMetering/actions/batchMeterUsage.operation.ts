import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import {
	UsageMeter,
	recordUsageEvents,
	summarizeReport,
	type MeteringOptions,
	type MeteringSummary,
	type RecordOutcome,
	type RecordingOptions,
} from '../batch';
import { count } from '../helpers/count';
import { meterLedgerUsage, withLedger } from '../helpers/ledgerRun';
import type { LedgerChoice } from '../../shared/openLedger';
import { describeUsageError, sendUsageBatch } from '../transport/sendUsageBatch';
import { readUsageEventParts, readUsageEvents } from '../helpers/usageEvents';
import { ledgerFields, nonIntegerQuantityOption, recordingOptions, unbilledAsErrorsOption, usageRecordFields } from '../helpers/usageFields';
import { addHint, notBilledItems, requestsPhrase } from '../helpers/meteringHint';
import { firstFailure, outcomeItems, type OutputMode } from '../helpers/usageOutcomes';
import { readZeroUsage, zeroUsageOption } from '../helpers/zeroUsage';
import type { Services } from './services';

const show = { show: { operation: ['batchMeterUsage'] } };
// Options that apply without a ledger only (the ledger sums each hour itself), or to usage from the input only.
const withoutLedger = { show: { '/ledger': ['none'] } };
const fromInputItems = { hide: { '/source': ['ledger'] } };

export const description: INodeProperties[] = [
	...ledgerFields(['batchMeterUsage'], { optional: true }),
	{
		displayName: 'Source',
		name: 'source',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Input Items',
				value: 'inputItems',
				description: 'Record the input items’ usage in the ledger, then send every closed hour the ledger holds',
			},
			{
				name: 'Usage in the Ledger',
				value: 'ledger',
				description: 'Send the closed hours of the usage Record Usage put in the ledger',
			},
		],
		default: 'inputItems',
		// Always shown: the fields below hide on it, which they must not do on a value the editor no longer shows.
		displayOptions: show,
	},
	{
		displayName: 'Usage in the Ledger needs a Metering Ledger: choose the one Record Usage writes to',
		name: 'sourceNeedsLedgerNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['batchMeterUsage'], source: ['ledger'], ledger: ['none'] } },
	},
	...usageRecordFields(['batchMeterUsage'], { withSource: true }),
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
				displayOptions: withoutLedger,
			},
			...recordingOptions({ whenLedger: true }),
			{
				displayName: 'Max Attempts Per Request',
				name: 'maxAttempts',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 10 },
				default: 5,
				description:
					'Within one request: how often the AWS SDK tries it, a second or so apart, when AWS throttles it, fails with a server error or the connection drops. Invisible in the output unless every attempt fails.',
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
					'Usage this many hours or more after its hour is reported Expired instead of being sent or recorded: one out-of-window record would make AWS reject its whole request. AWS accepts 24 hours (last month’s usage only until 06:00 UTC on the 1st).',
				displayOptions: fromInputItems,
			},
			{
				displayName: 'Max Requests Per Second',
				name: 'maxRequestsPerSecond',
				type: 'number',
				typeOptions: { minValue: 0.1, maxValue: 100 },
				default: 10,
				description: 'Client-side rate limit; AWS allows 10 BatchMeterUsage requests per second per account and Region',
			},
			nonIntegerQuantityOption,
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
				description: 'With a metering ledger the node answers one item per input item and one per other usage record it sent',
				displayOptions: withoutLedger,
			},
			{
				displayName: 'Parallel Requests',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 50 },
				default: 5,
				description: 'Requests in flight at once, within the rate limit',
			},
			unbilledAsErrorsOption,
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
					'After a request: how often the node sends again the records AWS returned as unprocessed, or whose request failed every SDK attempt, waiting longer each time (1 s, 2 s, 4 s… up to 5 min). The same records are resent, so nothing is billed twice. n8n’s own Retry On Fail, in the node’s settings, reruns the whole node instead: leave it off.',
			},
			{
				displayName: 'Resend Time (Seconds)',
				name: 'unprocessedRetryMaxSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 1800,
				description:
					'The longest the run waits for those resends (AWS suggests up to 30 minutes): the run stays open that long, and its log says so when it waits. What is still unprocessed then is reported Unprocessed.',
			},
			zeroUsageOption,
			{
				displayName: 'Truncate to the Hour',
				name: 'truncateToHour',
				type: 'boolean',
				default: true,
				description:
					'Whether to send the start of the usage hour. AWS deduplicates per hour, so a rerun then sends the same record instead of a duplicate.',
				displayOptions: withoutLedger,
			},
		],
	},
];

interface BatchOptions extends RecordingOptions {
	output?: OutputMode;
	unbilledAsErrors?: boolean;
	unprocessedRetryMaxSeconds?: number;
	zeroUsage?: unknown;
	// Read by the router for the SDK client.
	maxAttempts?: number;
	requestTimeoutSeconds?: number;
}

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	services: Services,
): Promise<INodeExecutionData[]> {
	const {
		output = 'perItem',
		unbilledAsErrors = true,
		unprocessedRetryMaxSeconds,
		deriveEventIds,
		billLateUsageLater,
		zeroUsage,
		...options
	} = this.getNodeParameter('options', 0, {}) as BatchOptions;
	const settings: Partial<MeteringOptions> = {
		...options,
		describeError: describeUsageError,
		// A run can wait up to Resend Time for resends: say so in n8n's log while it waits.
		onResend: ({ records, resend, delayMs }) =>
			this.logger.info(`AWS Marketplace Metering: resending ${records} usage records in ${Math.round(delayMs / 1000)} s (resend ${resend}); the run waits up to Resend Time for them`),
		...(unprocessedRetryMaxSeconds !== undefined ? { unprocessedRetryMaxMs: unprocessedRetryMaxSeconds * 1000 } : {}),
	};
	const ledgerChoice = this.getNodeParameter('ledger', 0, 'none') as LedgerChoice;
	const fromLedger = this.getNodeParameter('source', 0, 'inputItems') === 'ledger';
	if (fromLedger && ledgerChoice === 'none') {
		throw new NodeOperationError(this.getNode(), 'Source is Usage in the Ledger but Metering Ledger is None: choose the ledger Record Usage writes to');
	}
	// Checked before anything is recorded or sent.
	const zero = ledgerChoice === 'none' ? [] : readZeroUsage(this, zeroUsage);
	const context = (unreadable: Map<number, string>, recordsMode: boolean) => ({ node: this.getNode(), itemCount: items.length, recordsMode, unreadable, unbilledAsErrors });
	if (ledgerChoice !== 'none') {
		const { events, unreadable, recordsMode } = fromLedger ? { events: [], unreadable: new Map<number, string>(), recordsMode: false } : readUsageEvents.call(this, items);
		const ctx = context(unreadable, recordsMode);
		const send = sendUsageBatch(await services.client());
		return await withLedger.call(this, async (ledger) => {
			const recorded: RecordOutcome[] = fromLedger ? [] : await recordUsageEvents(ledger, events, { ...settings, deriveEventIds, billLateUsageLater });
			return await meterLedgerUsage.call(this, ledger, send, recorded, { ...settings, zeroUsage: zero }, { ...ctx, itemCount: fromLedger ? 0 : items.length });
		});
	}
	// The events are summed part by part as they are read (none of them is kept), then sent.
	const { parts, unreadable, recordsMode, sources } = readUsageEventParts.call(this, items);
	const meter = new UsageMeter(settings);
	for (const events of parts) meter.add(events);
	const report = await meter.send(sendUsageBatch(await services.client()));
	const ctx = context(unreadable, recordsMode);
	const outcomes = outcomeItems(report, output, ctx, sources);
	hint(this, summarizeReport(report), output === 'summary' ? undefined : notBilledItems(outcomes), ctx.unreadable.size);
	if (!this.continueOnFail()) {
		const failure = firstFailure(report, ctx, sources);
		if (failure) throw failure;
	}
	return outcomes;
}

/** What the run did; "not billed" counts the output's items, or, in one summary item, the events and unreadable items. */
function hint(ctx: IExecuteFunctions, summary: MeteringSummary, notBilled: number | undefined, unreadable: number): void {
	const unbilledEvents = Object.entries(summary.statuses).reduce((sum, [status, n]) => (status === 'Success' ? sum : sum + n), 0);
	addHint(
		ctx,
		`${count(summary.events, 'usage event')} summed into ${count(summary.recordsSent, 'usage record')} ${requestsPhrase(summary)}; ${notBilled ?? unbilledEvents + unreadable} not billed`,
	);
}
