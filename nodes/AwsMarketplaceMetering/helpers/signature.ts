import { constants, createPublicKey, verify } from 'node:crypto';

export interface RegisterUsageClaims {
	ProductCode?: string;
	PublicKeyVersion?: number;
	Nonce?: string;
	iat?: number;
	[claim: string]: unknown;
}

export interface DecodedSignature {
	header: Record<string, unknown>;
	claims: RegisterUsageClaims;
}

/** Splits a compact JWS into its header and claims; throws if it is not one. */
export function decodeSignature(signature: string): DecodedSignature {
	const parts = signature.split('.');
	if (parts.length !== 3) throw new Error('the signature is not a JSON Web Token (expected three dot-separated parts)');
	return { header: decodePart(parts[0], 'header'), claims: decodePart(parts[1], 'payload') };
}

/**
 * Checks the PS256 signature (RSA-PSS, SHA-256, salt of the digest's length) of `signature`, as
 * decodeSignature read it, with the product's public key, then the claims against what was asked;
 * returns why it fails, or undefined if it holds.
 */
export function verificationFailure(
	signature: string,
	{ header, claims }: DecodedSignature,
	publicKeyPem: string,
	expected: { productCode: string; publicKeyVersion: number; nonce: string },
): string | undefined {
	if (header.alg !== 'PS256') return `the token is signed with ${String(header.alg)}, not PS256`;
	let key;
	try {
		key = createPublicKey(publicKeyPem);
	} catch {
		return 'the public key is not a PEM-encoded RSA public key';
	}
	const [headerPart, payloadPart, signaturePart] = signature.split('.');
	const valid = verify(
		'sha256',
		Buffer.from(`${headerPart}.${payloadPart}`),
		{ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
		Buffer.from(signaturePart, 'base64url'),
	);
	if (!valid) return 'the signature does not verify with this public key';
	if (claims.ProductCode !== expected.productCode)
		return `the signed ProductCode ${String(claims.ProductCode)} is not ${expected.productCode}`;
	if (Number(claims.PublicKeyVersion) !== expected.publicKeyVersion)
		return `the signed PublicKeyVersion ${String(claims.PublicKeyVersion)} is not ${expected.publicKeyVersion}`;
	if (claims.Nonce !== expected.nonce) return 'the signed Nonce is not the nonce that was sent';
	return undefined;
}

function decodePart(part: string, name: string): Record<string, unknown> {
	try {
		const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
		if (value && typeof value === 'object') return value as Record<string, unknown>;
	} catch {
		// reported below
	}
	throw new Error(`the signature's ${name} is not base64url-encoded JSON`);
}
