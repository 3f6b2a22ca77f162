// A local AWS Marketplace Metering Service (awsJson 1.1, SigV4) with STS AssumeRole, for tests, benchmarks and demos.
export { startEmulator } from './server';
export { DEFAULT_TEST_CREDENTIAL } from './credentials';
export type {
	BilledUsage,
	Emulator,
	EmulatorCredential,
	EmulatorCustomer,
	EmulatorFaults,
	EmulatorOptions,
	EmulatorProduct,
	EmulatorRegistrationToken,
	EmulatorStats,
	MeteredQuantityFilter,
	RequestLogEntry,
} from './types';
