import type { MarketplaceAgreementClient } from '@aws-sdk/client-marketplace-agreement';
import type { MarketplaceEntitlementServiceClient } from '@aws-sdk/client-marketplace-entitlement-service';
import type { MarketplaceMeteringClient } from '@aws-sdk/client-marketplace-metering';

/** What the router hands each operation: the AWS clients, each built only when an operation uses it. */
export interface Services {
	client(): Promise<MarketplaceMeteringClient>;
	entitlementClient(): Promise<MarketplaceEntitlementServiceClient>;
	agreementClient(): Promise<MarketplaceAgreementClient>;
}
