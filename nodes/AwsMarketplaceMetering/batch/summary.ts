import { USAGE_STATUSES, type EventOutcome, type MeteringReport, type UsageRecord, type UsageStatus } from './types';

export interface MeteredQuantity {
	productCode: string;
	dimension: string;
	/** Summed over the records AWS answered with Success. */
	quantity: number;
	records: number;
}

export interface OutcomeSummary {
	events: number;
	/** Events per status, every status present. */
	statuses: Record<UsageStatus, number>;
	metered: MeteredQuantity[];
}

export interface MeteringSummary extends OutcomeSummary {
	recordsSent: number;
	requests: number;
	retries: number;
	isolationRequests: number;
}

/** Counts per status, and the quantity metered per product and dimension (each record once). */
export function summarizeOutcomes(outcomes: EventOutcome[]): OutcomeSummary {
	const statuses = Object.fromEntries(USAGE_STATUSES.map((status) => [status, 0])) as Record<UsageStatus, number>;
	const metered = new Map<string, MeteredQuantity>();
	const counted = new Set<UsageRecord>();
	for (const outcome of outcomes) {
		statuses[outcome.status]++;
		const { record, productCode } = outcome;
		if (outcome.status !== 'Success' || !record || productCode === undefined || counted.has(record)) continue;
		counted.add(record);
		const key = JSON.stringify([productCode, record.Dimension]);
		const entry = metered.get(key) ?? { productCode, dimension: record.Dimension, quantity: 0, records: 0 };
		entry.quantity += record.Quantity;
		entry.records++;
		metered.set(key, entry);
	}
	return { events: outcomes.length, statuses, metered: [...metered.values()] };
}

/** The "one summary item" output: outcomes, records sent, requests and retries. */
export function summarizeReport(report: MeteringReport): MeteringSummary {
	return {
		...summarizeOutcomes(report.outcomes),
		recordsSent: report.batches.reduce((sum, batch) => sum + batch.records.length, 0),
		requests: report.requests,
		retries: report.retries,
		isolationRequests: report.isolationRequests,
	};
}
