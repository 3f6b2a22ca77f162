import { BatchMeterUsageCommand, type MarketplaceMeteringClient, type UsageRecord } from '@aws-sdk/client-marketplace-metering';

/** What a per-item node does, or plain 25-record chunks: sequential requests, no aggregation. */
export interface BaselineResult {
	requests: number;
	wallMs: number;
	duplicateRecords: number;
	records: number;
	/** Requests that still failed with ThrottlingException after the SDK's retries: what the user sees. */
	throttlingErrors: number;
}

export async function perEventBaseline(client: MarketplaceMeteringClient, events: Record<string, unknown>[], maxRequests: number): Promise<BaselineResult> {
	return await sendSequentially(client, events.map((event) => [event]), maxRequests);
}

export async function chunkedBaseline(client: MarketplaceMeteringClient, events: Record<string, unknown>[], maxRequests: number): Promise<BaselineResult> {
	const byProduct = new Map<string, Record<string, unknown>[]>();
	for (const event of events) {
		const product = String(event.productCode);
		byProduct.set(product, [...(byProduct.get(product) ?? []), event]);
	}
	const chunks: Record<string, unknown>[][] = [];
	for (const group of byProduct.values()) for (let i = 0; i < group.length; i += 25) chunks.push(group.slice(i, i + 25));
	return await sendSequentially(client, chunks, maxRequests);
}

/** Sends at most maxRequests of the requests; the caller extrapolates the rest from them. */
async function sendSequentially(client: MarketplaceMeteringClient, requests: Record<string, unknown>[][], maxRequests: number): Promise<BaselineResult> {
	const started = performance.now();
	let duplicateRecords = 0;
	let records = 0;
	let throttlingErrors = 0;
	const sample = requests.slice(0, maxRequests);
	for (const events of sample) {
		records += events.length;
		try {
			const response = await client.send(new BatchMeterUsageCommand({ UsageRecords: events.map(toRecord) }));
			duplicateRecords += (response.Results ?? []).filter((result) => result.Status === 'DuplicateRecord').length;
		} catch (error) {
			if ((error as Error).name !== 'ThrottlingException') throw error;
			throttlingErrors++;
		}
	}
	const wallMs = performance.now() - started;
	const scale = requests.length / sample.length;
	return {
		requests: requests.length,
		wallMs: wallMs * scale,
		duplicateRecords: Math.round(duplicateRecords * scale),
		records: Math.round(records * scale),
		throttlingErrors: Math.round(throttlingErrors * scale),
	};
}

function toRecord(event: Record<string, unknown>): UsageRecord {
	return {
		CustomerAWSAccountId: String(event.customerAWSAccountId),
		LicenseArn: String(event.licenseArn),
		Dimension: String(event.dimension),
		Quantity: Number(event.quantity),
		Timestamp: new Date(Math.floor(Date.parse(String(event.timestamp)) / 3600_000) * 3600_000),
	};
}
