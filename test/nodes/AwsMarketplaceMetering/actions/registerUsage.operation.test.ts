import { generateKeyPairSync } from 'node:crypto';

import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';
import { runNode } from '../../../helpers/workflow';

describe('Register Usage', () => {
	const emulator = useEmulator({
		products: [
			{ productCode: 'prod-container', dimensions: ['pods'], type: 'container' },
			{ productCode: 'prod-unentitled', dimensions: ['pods'], type: 'container', notEntitled: true },
			{ productCode: 'prod-rotated', dimensions: ['pods'], type: 'container', publicKeyRotatedAt: '2026-10-01T12:00:00.000Z' },
		],
	});

	const register = (parameters: Record<string, unknown>, onError?: 'continueErrorOutput') =>
		runNode({
			parameters: { operation: 'registerUsage', productCode: 'prod-container', publicKeyVersion: 1, ...parameters },
			credentials: emulatorCredential(emulator()),
			onError,
		});

	it('returns the signed claims and verifies them with the product’s public key', async () => {
		const { outputs, error } = await register({ nonce: 'nonce-1', options: { publicKey: emulator().publicKeyPem } });
		expect(error).toBeUndefined();
		const json = outputs[0][0].json;
		expect(json).toMatchObject({
			productCode: 'prod-container',
			publicKeyVersion: 1,
			nonce: 'nonce-1',
			verified: true,
			claims: { ProductCode: 'prod-container', PublicKeyVersion: 1, Nonce: 'nonce-1' },
			normalizedClaims: { productCode: 'prod-container', publicKeyVersion: 1, nonce: 'nonce-1', iat: expect.any(Number) },
			publicKeyRotationTimestamp: null,
		});
		expect(String(json.signature).split('.')).toHaveLength(3);
		expect(json).not.toHaveProperty('warning');
	});

	it('warns when AWS says the product’s public key was rotated', async () => {
		const json = (await register({ productCode: 'prod-rotated', options: { publicKey: emulator().publicKeyPem } })).outputs[0][0].json;
		expect(json).toMatchObject({ verified: true, publicKeyRotationTimestamp: '2026-10-01T12:00:00.000Z' });
		expect(json.warning).toBe(
			'The product’s public key was rotated at 2026-10-01T12:00:00.000Z: make sure the container uses the current public key version.',
		);
	});

	it('sends a fresh random nonce when none is given, and reports unverified without a key', async () => {
		const first = (await register({})).outputs[0][0].json;
		const second = (await register({})).outputs[0][0].json;
		expect(first.nonce).toMatch(/^[0-9a-f-]{36}$/);
		expect(first.nonce).not.toBe(second.nonce);
		expect(first.verified).toBe(false);
		expect((first.claims as { Nonce: string }).Nonce).toBe(first.nonce);
	});

	it('fails the item when the signature does not verify with the given key', async () => {
		const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' });
		const { outputs } = await register({ options: { publicKey: otherKey } }, 'continueErrorOutput');
		expect(outputs[0]).toEqual([]);
		expect(outputs[1][0].json.error).toBe('The Register Usage signature did not verify');
		expect(outputs[1][0].json.details).toContain('does not verify');
	});

	it('explains a customer who is not entitled', async () => {
		const { error } = await register({ productCode: 'prod-unentitled' });
		expect(error?.message).toBe('The customer is not entitled to this product');
		expect(error?.description).toContain('stop the container');
	});

	it('rejects a public key version below 1 before calling AWS', async () => {
		emulator().reset();
		const { error } = await register({ publicKeyVersion: 0 });
		expect(error?.message).toBe('Public Key Version 0 is not an integer of 1 or more');
		expect(emulator().log).toHaveLength(0);
	});
});

describe('Register Usage with camelCase claims (as AWS’s Java verification sample reads them)', () => {
	const emulator = useEmulator({ signatureClaims: 'camelCase' });

	it('verifies productCode, publicKeyVersion and nonce and outputs them normalized', async () => {
		const { outputs, error } = await runNode({
			parameters: { operation: 'registerUsage', productCode: 'prod-container', publicKeyVersion: 1, nonce: 'nonce-2', options: { publicKey: emulator().publicKeyPem } },
			credentials: emulatorCredential(emulator()),
		});
		expect(error).toBeUndefined();
		expect(outputs[0][0].json).toMatchObject({
			verified: true,
			claims: { productCode: 'prod-container', publicKeyVersion: 1, nonce: 'nonce-2' },
			normalizedClaims: { productCode: 'prod-container', publicKeyVersion: 1, nonce: 'nonce-2', iat: expect.any(Number) },
		});
	});
});
