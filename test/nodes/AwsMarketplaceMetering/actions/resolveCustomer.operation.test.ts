import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';
import { runNode } from '../../../helpers/workflow';

const LICENSE = 'arn:aws:license-manager::123456789012:license:l-0123456789abcdef0123456789abcdef';

describe('Resolve Customer', () => {
	const emulator = useEmulator({
			registrationTokens: [
				{ token: 'token-new', customerAWSAccountId: '111122223333', customerIdentifier: '', productCode: 'prod-saas', licenseArn: LICENSE },
				{ token: 'token-legacy', customerAWSAccountId: '444455556666', customerIdentifier: 'cust-legacy', productCode: 'prod-saas' },
				{ token: 'token-expired', customerAWSAccountId: '777788889999', productCode: 'prod-saas', expired: true },
			],
		});
	beforeEach(() => emulator().reset());

	it('resolves the token a Webhook node received in its form body', async () => {
		const { outputs, error } = await runNode({
			parameters: { operation: 'resolveCustomer' },
			credentials: emulatorCredential(emulator()),
			items: [
				{ body: { 'x-amzn-marketplace-token': 'token-new' } },
				{ body: { 'x-amzn-marketplace-token': 'token-legacy' } },
			],
		});
		expect(error).toBeUndefined();
		expect(outputs[0].map((item) => item.json)).toEqual([
			{ customerIdentifier: '', customerAWSAccountId: '111122223333', productCode: 'prod-saas', licenseArn: LICENSE },
			{ customerIdentifier: 'cust-legacy', customerAWSAccountId: '444455556666', productCode: 'prod-saas', licenseArn: '' },
		]);
		expect(outputs[0].map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(emulator().log.map((entry) => entry.operation)).toEqual(['ResolveCustomer', 'ResolveCustomer']);
	});

	it('stops on an unknown token with advice, naming the item', async () => {
		const { error, outputs } = await runNode({
			parameters: { operation: 'resolveCustomer', registrationToken: 'no-such-token' },
			credentials: emulatorCredential(emulator()),
		});
		expect(outputs).toEqual([]);
		expect(error?.message).toBe('The registration token is not valid');
		expect(error?.description).toContain('x-amzn-marketplace-token');
	});

	it('routes failed items to the error output, one item each, and keeps the others', async () => {
		const { outputs } = await runNode({
			parameters: { operation: 'resolveCustomer', registrationToken: '={{ $json.token }}' },
			credentials: emulatorCredential(emulator()),
			items: [{ token: 'token-expired' }, { token: 'token-new' }, { token: '' }],
			onError: 'continueErrorOutput',
		});
		const [success, failed] = outputs;
		expect(success.map((item) => item.json.customerAWSAccountId)).toEqual(['111122223333']);
		expect(success[0].pairedItem).toEqual({ item: 1 });
		expect(failed.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
		expect(failed[0].json.error).toBe('The registration token has expired [item 0]');
		expect(failed[1].json.error).toBe('Registration Token is empty [item 2]');
		// The empty token never reached the service.
		expect(emulator().log).toHaveLength(2);
	});
});
