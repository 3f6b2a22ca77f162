import { constants, generateKeyPairSync, sign } from 'node:crypto';

import { decodeSignature, verificationFailure } from '../../../../nodes/AwsMarketplaceMetering/helpers/signature';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const expected = { productCode: 'prod-container', publicKeyVersion: 1, nonce: 'nonce-1' };

/** A PS256 token over any claims, as AWS would sign them. */
function token(claims: Record<string, unknown>): string {
	const input = `${Buffer.from(JSON.stringify({ alg: 'PS256', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
	const signature = sign('sha256', Buffer.from(input), { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
	return `${input}.${signature.toString('base64url')}`;
}
const failure = (claims: Record<string, unknown>) => {
	const signature = token(claims);
	return verificationFailure(signature, decodeSignature(signature), publicKeyPem, expected);
};

describe('Register Usage signature claims', () => {
	it('reads either spelling, and both when they agree', () => {
		expect(failure({ ProductCode: 'prod-container', PublicKeyVersion: 1, Nonce: 'nonce-1', iat: 1 })).toBeUndefined();
		expect(failure({ productCode: 'prod-container', publicKeyVersion: 1, nonce: 'nonce-1', iat: 1 })).toBeUndefined();
		expect(failure({ ProductCode: 'prod-container', productCode: 'prod-container', publicKeyVersion: 1, Nonce: 'nonce-1' })).toBeUndefined();
		expect(decodeSignature(token({ productCode: 'p', PublicKeyVersion: 2, nonce: 'n', iat: 5 })).normalized).toEqual({ productCode: 'p', publicKeyVersion: 2, nonce: 'n', iat: 5 });
	});

	it('fails verification, saying why, when a claim is spelled both ways with different values', () => {
		const claims = { ProductCode: 'prod-container', productCode: 'prod-other', PublicKeyVersion: 1, Nonce: 'nonce-1' };
		expect(failure(claims)).toBe('the token carries a claim in both spellings with different values: ProductCode "prod-container" and productCode "prod-other"');
		const decoded = decodeSignature(token(claims));
		expect(decoded.normalized).not.toHaveProperty('productCode');
		expect(decoded.conflicts).toHaveLength(1);
	});

	it('still compares each claim with what was sent', () => {
		expect(failure({ productCode: 'prod-other', publicKeyVersion: 1, nonce: 'nonce-1' })).toBe('the signed ProductCode prod-other is not prod-container');
		expect(failure({ productCode: 'prod-container', publicKeyVersion: 2, nonce: 'nonce-1' })).toBe('the signed PublicKeyVersion 2 is not 1');
		expect(failure({ productCode: 'prod-container', publicKeyVersion: 1 })).toBe('the signed Nonce is not the nonce that was sent');
	});
});
