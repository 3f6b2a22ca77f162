import { constants, createPublicKey, verify } from 'node:crypto';

/** The claims a seller checks, read in either spelling. */
export interface SignedClaims {
	productCode?: unknown;
	publicKeyVersion?: unknown;
	nonce?: unknown;
	iat?: unknown;
}

export interface DecodedSignature {
	header: Record<string, unknown>;
	/** The payload as signed. */
	claims: Record<string, unknown>;
	/** Its claims under one spelling; a claim spelled both ways with different values is left out. */
	normalized: SignedClaims;
	/** Why the payload cannot be read one way, such as "ProductCode 'a' and productCode 'b'". */
	conflicts: string[];
}

// AWS's Java verification sample reads productCode, publicKeyVersion and nonce; other AWS text shows ProductCode,
// PublicKeyVersion and Nonce. Either spelling is read.
const CLAIM_NAMES = { productCode: 'ProductCode', publicKeyVersion: 'PublicKeyVersion', nonce: 'Nonce' } as const;

/** Splits a compact JWS into its header and claims; throws if it is not one. */
export function decodeSignature(signature: string): DecodedSignature {
	const parts = signature.split('.');
	if (parts.length !== 3) throw new Error('the signature is not a JSON Web Token (expected three dot-separated parts)');
	const header = decodePart(parts[0], 'header');
	const claims = decodePart(parts[1], 'payload');
	const normalized: SignedClaims = { iat: claims.iat };
	const conflicts: string[] = [];
	for (const [camel, pascal] of Object.entries(CLAIM_NAMES) as Array<[keyof typeof CLAIM_NAMES, string]>) {
		const [camelValue, pascalValue] = [claims[camel], claims[pascal]];
		if (camelValue !== undefined && pascalValue !== undefined && camelValue !== pascalValue) {
			conflicts.push(`${pascal} ${JSON.stringify(pascalValue)} and ${camel} ${JSON.stringify(camelValue)}`);
		} else {
			normalized[camel] = camelValue ?? pascalValue;
		}
	}
	return { header, claims, normalized, conflicts };
}

/**
 * Checks the PS256 signature (RSA-PSS, SHA-256, salt of the digest's length) of `signature`, as
 * decodeSignature read it, with the product's public key, then the claims against what was asked;
 * returns why it fails, or undefined if it holds.
 */
export function verificationFailure(
	signature: string,
	{ header, normalized, conflicts }: DecodedSignature,
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
	if (conflicts.length) return `the token carries a claim in both spellings with different values: ${conflicts.join('; ')}`;
	if (normalized.productCode !== expected.productCode)
		return `the signed ProductCode ${String(normalized.productCode)} is not ${expected.productCode}`;
	if (Number(normalized.publicKeyVersion) !== expected.publicKeyVersion)
		return `the signed PublicKeyVersion ${String(normalized.publicKeyVersion)} is not ${expected.publicKeyVersion}`;
	if (normalized.nonce !== expected.nonce) return 'the signed Nonce is not the nonce that was sent';
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
