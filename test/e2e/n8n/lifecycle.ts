// The lifecycle example as shipped (examples/seller-lifecycle.json) on real n8n: License Updated (its ARN as
// EventBridge spells it) is enriched by Describe Agreement; the hourly example sends zero usage for idle hours; usage
// recorded through the usage example; License Deprovisioned sends the license's open hour at once (the emulator
// bills it); a repeat starts nothing; usage after it is AfterFinalReport; a cancellation request pending approval
// waits for a person at the review form. Runs after the ledger's cases: its Meter Open Hours Now sends from the same
// embedded ledger, and the cases look at the emulator's billing for one license only.
import { randomBytes } from 'node:crypto';

import { eventBridgeLicenseArn, EXAMPLE_CUSTOMERS, node, postJson, triggerPath, usageEvent } from '../../../scripts/e2e/lib/examples';
import { hasEnded, type StoredExecution } from '../../../scripts/e2e/lib/executions';
import { nodeOutput } from '../../../scripts/e2e/lib/n8n';
import { waitFor } from '../../../scripts/e2e/lib/proc';
import { indexBy, licenseEvent, message, TRIGGER_NODE, TriggerDriver, triggerItem, type Delivery } from '../../../scripts/e2e/lib/trigger';
import { usageRecordsSent } from '../../../scripts/e2e/lib/usageRecords';
import { HOUR_MS, log, type E2e, type Json } from './context';
import { project, settle } from './trigger';

const hourOf = (time: Date) => new Date(Math.floor(time.getTime() / HOUR_MS) * HOUR_MS).toISOString();

const { acme } = EXAMPLE_CUSTOMERS;
// Acme's agreement in the emulator's configuration, which Describe Agreement finds.
const ACME_AGREEMENT = 'agmt-4mwg1nevbokzw95eca5797ixs';

interface Delivered {
	delivery: Delivery;
	execution: StoredExecution;
	requestId: unknown;
	logStart: number;
}

