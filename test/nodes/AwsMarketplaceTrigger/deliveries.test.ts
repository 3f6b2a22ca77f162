import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { isFirstDelivery, MAX_REMEMBERED } from '../../../nodes/AwsMarketplaceTrigger/deliveries';
import { useEmulator } from '../../helpers/emulator';
import { API_KEY, postEvent, startTrigger, type TriggerServer } from '../../helpers/trigger';

const REPEATED = { id: 'c3d2e1f0-1111-4222-8333-944455556666', detail: { requestId: 'e0f1a2b3-7777-4888-9999-aaaabbbbcccc' } };

describe('AWS Marketplace Trigger: where repeated deliveries are remembered', () => {
	const emulator = useEmulator();
	const userFolder = process.env.N8N_USER_FOLDER;

	// An embedded ledger of its own: creating it takes seconds, and other test files use theirs.
	beforeAll(() => {
		process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'n8n-trigger-ledger-'));
	});

	afterAll(() => {
		rmSync(process.env.N8N_USER_FOLDER!, { recursive: true, force: true });
		process.env.N8N_USER_FOLDER = userFolder;
	});
	const triggers: TriggerServer[] = [];

	afterEach(async () => {
		await Promise.all(triggers.splice(0).map((trigger) => trigger.stop()));
	});

	const start = async (options: Parameters<typeof startTrigger>[0]) => {
		const trigger = await startTrigger(options);
		triggers.push(trigger);
		return trigger;
	};
	const deliver = (trigger: TriggerServer, event: unknown = REPEATED) =>
		postEvent(emulator(), { url: trigger.url, example: 'License Deprovisioned - Manufacturer', apiKey: API_KEY, event });

	it('with the embedded metering ledger, across n8n instances of the same workflow and without static data', async () => {
		const ledgerFolder = join(process.env.N8N_USER_FOLDER!, '.n8n', 'aws-marketplace-metering', 'ledger');
		const first = await start({ workflowId: 'ledger-workflow', parameters: { ledger: 'embedded' } });
		// Activating the workflow created the ledger (seconds: longer than EventBridge, and the emulator, wait for an
		// answer), so the first delivery is answered in time.
		expect(existsSync(join(ledgerFolder, 'pgdata', 'PG_VERSION'))).toBe(true);
		expect((await deliver(first)).body.message).toBe('Workflow was started');
		expect((await deliver(first)).body.message).toBe('Repeated delivery: ignored');
		// Another server with fresh static data: only the ledger knows the delivery.
		const second = await start({ workflowId: 'ledger-workflow', parameters: { ledger: 'embedded' } });
		expect((await deliver(second)).body.message).toBe('Repeated delivery: ignored');
		expect([...first.runs, ...second.runs].filter(([item]) => item.event === 'licenseDeprovisioned')).toHaveLength(1);
		// Another workflow receiving the same event has deliveries of its own.
		const otherWorkflow = await start({ workflowId: 'another-workflow', parameters: { ledger: 'embedded' } });
		expect((await deliver(otherWorkflow)).body.message).toBe('Workflow was started');
		// Given back after each delivery: with no idle period, as the tests run (test/helpers/env.ts), nothing holds
		// its folder between them.
		expect(existsSync(join(ledgerFolder, 'ledger.lock'))).toBe(false);
	}, 120_000);

	it('without a ledger, from the IDs the workflow’s static data holds', async () => {
		// n8n 2.41 does not save static data a webhook changed when it starts a run (n8n 1.x did):
		// the IDs stored here stand for such a save.
		const stored = { 'node:AWS Marketplace Trigger': { deliveryIds: [`eventBridge|License Deprovisioned - Manufacturer|${REPEATED.detail.requestId}`] } };
		const trigger = await start({ workflowId: 'static-data-workflow', staticData: stored });
		expect((await deliver(trigger)).body.message).toBe('Repeated delivery: ignored');
		expect(trigger.runs).toEqual([]);
		expect((await deliver(trigger, { detail: { requestId: 'f1f1f1f1-0000-4000-8000-000000000001' } })).body.message).toBe('Workflow was started');
	});
});

describe('AWS Marketplace Trigger: the static data kept without a ledger', () => {
	const context = (staticData: IDataObject, nodeId: string) =>
		({
			getNodeParameter: () => 'none',
			getWorkflowStaticData: () => staticData,
			getWorkflow: () => ({ id: 'bound-test', active: true }),
			getNode: () => ({ id: nodeId }),
		}) as unknown as IWebhookFunctions;

	it(`keeps the last ${MAX_REMEMBERED} delivery IDs, the oldest dropped first`, async () => {
		const staticData: IDataObject = {};
		const self = context(staticData, 'bound-node');
		for (let index = 0; index < MAX_REMEMBERED + 5; index++) expect(await isFirstDelivery.call(self, `id-${index}`)).toBe(true);
		const kept = staticData.deliveryIds as string[];
		expect(kept).toHaveLength(MAX_REMEMBERED);
		expect(kept[0]).toBe('id-5');
		expect(kept.at(-1)).toBe(`id-${MAX_REMEMBERED + 4}`);
		expect(await isFirstDelivery.call(self, `id-${MAX_REMEMBERED + 4}`)).toBe(false);
		// Forgotten by both the static data and this process's copy: a delivery that old starts again.
		expect(await isFirstDelivery.call(context({}, 'bound-node'), 'id-0')).toBe(true);
	});
});
