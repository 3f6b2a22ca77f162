import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface WebhookCredential {
	headerName: string;
	apiKey: string;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Whether the request carries the EventBridge connection's API key. Digests of equal length are
 * compared in constant time, so neither the key nor its length leaks through timing.
 */
export function hasApiKey(headers: IncomingHttpHeaders, { headerName, apiKey }: WebhookCredential): boolean {
	const received = headers[headerName.trim().toLowerCase()];
	if (typeof received !== 'string' || !apiKey) return false;
	return timingSafeEqual(digest(received), digest(apiKey));
}
