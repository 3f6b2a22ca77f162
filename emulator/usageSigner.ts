// RegisterUsage's Signature: a JWT signed PS256 (RSA-PSS, SHA-256, salt length 32) over
// {ProductCode, PublicKeyVersion, Nonce, iat}, verifiable with the product's public key. AWS's texts disagree on the
// claims' spelling (its Java sample reads productCode, publicKeyVersion, nonce), so either can be chosen.
import { constants, createPrivateKey, createPublicKey, generateKeyPair, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

export interface UsageClaims {
	ProductCode: string;
	PublicKeyVersion: number;
	Nonce?: string;
	iat: number;
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

// Generating a 2048-bit key takes a noticeable moment; one per process serves every emulator that brings none.
let generated: Promise<KeyObject> | undefined;
const generatedKey = () =>
	(generated ??= promisify(generateKeyPair)('rsa', { modulusLength: 2048 }).then(({ privateKey }) => privateKey));

export type ClaimSpelling = 'PascalCase' | 'camelCase';

const camelCase = (claims: UsageClaims) =>
	Object.fromEntries(Object.entries(claims).map(([name, value]) => [name.charAt(0).toLowerCase() + name.slice(1), value]));

export class UsageSigner {
	private constructor(
		private readonly privateKey: KeyObject,
		readonly publicKeyPem: string,
		private readonly spelling: ClaimSpelling,
	) {}

	static async create(privateKeyPem?: string, spelling: ClaimSpelling = 'PascalCase'): Promise<UsageSigner> {
		if (spelling !== 'PascalCase' && spelling !== 'camelCase') throw new Error(`signatureClaims must be 'PascalCase' or 'camelCase', not ${JSON.stringify(spelling)}`);
		const privateKey = privateKeyPem ? createPrivateKey(privateKeyPem) : await generatedKey();
		return new UsageSigner(privateKey, createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(), spelling);
	}

	sign(claims: UsageClaims): string {
		const payload = this.spelling === 'camelCase' ? camelCase(claims) : claims;
		const signingInput = `${base64url(JSON.stringify({ alg: 'PS256', typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}`;
		const signature = sign('sha256', Buffer.from(signingInput), {
			key: this.privateKey,
			padding: constants.RSA_PKCS1_PSS_PADDING,
			saltLength: 32,
		});
		return `${signingInput}.${base64url(signature)}`;
	}
}
