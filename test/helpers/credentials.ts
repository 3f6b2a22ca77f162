import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { DEFAULT_TEST_CREDENTIAL, type Emulator } from '../../emulator';

/** An awsMarketplaceMeteringApi credential with the emulator's test keys, pointed at the emulator. */
export function emulatorCredential(
	emulator: Emulator,
	overrides: ICredentialDataDecryptedObject = {},
): ICredentialDataDecryptedObject {
	return {
		region: emulator.region,
		credentialSource: 'accessKeys',
		accessKeyId: DEFAULT_TEST_CREDENTIAL.accessKeyId,
		secretAccessKey: DEFAULT_TEST_CREDENTIAL.secretAccessKey,
		sessionToken: '',
		assumeRole: false,
		endpoint: emulator.url,
		...overrides,
	};
}