export function describeLifecycleExample(e2e: E2e): void {
	describe('The lifecycle example: Acme’s license updated, usage, deprovisioned; a cancellation request', () => {
		let driver: TriggerDriver;
		const acmeEvent = licenseEvent(eventBridgeLicenseArn(acme.licenseArn), acme.customerAWSAccountId, ACME_AGREEMENT);
		// License Updated dates Acme's license 3 hours back.
		const provisionedAt = new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 3 * HOUR_MS + 5 * 60_000);
		let notSelected: Delivery;
		let updated: Delivered;
		let deprovisioned: Delivered;
		let usageAt: Date;
		let eventId: string;

		/** Posts an event and waits for the execution it started, ended or waiting. */
		const deliver = async (example: string, event?: Json): Promise<Delivered> => {
			const logStart = e2e.stack.emulator.log.length;
			const delivery = await driver.eventBridge(e2e.stack.workflows.lifecycle, example, { event });
			expect(delivery.status).toBe(200);
			const requestId = (delivery.sent.detail as Json).requestId;
			const execution = await waitFor(`the execution of ${String(requestId)} did not end or wait`, 90_000, async () =>
				(await driver.executions(e2e.stack.workflows.lifecycle.id)).find((candidate) => triggerItem(candidate)?.requestId === requestId && (hasEnded(candidate) || candidate.status === 'waiting')),
			);
			return { delivery, execution, requestId, logStart };
		};
		const sentRecords = (logStart: number) =>
			usageRecordsSent(e2e.stack.emulator.log.slice(logStart)).map((record) => `${String(record.LicenseArn)} ${record.Dimension} ${record.Timestamp.toISOString()} ${String(record.Quantity)}`);
		const ran = (execution: StoredExecution) => Object.keys(execution.data.resultData.runData).filter((name) => name !== TRIGGER_NODE);

		beforeAll(async () => {
			driver = new TriggerDriver(e2e.stack, e2e.server);
			log(`"${e2e.stack.workflows.lifecycle.name}" (production URL ${triggerPath(e2e.stack.workflows.lifecycle)})`);
			await e2e.server.waitForWebhook(triggerPath(e2e.stack.workflows.lifecycle), 'POST');
		});

		test('Purchase Agreement Created (not selected in the example) is answered HTTP 200 "Event type not selected: ignored"', async () => {
			// Its own agreement: the trigger keeps the ledger's licenses current from every event it is given, and AWS's
			// example names Acme's agreement, which would date Acme's license from the example's time.
			notSelected = await driver.eventBridge(e2e.stack.workflows.lifecycle, 'Purchase Agreement Created - Proposer', { event: { detail: { agreement: { id: `agmt-${randomBytes(8).toString('hex')}` } } } });
			expect([notSelected.status, message(notSelected.answer)]).toEqual([200, 'Event type not selected: ignored']);
		});

		test('License Updated for Acme (its ARN as EventBridge spells it): one execution, its item names Acme’s license in Resolve Customer’s spelling, licenseId, customer and agreement', async () => {
			updated = await deliver('License Updated - Manufacturer', { ...acmeEvent, time: provisionedAt.toISOString() });
			expect([updated.execution.status, ...Object.values(project(triggerItem(updated.execution), { event: 0, licenseArn: 0, licenseId: 0, customerAWSAccountId: 0, agreementId: 0 }))]).toEqual([
				'success',
				'licenseUpdated',
				acme.licenseArn,
				acme.licenseArn.split(':').pop(),
				acme.customerAWSAccountId,
				ACME_AGREEMENT,
			]);
		});

		test('... Describe Agreement adds the agreement’s status and buyer; the event goes to "Subscription changed", nothing metered', () => {
			const agreement = nodeOutput(updated.execution, 'Describe Agreement')[0] ?? {};
			expect([agreement.status, agreement.customerAWSAccountId, ran(updated.execution)]).toEqual(['ACTIVE', acme.customerAWSAccountId, ['Describe Agreement', 'Which event?', 'Subscription changed']]);
		});

		// The ledger's cases recorded no users for Acme.
		test('the hourly example as shipped sends Acme a record of 0 users for each closed hour since its license started, once, and the emulator bills 0 each', async () => {
			const { emulator, n8n, workflows } = e2e.stack;
			const logStart = emulator.log.length;
			const hourlyAt = Date.now();
			const hourly = await n8n.execute(workflows.hourlyMetering.id);
			const closeAfter = Number(node(workflows.hourlyMetering, 'Batch Meter Usage').parameters.closeAfterMinutes) * 60_000;
			const idleHours: string[] = [];
			for (let hour = Math.floor(provisionedAt.getTime() / HOUR_MS) * HOUR_MS; hour + HOUR_MS + closeAfter <= hourlyAt; hour += HOUR_MS) idleHours.push(new Date(hour).toISOString());
			log(`${idleHours.length} idle hours of Acme's license`);
			expect([hourly.status, sentRecords(logStart).filter((record) => record.startsWith(`${acme.licenseArn} users `))]).toEqual(['success', idleHours.map((hour) => `${acme.licenseArn} users ${hour} 0`)]);
			expect(idleHours.map((hour) => emulator.stats().billed[`${acme.licenseArn}|${acme.customerAWSAccountId}|users|${new Date(hour).toISOString()}`]?.quantity ?? null)).toEqual(idleHours.map(() => 0));
		});

		test('Acme’s usage in the hour in progress is recorded in the ledger (usage webhook)', async () => {
			usageAt = new Date();
			eventId = `lifecycle-${randomBytes(4).toString('hex')}`;
			const ingest = await postJson(e2e.server.url, e2e.stack.workflows.usage, usageEvent(eventId, acme, 'api_calls', 7, usageAt));
			expect([ingest.status, ingest.json.recorded]).toEqual([200, 1]);
		});

		test('License Deprovisioned for Acme: one execution, its item says licenseDeprovisioned; it ran Meter Open Hours Now and Notify', async () => {
			deprovisioned = await deliver('License Deprovisioned - Manufacturer', { ...acmeEvent, time: new Date().toISOString() });
			expect([deprovisioned.execution.status, triggerItem(deprovisioned.execution)?.event, ran(deprovisioned.execution)]).toEqual([
				'success',
				'licenseDeprovisioned',
				['Describe Agreement', 'Which event?', 'Meter Open Hours Now', 'Notify'],
			]);
		});

		test('Meter Open Hours Now sent Acme’s open hour at once (usage recorded under Resolve Customer’s ARN), nothing else, and the emulator billed it: 7 api_calls', () => {
			const openHour = hourOf(usageAt);
			expect(sentRecords(deprovisioned.logStart)).toEqual([`${acme.licenseArn} api_calls ${openHour} 7`]);
			expect(e2e.stack.emulator.stats().billed[`${acme.licenseArn}|${acme.customerAWSAccountId}|api_calls|${openHour}`]?.quantity).toBe(7);
		});

		test('Notify names the license and its final usage', () => {
			const notified = nodeOutput(deprovisioned.execution, 'Notify')[0] ?? {};
			expect(String(notified.message)).toContain(`${acme.licenseArn.split(':').pop()} deprovisioned`);
			expect(String(notified.message)).toContain('7 api_calls');
		});

		test('the same License Deprovisioned again is answered "Repeated delivery: ignored"', async () => {
			const repeat = await driver.eventBridge(e2e.stack.workflows.lifecycle, 'License Deprovisioned - Manufacturer', {
				event: { ...acmeEvent, id: deprovisioned.delivery.sent.id, detail: { ...(acmeEvent.detail as Json), requestId: deprovisioned.requestId } },
			});
			expect([repeat.status, message(repeat.answer)]).toEqual([200, 'Repeated delivery: ignored']);
		});

		test('Acme’s usage after the final report is answered AfterFinalReport', async () => {
			const late = await postJson(e2e.server.url, e2e.stack.workflows.usage, usageEvent(`${eventId}-late`, acme, 'api_calls', 3, new Date()));
			expect(((late.json.results ?? []) as Json[]).map((result) => result.status)).toEqual(['AfterFinalReport']);
		});

		test('a cancellation request pending approval: the execution waits at "Review the request" for a person, nothing withdrawn', async () => {
			const pending = await deliver('Agreement Cancellation Request Pending Approval - Proposer');
			expect([pending.execution.status, pending.execution.data.resultData.lastNodeExecuted, ran(pending.execution).includes('Cancel Agreement Cancellation Request')]).toEqual([
				'waiting',
				'Review the request',
				false,
			]);
		});

		test('the example started one execution per delivered event: none for the event type not selected, none for the repeat', async () => {
			await settle();
			const byRequest = indexBy(await driver.executions(e2e.stack.workflows.lifecycle.id), 'requestId');
			expect([(notSelected.sent.detail as Json).requestId, deprovisioned.requestId].map((id) => (byRequest.get(id) ?? []).length)).toEqual([0, 1]);
		});
	});
}
