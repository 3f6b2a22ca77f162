import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

/** The Agreement Service's largest page (maxResults 1 to 50): the fewest requests. */
export const AGREEMENT_PAGE_SIZE = 50;

/** Return All and Limit, as n8n's "get many" operations have them. */
export function returnAllFields(operation: string): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: { show: { operation: [operation] } },
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { operation: [operation], returnAll: [false] } },
		},
	];
}

/** How many results the item asks for: undefined for all of them. */
export function limitOf(ctx: IExecuteFunctions, itemIndex: number): number | undefined {
	return ctx.getNodeParameter('returnAll', itemIndex, false) ? undefined : (ctx.getNodeParameter('limit', itemIndex, 50) as number);
}

/**
 * The results of every page, or the first `limit` of them: pages no larger than needed, and no request after the
 * limit is reached. `paginate` is an SDK paginator for the given page size (with stopOnSameToken, so a token AWS
 * answers twice ends the loop).
 */
export async function readPages<Page, Result>(
	paginate: (pageSize: number) => AsyncIterable<Page>,
	resultsOf: (page: Page) => Result[] | undefined,
	limit: number | undefined,
): Promise<Result[]> {
	const results: Result[] = [];
	for await (const page of paginate(Math.min(AGREEMENT_PAGE_SIZE, limit ?? AGREEMENT_PAGE_SIZE))) {
		results.push(...(resultsOf(page) ?? []));
		if (limit !== undefined && results.length >= limit) return results.slice(0, limit);
	}
	return results;
}
