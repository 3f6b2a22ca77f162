import { useEmulator } from '../../helpers/emulator';
import { useLedgerFolder, withEmbeddedLedger } from '../../helpers/ledger';
import { API_KEY, postEvent, startTrigger, type TriggerServer } from '../../helpers/trigger';

// The trigger keeps the ledger's licenses current from AWS's lifecycle events, posted as EventBridge
// posts them (AWS's documented examples, at chosen times): in any order, repeated, whichever events start the workflow.

const LICENSE = 'arn:aws:license-manager::123456789012:license:l-e52ca6f38bf84d0fafb8802ca15ac11x';
const AGREEMENT = 'agmt-4mwg1nevbokzw95eca5797ixs';

describe('AWS Marketplace Trigger: Keep Licenses Current in Ledger', () => {
	const emulator = useEmulator();
	useLedgerFolder();
	let trigger: TriggerServer;
	// The ledger's first open creates it, which takes longer than the emulator waits for the trigger's answer.
	beforeAll(() => withEmbeddedLedger(async () => undefined), 120_000);
	afterEach(async () => {
		await trigger?.stop();
	});
	// The tests share the ledger: each later one has a license and agreement of its own.
	const own = (n: number) => ({ detail: { license: { arn: `aws:license-manager:us-east-1:123456789012:l-${n}` }, agreement: { id: `agmt-${n}` } } });
	const ownArn = (n: number) => `arn:aws:license-manager::123456789012:license:l-${n}`;

	const deliver = (example: string, time: string, event: Record<string, unknown> = {}) =>
		postEvent(emulator(), { url: trigger.url, example, apiKey: API_KEY, event: { time, ...event } });
	const licenses = () => withEmbeddedLedger((ledger) => ledger.licenses());

	it('records each license change at the event’s own time: out of order, repeated, and for events that start nothing', async () => {
		// Only License Deprovisioned starts the workflow: the others change the ledger all the same.
		trigger = await startTrigger({ parameters: { events: ['licenseDeprovisioned'], ledger: 'embedded' } });
		// The agreement ends before the ledger knows its license; the license ends; its provisioning arrives last.
		expect((await deliver('Purchase Agreement Ended - Proposer', '2026-03-10T12:00:00Z')).status).toBe(200);
		expect(await licenses()).toEqual([]);
		expect((await deliver('License Deprovisioned - Manufacturer', '2026-03-10T15:40:00Z')).status).toBe(200);
		expect((await deliver('License Updated - Manufacturer', '2026-03-10T09:20:00Z')).status).toBe(200);
		// Delivered again (another requestId, as a retried PutEvents gives), and an amendment older than the end.
		expect((await deliver('License Deprovisioned - Manufacturer', '2026-03-10T15:40:00Z')).status).toBe(200);
		expect((await deliver('Purchase Agreement Amended - Proposer', '2026-03-10T10:00:00Z')).status).toBe(200);
		expect(await licenses()).toEqual([
			{
				licenseArn: LICENSE,
				licenseId: 'l-e52ca6f38bf84d0fafb8802ca15ac11x',
				customerAWSAccountId: '845735284135',
				productCode: 'aw4fgf5tyo5w2ap6fEXAMPLE',
				agreementId: AGREEMENT,
				state: 'ended',
				stateChangedAt: new Date('2026-03-10T15:40:00Z'),
				stateSource: 'lifecycleEvent',
				startedAt: new Date('2026-03-10T09:20:00Z'),
				// It stopped being active when its agreement ended.
				endedAt: new Date('2026-03-10T12:00:00Z'),
			},
		]);
		await trigger.idle();
		// The workflow started for each License Deprovisioned delivery, with the license in the ledger's spelling.
		expect(trigger.runs.map(([item]) => [item.event, item.licenseArn])).toEqual([
			['licenseDeprovisioned', LICENSE],
			['licenseDeprovisioned', LICENSE],
		]);
	});

	it('keeps a renewal’s license active: an agreement that ended by renewal changes nothing', async () => {
		trigger = await startTrigger({ parameters: { ledger: 'embedded' } });
		await deliver('License Updated - Manufacturer', '2026-03-11T09:00:00Z', own(2));
		await deliver('Purchase Agreement Ended - Proposer', '2026-03-11T10:00:00Z', { detail: { agreement: { id: 'agmt-2', status: 'RENEWED' } } });
		expect((await licenses()).filter((license) => license.licenseArn === ownArn(2))).toEqual([
			expect.objectContaining({ agreementId: 'agmt-2', state: 'active', stateChangedAt: new Date('2026-03-11T09:00:00Z') }),
		]);
		await trigger.idle();
		expect(trigger.runs).toHaveLength(2);
	});

	it('records nothing with the option off, or without a ledger', async () => {
		trigger = await startTrigger({ parameters: { ledger: 'embedded', recordLicenses: false } });
		await deliver('License Updated - Manufacturer', '2026-03-12T09:00:00Z', own(3));
		await trigger.stop();
		trigger = await startTrigger({ parameters: {} });
		await deliver('License Updated - Manufacturer', '2026-03-12T09:00:00Z', own(3));
		expect((await licenses()).filter((license) => license.licenseArn === ownArn(3))).toEqual([]);
		await trigger.idle();
		expect(trigger.runs).toHaveLength(1);
	});
});
