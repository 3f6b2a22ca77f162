// n8n's Retry of a failed execution, as a seller meets it: Batch Meter Usage with the embedded ledger records 30 usage
// events that carry no Event ID, then AWS fails every request (HTTP 500); the same input runs again, as Retry gives
// it. Each event must be billed once, and the first run's error must say that running it again is safe.
import { CREDENTIAL_TYPE, EXAMPLE_PRODUCT_CODE, METERING_NODE_TYPE, credentialReference, type Workflow } from '../../../scripts/e2e/lib/examples';
import { nodeOutput } from '../../../scripts/e2e/lib/n8n';
import type { Stack } from '../../../scripts/e2e/lib/stack';
import { HOUR_MS, log, type E2e } from './context';

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
	const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
	return Array.from({ length: 30 }, (_, n) => ({
		customerIdentifier: CUSTOMER_IDENTIFIER,
		productCode: EXAMPLE_PRODUCT_CODE,
		dimension: DIMENSION,
		quantity: 1 + (n % 7),
		timestamp: new Date(hour - (n % 3 === 0 ? 6 : 7) * HOUR_MS + n * 60_000).toISOString(),
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

export function describeRetriedExecution(e2e: E2e): void {
	describe('Batch Meter Usage with the embedded ledger: a run AWS failed, run again with the same items (n8n’s Retry)', () => {
		let billedBefore: number;

		test('the run AWS failed ends in error, saying the 30 events are in the ledger and that running it again is safe', async () => {
			log('Batch Meter Usage with the embedded ledger: a run that fails at AWS, run again with the same items');
			billedBefore = billed(e2e.stack);
			e2e.stack.emulator.setFaults({ serverErrorRate: 1 });
			const failed = await e2e.stack.n8n.execute(RETRY_ID).finally(() => e2e.stack.emulator.setFaults({}));
			expect(failed.status).toBe('error');
			expect(failed.data.resultData.error?.description).toMatch(/^30 usage events of this execution are in the metering ledger \(30 recorded now, 0 before\).* Running this execution again is safe/);
		});

		test('the same items run again succeed: each is answered DuplicateEvent (recorded before), its hour billed now, and AWS billed each event once', async () => {
			const retried = await e2e.stack.n8n.execute(RETRY_ID);
			expect(retried.status).toBe('success');
			expect(nodeOutput(retried, METER_NODE).slice(0, 30).map((item) => [item.status, item.recordStatus, /recorded before/.test(String(item.note))])).toEqual(
				Array.from({ length: 30 }, () => ['DuplicateEvent', 'Success', true]),
			);
			// The emulator's billing grew by the events' sum, not twice it.
			expect(billed(e2e.stack) - billedBefore).toBe(usageEvents().reduce((sum, event) => sum + Number(event.quantity), 0));
		});
	});
}
