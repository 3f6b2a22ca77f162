// SigV4 header authentication as AWS checks it: the Authorization header's scope, the request date, then the
// signature itself, recomputed with the SDK's own signer from the headers the client says it signed.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';

import { ServiceError } from './errors';

export interface IncomingSignedRequest {
	method: string;
	path: string;
	query: Record<string, string | string[]>;
	headers: IncomingHttpHeaders;
	body: Buffer;
}

export interface SigV4Authorization {
	accessKeyId: string;
	shortDate: string;
	region: string;
	service: string;
	signedHeaders: string[];
	signature: string;
}

export interface SigningSecret {
	accessKeyId: string;
	secretAccessKey: string;
	sessionToken?: string;
}

const MAX_SKEW_MS = 15 * 60_000;
const Sha256 = Hash.bind(null, 'sha256');

const invalidSignature = (message: string) => new ServiceError('InvalidSignatureException', message);
const incomplete = (message: string) => new ServiceError('IncompleteSignatureException', message);

export const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
	const value = headers[name];
	return Array.isArray(value) ? value.join(',') : value;
};

/** The access key ID named by the Authorization header, for the log, before anything is verified. */
export function claimedAccessKeyId(headers: IncomingHttpHeaders): string | undefined {
	return /Credential=([^/,\s]+)\//.exec(header(headers, 'authorization') ?? '')?.[1];
}

export function parseAuthorization(headers: IncomingHttpHeaders): SigV4Authorization {
	const value = header(headers, 'authorization');
	if (!value) throw new ServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token');
	const [algorithm, ...rest] = value.trim().split(/\s+/);
	if (algorithm !== 'AWS4-HMAC-SHA256') throw incomplete(`Unsupported AWS 'algorithm': '${algorithm}'`);
	const fields = new Map(
		rest
			.join('')
			.split(',')
			.map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)]),
	);
	for (const name of ['Credential', 'SignedHeaders', 'Signature']) {
		if (!fields.get(name)) throw incomplete(`Authorization header requires '${name}' parameter. Authorization=${algorithm} ...`);
	}
	const scope = fields.get('Credential')!.split('/');
	if (scope.length !== 5 || scope[4] !== 'aws4_request') {
		throw incomplete(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${scope.slice(1).join('/')}'`);
	}
	const [accessKeyId, shortDate, region, service] = scope;
	return { accessKeyId, shortDate, region, service, signedHeaders: fields.get('SignedHeaders')!.split(';'), signature: fields.get('Signature')! };
}

/** The request date (X-Amz-Date), checked against the scope and the service's clock. */
export function signingDate(headers: IncomingHttpHeaders, auth: SigV4Authorization, now: Date): Date {
	const longDate = header(headers, 'x-amz-date');
	if (!longDate) throw incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
	const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(longDate);
	if (!match) throw incomplete(`Date must be in ISO-8601 'basic format'. Got '${longDate}'.`);
	const date = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3], +match[4], +match[5], +match[6]));
	if (auth.shortDate !== longDate.slice(0, 8)) {
		throw invalidSignature(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.shortDate}' != '${longDate.slice(0, 8)}', from '${longDate}'.`);
	}
	const basic = (instant: number) => new Date(instant).toISOString().replace(/[-:]|\.\d{3}/g, '');
	if (date.getTime() < now.getTime() - MAX_SKEW_MS) {
		throw invalidSignature(`Signature expired: ${longDate} is now earlier than ${basic(now.getTime() - MAX_SKEW_MS)} (${basic(now.getTime())} - 15 min.)`);
	}
	if (date.getTime() > now.getTime() + MAX_SKEW_MS) {
		throw invalidSignature(`Signature not yet current: ${longDate} is still later than ${basic(now.getTime() + MAX_SKEW_MS)} (${basic(now.getTime())} + 15 min.)`);
	}
	return date;
}

/** Recomputes the signature with @smithy/signature-v4 over exactly the signed headers and compares. */
export async function verifySignature(request: IncomingSignedRequest, auth: SigV4Authorization, secret: SigningSecret, date: Date): Promise<void> {
	const signed = new Set(auth.signedHeaders);
	const headers: Record<string, string> = {};
	for (const name of signed) {
		const value = header(request.headers, name);
		if (value !== undefined) headers[name] = value;
	}
	const declaredHash = headers['x-amz-content-sha256'];
	if (declaredHash !== undefined && declaredHash !== 'UNSIGNED-PAYLOAD' && declaredHash !== createHash('sha256').update(request.body).digest('hex')) {
		throw invalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.");
	}
	const signer = new SignatureV4({
		credentials: {
			accessKeyId: secret.accessKeyId,
			secretAccessKey: secret.secretAccessKey,
			// Only a signed token header takes part in the signature; the signer adds it when given one.
			sessionToken: signed.has('x-amz-security-token') ? secret.sessionToken : undefined,
		},
		region: auth.region,
		service: auth.service,
		sha256: Sha256,
		applyChecksum: false,
	});
	const resigned = await signer.sign(
		{ method: request.method, protocol: 'http:', hostname: headers.host ?? '', path: request.path, query: request.query, headers, body: request.body },
		{ signingDate: date, signableHeaders: signed },
	);
	const expected = /Signature=([0-9a-f]+)/.exec(resigned.headers.authorization ?? '')?.[1] ?? '';
	const given = auth.signature;
	if (expected.length !== given.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(given))) {
		throw invalidSignature(
			'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
		);
	}
}
