import type { MarketplaceMeteringClient } from '@aws-sdk/client-marketplace-metering';

/** What the router hands each operation: the AWS client, built only when an operation uses it. */
export interface Services {
	client(): Promise<MarketplaceMeteringClient>;
}
