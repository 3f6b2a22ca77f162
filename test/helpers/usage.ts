import { seededRandom } from '../../emulator/faults';

// Realistic usage events: many per customer, dimension and hour, over a few products and dimensions.
const HOUR = 3600_000;

export interface UsageEventsSpec {
	count: number;
	customers: number;
	products?: number;
	dimensions?: number;
	/** Distinct past hours the events fall in, the newest being the last full hour. */
	hours?: number;
	seed?: number;
	now?: number;
}

export function usageEvents(spec: UsageEventsSpec): Record<string, unknown>[] {
	const { count, customers, products = 3, dimensions = 2, hours = 2, seed = 1, now = Date.now() } = spec;
	const random = seededRandom(seed);
	const lastHour = Math.floor(now / HOUR) * HOUR - HOUR;
	return Array.from({ length: count }, () => {
		const customer = Math.floor(random() * customers);
		const product = customer % products;
		return {
			productCode: `prod-${product}`,
			customerAWSAccountId: String(100000000000 + customer),
			licenseArn: `arn:aws:license-manager::123456789012:license:l-${String(customer).padStart(32, '0')}`,
			dimension: `dimension-${Math.floor(random() * dimensions)}`,
			quantity: 1 + Math.floor(random() * 20),
			timestamp: new Date(lastHour - Math.floor(random() * hours) * HOUR + Math.floor(random() * HOUR)).toISOString(),
		};
	});
}
