import { X509Certificate, type KeyObject } from 'node:crypto';

import type { IWebhookFunctions } from 'n8n-workflow';

// SNS signs with few certificates and rotates them rarely: fetch each once per process.
const keys = new Map<string, KeyObject>();
const MAX_CACHED = 20;
const FETCH_TIMEOUT_MS = 5_000;

/**
 * The public key of the certificate at `url` (already checked to be on an SNS host). Throws when
 * the fetch fails, or the certificate cannot be read or is outside its validity period.
 */
export async function signingKey(this: IWebhookFunctions, url: string): Promise<KeyObject> {
	const cached = keys.get(url);
	if (cached) return cached;
	const pem = (await this.helpers.httpRequest({ method: 'GET', url, encoding: 'text', json: false, timeout: FETCH_TIMEOUT_MS })) as string;
	const certificate = new X509Certificate(pem);
	const now = Date.now();
	if (now < Date.parse(certificate.validFrom) || now > Date.parse(certificate.validTo)) {
		throw new Error(`The SNS signing certificate at ${url} is not valid now (valid from ${certificate.validFrom} to ${certificate.validTo})`);
	}
	if (keys.size >= MAX_CACHED) keys.delete(keys.keys().next().value!);
	keys.set(url, certificate.publicKey);
	return certificate.publicKey;
}
