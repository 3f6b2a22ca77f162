// A local AWS Marketplace Metering Service (awsJson 1.1, SigV4) with the Entitlement Service's GetEntitlements and STS
// AssumeRole, for tests, benchmarks and demos.
export { startEmulator } from './server';
export { DEFAULT_TEST_CREDENTIAL } from './credentials';
export type {
	BilledUsage,
	Emulator,
	EmulatorCredential,
	EmulatorCustomer,
	EmulatorEntitlement,
	EmulatorFaults,
	EmulatorOptions,
	EmulatorProduct,
	EmulatorRegistrationToken,
	EmulatorStats,
	MeteredQuantityFilter,
	RequestLogEntry,
} from './types';
