// The keys the emulator accepts (configured ones and STS-issued temporary ones), who they belong to and what
// they may do; answers as AWS does when a key is unknown, expired, wrongly signed or not allowed.
import { randomBytes } from 'node:crypto';

import { ServiceError } from './errors';
import { header, parseAuthorization, signingDate, verifySignature, type IncomingSignedRequest } from './sigv4';
import type { EmulatorCredential } from './types';

export const DEFAULT_ACCOUNT_ID = '123456789012';

/** A fake key pair the emulator accepts by default. */
export const DEFAULT_TEST_CREDENTIAL: EmulatorCredential = {
	accessKeyId: 'AKIAEMULATOREXAMPLE1',
	secretAccessKey: 'emulator/K7MDENG/bPxRfiCYEMULATORSECRET1',
	principalArn: `arn:aws:iam::${DEFAULT_ACCOUNT_ID}:user/emulator`,
};

interface StoredCredential extends EmulatorCredential {
	principalArn: string;
	/** Epoch ms after which the session token is expired (STS-issued credentials). */
	expiresAt?: number;
}

export interface Caller {
	accessKeyId: string;
	principalArn: string;
	runtime?: EmulatorCredential['runtime'];
}

const randomText = (alphabet: string, length: number) =>
	Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('');
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export class CredentialStore {
	private readonly byKey = new Map<string, StoredCredential>();
	private readonly expired = new Set<string>();

	constructor(credentials: EmulatorCredential[]) {
		for (const credential of credentials) {
			this.byKey.set(credential.accessKeyId, {
				...credential,
				principalArn: credential.principalArn ?? `arn:aws:iam::${DEFAULT_ACCOUNT_ID}:user/${credential.accessKeyId}`,
			});
		}
	}

	expire(accessKeyId: string): void {
		this.expired.add(accessKeyId);
	}

	/** Temporary credentials for an assumed role, accepted from now on together with their session token. */
	issue(principalArn: string, expiresAt: number): Required<Pick<EmulatorCredential, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>> {
		const issued = {
			accessKeyId: `ASIA${randomText(UPPER, 16)}`,
			secretAccessKey: randomText(BASE64, 40),
			sessionToken: `IQoJb3JpZ2luX2VtdWxhdG9y${randomText(BASE64, 300)}`,
		};
		this.byKey.set(issued.accessKeyId, { ...issued, principalArn, expiresAt });
		return issued;
	}

	/** Verifies the request's SigV4 header authentication for a signing name; returns who signed it. `now` expires sessions. */
	async authenticate(request: IncomingSignedRequest, service: string, region: string, now: Date): Promise<Caller> {
		const auth = parseAuthorization(request.headers);
		if (auth.service !== service) throw new ServiceError('InvalidSignatureException', `Credential should be scoped to correct service: '${service}'. `);
		if (auth.region !== region) throw new ServiceError('InvalidSignatureException', 'Credential should be scoped to a valid region. ');
		// Clients sign with their real clock, so the request date is judged by the system clock, not `now`.
		const date = signingDate(request.headers, auth, new Date());
		const credential = this.byKey.get(auth.accessKeyId);
		const token = header(request.headers, 'x-amz-security-token');
		if (!credential || token !== credential.sessionToken) {
			throw new ServiceError('UnrecognizedClientException', 'The security token included in the request is invalid.');
		}
		if (this.expired.has(credential.accessKeyId) || (credential.expiresAt !== undefined && now.getTime() >= credential.expiresAt)) {
			throw new ServiceError('ExpiredTokenException', 'The security token included in the request is expired');
		}
		await verifySignature(request, auth, credential, date);
		return { accessKeyId: credential.accessKeyId, principalArn: credential.principalArn, runtime: credential.runtime };
	}

	/** IAM authorization of an action such as 'aws-marketplace:BatchMeterUsage', on a resource if it has one. */
	authorize(caller: Caller, action: string, resource?: string): void {
		const denied = this.byKey.get(caller.accessKeyId)?.deniedActions ?? [];
		if (denied.some((pattern) => matchesAction(pattern, action))) {
			const on = resource ? ` on resource: ${resource}` : '';
			throw new ServiceError('AccessDeniedException', `User: ${caller.principalArn} is not authorized to perform: ${action}${on}`);
		}
	}
}

function matchesAction(pattern: string, action: string): boolean {
	if (pattern === '*') return true;
	const [service, name] = pattern.toLowerCase().split(':');
	const [actionService, actionName] = action.toLowerCase().split(':');
	return service === actionService && (name === '*' || name === actionName);
}
