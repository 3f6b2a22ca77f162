// NextToken pagination shared by the services: a page of a list, and a token that continues only the query it came
// from (the same filters), never another one.
import { createHash } from 'node:crypto';

import type { ServiceError } from './errors';

export interface PageRequest {
	token?: string;
	size: number;
	/** What the token belongs to: the request without its token and page size, in a stable form. */
	query: unknown;
	/** The service's error for a token it did not hand out for this query. */
	invalidToken: () => ServiceError;
}

export function pageOf<T>(items: T[], request: PageRequest): { page: T[]; nextToken?: string } {
	const query = createHash('sha256').update(JSON.stringify(request.query)).digest('hex').slice(0, 16);
	const start = request.token === undefined ? 0 : offsetOf(request.token, query, request.invalidToken);
	const end = start + request.size;
	return { page: items.slice(start, end), ...(end < items.length ? { nextToken: tokenOf(end, query) } : {}) };
}

function tokenOf(offset: number, query: string): string {
	return Buffer.from(JSON.stringify({ offset, query })).toString('base64url');
}

/** A token of another query, or none of the emulator's, is refused rather than read as a page of this one. */
function offsetOf(token: string, query: string, invalidToken: () => ServiceError): number {
	try {
		const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown; query?: unknown };
		if (parsed.query === query && Number.isInteger(parsed.offset) && (parsed.offset as number) >= 0) return parsed.offset as number;
	} catch {
		// Not one of ours: refused below.
	}
	throw invalidToken();
}
