// A local AWS Marketplace Metering Service (awsJson 1.1, SigV4) with the Entitlement Service's GetEntitlements, the
// Agreement Service (awsJson 1.0) and STS AssumeRole, for tests, benchmarks and demos.
export { startEmulator } from './server';
export { DEFAULT_TEST_CREDENTIAL } from './credentials';
export type { LicenseArnSpelling } from './licenseArns';
export type {
	BilledUsage,
	Emulator,
	EmulatorAgreement,
	EmulatorBillingAdjustment,
	EmulatorCancellationRequest,
	EmulatorCharge,
	EmulatorCredential,
	EmulatorCustomer,
	EmulatorEntitlement,
	EmulatorFaults,
	EmulatorInvoice,
	EmulatorOptions,
	EmulatorProduct,
	EmulatorRegistrationToken,
	EmulatorStats,
	MeteredQuantityFilter,
	RequestLogEntry,
} from './types';
