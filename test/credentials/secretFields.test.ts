import type { INodeProperties } from 'n8n-workflow';

import { AwsMarketplaceMeteringApi } from '../../credentials/AwsMarketplaceMeteringApi.credentials';
import { DEFAULT_TEST_CREDENTIAL } from '../../emulator';
import { AwsMarketplaceMetering } from '../../nodes/AwsMarketplaceMetering/AwsMarketplaceMetering.node';
import { emulatorCredential } from '../helpers/credentials';
import { useEmulator } from '../helpers/emulator';
import { runNode } from '../helpers/workflow';

// Fields whose value lets its holder act as someone: masked in the editor like n8n's other secrets.
const CREDENTIAL_SECRETS = ['secretAccessKey', 'sessionToken', 'externalId'];
const NODE_SECRETS = ['registrationToken'];

describe('secret fields', () => {
	const field = (properties: INodeProperties[], name: string) => properties.find((property) => property.name === name);

	it.each(CREDENTIAL_SECRETS)('credential field %s is a password field', (name) => {
		expect(field(new AwsMarketplaceMeteringApi().properties, name)?.typeOptions?.password).toBe(true);
	});

	it.each(NODE_SECRETS)('node parameter %s is a password field', (name) => {
		expect(field(new AwsMarketplaceMetering().description.properties, name)?.typeOptions?.password).toBe(true);
	});

	it('leaves the fields that identify without authorizing readable', () => {
		for (const name of ['accessKeyId', 'roleArn', 'roleSessionName', 'region']) {
			expect(field(new AwsMarketplaceMeteringApi().properties, name)?.typeOptions?.password).toBeUndefined();
		}
	});

	describe('the masked Registration Token', () => {
		const emulator = useEmulator({
			credentials: [DEFAULT_TEST_CREDENTIAL],
			registrationTokens: [{ token: 'token-from-the-form', customerAWSAccountId: '111122223333', productCode: 'prod-saas' }],
		});

		it('still evaluates its default expression, reading the token from a Webhook node’s form body', async () => {
			const { error, outputs } = await runNode({
				parameters: { operation: 'resolveCustomer' },
				credentials: emulatorCredential(emulator()),
				items: [{ body: { 'x-amzn-marketplace-token': 'token-from-the-form' } }],
			});
			expect(error).toBeUndefined();
			expect(outputs[0][0].json.customerAWSAccountId).toBe('111122223333');
		});
	});
});
