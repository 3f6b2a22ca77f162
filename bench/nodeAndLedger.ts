// The ledger benchmark's bundle (bench/dist.ts builds it as npm run build builds the node): the metering node and
// the ledger module it uses, so that the benchmark opens the very ledger instance the node meters from.
export { AwsMarketplaceMetering } from '../nodes/AwsMarketplaceMetering/AwsMarketplaceMetering.node';
export * as ledger from '../nodes/shared/ledger';
