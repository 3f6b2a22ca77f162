// n8n's Retry of a failed execution, as a seller meets it: Batch Meter Usage with the embedded ledger records 30 usage
// events that carry no Event ID, then AWS fails every request (HTTP 500); the same input runs again, as Retry gives
// it. Each event must be billed once, and the first run's error must say that running it again is safe.
import { CREDENTIAL_TYPE, EXAMPLE_PRODUCT_CODE, METERING_NODE_TYPE, credentialReference, type Workflow } from './lib/examples';
import { nodeOutput } from './lib/n8n';
import type { Checks } from './lib/report';
import type { Stack } from './lib/stack';

const HOUR = 3_600_000;
export const RETRY_ID = 'mpLedgerRetryE2e';
const METER_NODE = 'Batch Meter Usage';
// The emulator's legacy customer: the examples' Acme and Globex have had their final usage reported by the time
// this runs, and usage recorded for them afterwards is never sent.
const CUSTOMER_IDENTIFIER = 'cust-legacy-7f3a';
const DIMENSION = 'storage_gb';

/**
 * 30 events of two closed hours, fixed when the workflow is imported: both runs get the same items. Hours 6 and 7
 * before the import, older than any the ledger's flows use, so that those find none of their keys taken.
 */
function usageEvents(): Array<Record<string, unknown>> {
	const hour = Math.floor(Date.now() / HOUR) * HOUR;
	return Array.from({ length: 30 }, (_, n) => ({
		customerIdentifier: CUSTOMER_IDENTIFIER,
		productCode: EXAMPLE_PRODUCT_CODE,
		dimension: DIMENSION,
		quantity: 1 + (n % 7),
		timestamp: new Date(hour - (n % 3 === 0 ? 6 : 7) * HOUR + n * 60_000).toISOString(),
	}));
}

export function retryTestWorkflow(workflows: Workflow[]): Workflow {
	const events = usageEvents();
	return {
		id: RETRY_ID,
		name: 'Batch Meter Usage with the embedded ledger, retried (test)',
		settings: { executionOrder: 'v1' },
		active: false,
		nodes: [
			{ id: 'c1a0e0a0-0000-4000-8000-000000000001', name: 'Run', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'c1a0e0a0-0000-4000-8000-000000000002',
				name: 'Usage events',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [220, 0],
				parameters: { jsCode: `return ${JSON.stringify(events)}.map((json) => ({ json }));` },
			},
			{
				id: 'c1a0e0a0-0000-4000-8000-000000000003',
				name: METER_NODE,
				type: METERING_NODE_TYPE,
				typeVersion: 2,
				position: [440, 0],
				credentials: { [CREDENTIAL_TYPE]: credentialReference(workflows) },
				parameters: {
					operation: 'batchMeterUsage',
					customerIdType: 'customerIdentifier',
					ledger: 'embedded',
					source: 'inputItems',
					closeAfterMinutes: 0,
					options: { maxAttempts: 1, unprocessedRetries: 0, requestTimeoutSeconds: 5 },
				},
			},
		],
		connections: {
			Run: { main: [[{ node: 'Usage events', type: 'main', index: 0 }]] },
			'Usage events': { main: [[{ node: METER_NODE, type: 'main', index: 0 }]] },
		},
	};
}

function billed({ emulator }: Stack): number {
	return emulator.stats().meteredQuantity({ product: EXAMPLE_PRODUCT_CODE, customer: CUSTOMER_IDENTIFIER, dimension: DIMENSION });
}

export async function checkRetriedExecution(stack: Stack, checks: Checks, log: (message: string) => void): Promise<void> {
	const { emulator, n8n } = stack;
	log('Batch Meter Usage with the embedded ledger: a run that fails at AWS, run again with the same items (n8n’s Retry)');
	const billedBefore = billed(stack);
	emulator.setFaults({ serverErrorRate: 1 });
	const failed = await n8n.execute(RETRY_ID).finally(() => emulator.setFaults({}));
	checks.equal('the run AWS failed ends in error', failed.status, 'error');
	checks.check(
		'its error says the 30 events are in the ledger and that running it again is safe',
		/^30 usage events of this execution are in the metering ledger \(30 recorded now, 0 before\).* Running this execution again is safe/.test(
			failed.data.resultData.error?.description ?? '',
		),
		failed.data.resultData.error?.description,
	);
	const retried = await n8n.execute(RETRY_ID);
	checks.equal('the same items run again succeed', retried.status, 'success');
	const items = nodeOutput(retried, METER_NODE);
	checks.equal(
		'each of the 30 items is answered DuplicateEvent (recorded before), its hour billed now (recordStatus Success)',
		items.slice(0, 30).map((item) => [item.status, item.recordStatus, /recorded before/.test(String(item.note))]),
		Array.from({ length: 30 }, () => ['DuplicateEvent', 'Success', true]),
	);
	const total = usageEvents().reduce((sum, event) => sum + Number(event.quantity), 0);
	checks.equal(
		'AWS billed each event once (the emulator’s billing grew by the events’ sum, not twice it)',
		billed(stack) - billedBefore,
		total,
	);
}
