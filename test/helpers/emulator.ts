import { MarketplaceMeteringClient } from '@aws-sdk/client-marketplace-metering';

import { DEFAULT_TEST_CREDENTIAL, startEmulator, type Emulator, type EmulatorCredential, type EmulatorOptions } from '../../emulator';

/**
 * Starts an emulator before the surrounding describe block's tests and stops it after them.
 * Returns an accessor: the emulator exists only once beforeAll has run.
 */
export function useEmulator(options: EmulatorOptions = {}): () => Emulator {
	let emulator: Emulator | undefined;
	beforeAll(async () => {
		emulator = await startEmulator(options);
	});
	afterAll(async () => {
		await emulator?.stop();
	});
	return () => {
		if (!emulator) throw new Error('The emulator starts in beforeAll: use it inside a test or a hook');
		return emulator;
	};
}

/** Runs `use` against a fresh emulator and stops it afterwards, whatever happens. */
export async function withEmulator<T>(options: EmulatorOptions, use: (emulator: Emulator) => Promise<T>): Promise<T> {
	const emulator = await startEmulator(options);
	try {
		return await use(emulator);
	} finally {
		await emulator.stop();
	}
}

/** A real SDK client pointed at the emulator, signing with the given keys, without SDK retries. */
export function meteringClient(
	emulator: Emulator,
	credentials: Pick<EmulatorCredential, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'> = DEFAULT_TEST_CREDENTIAL,
): MarketplaceMeteringClient {
	const { accessKeyId, secretAccessKey, sessionToken } = credentials;
	return new MarketplaceMeteringClient({
		endpoint: emulator.url,
		region: emulator.region,
		credentials: { accessKeyId, secretAccessKey, sessionToken },
		maxAttempts: 1,
	});
}
