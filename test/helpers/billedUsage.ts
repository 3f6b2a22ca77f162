import { withEmbeddedLedger } from './ledger';

export interface Billed {
	/** The usage hour, ISO 8601. */
	hour: string;
	dimension: string;
	quantity: number;
	customerAWSAccountId: string;
	licenseArn: string;
	productCode: string;
}

const MINUTE = 60_000;

/**
 * Puts usage into the embedded ledger of this n8n user folder as billed, through the ledger's own interface, each
 * hour recorded during the hour, claimed after it closed and settled as AWS's Success: past months, as a seller's
 * ledger holds them, without waiting for them.
 */
export async function seedBilledUsage(usage: Billed[]): Promise<void> {
	await withEmbeddedLedger(async (ledger) => {
		for (const hour of [...new Set(usage.map((entry) => entry.hour))].sort()) {
			const start = new Date(hour).getTime();
			const events = usage
				.filter((entry) => entry.hour === hour)
				.map((entry) => ({
					productCode: entry.productCode,
					licenseArn: entry.licenseArn,
					customer: { CustomerAWSAccountId: entry.customerAWSAccountId },
					dimension: entry.dimension,
					quantity: String(entry.quantity),
					timestamp: new Date(start + 5 * MINUTE),
				}));
			await ledger.recordEvents(events, { now: new Date(start + 6 * MINUTE) });
			const claimant = `seed-${hour}`;
			const now = new Date(start + 75 * MINUTE);
			const { claimed } = await ledger.claim({ now, claimant, closeAfterMinutes: 10, leaseMs: 2 * MINUTE }, (key) => ({ ok: true, quantity: Number(key.quantity) }));
			await ledger.settle(claimant, claimed.map((key) => ({ keyId: key.keyId, outcome: 'billed', meteringRecordId: `mr-${key.keyId}` })), { now });
		}
	});
}
