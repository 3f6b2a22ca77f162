import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import type { INode, INodeExecutionData } from 'n8n-workflow';

// With On Error "Continue (using error output)", n8n moves an item to the error output when its JSON is
// `{ error }` or `{ error, message }` and nothing else. n8n 2.36 and later also take `{ error, details }`, the shape of
// this node's failed items; an older n8n (all of 1.x) leaves such an item on the success output. There the item goes
// out as `{ error, message }`, `message` holding what `details` holds (without it, `{ error }`).

/** The first n8n-workflow (and n8n-core) release whose n8n routes `{ error, details }` to the error output. */
const ROUTES_DETAILS_SINCE = [2, 36] as const;

/** Whether an n8n whose n8n-workflow has this version routes `{ error, details }`; unknown: as this package documents. */
export function versionRoutesDetails(version: string | undefined): boolean {
	const [major, minor] = (version ?? '').split('.').map(Number);
	if (!Number.isInteger(major) || !Number.isInteger(minor)) return true;
	return major > ROUTES_DETAILS_SINCE[0] || (major === ROUTES_DETAILS_SINCE[0] && minor >= ROUTES_DETAILS_SINCE[1]);
}

/** The version of the n8n-workflow this node runs with: n8n's own (a peer dependency), released with its engine. */
export function n8nWorkflowVersion(): string | undefined {
	try {
		// Its package.json is not among its exports: found above its entry point.
		let folder = dirname(require.resolve('n8n-workflow'));
		for (let depth = 0; depth < 4; depth++, folder = dirname(folder)) {
			try {
				const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name?: string; version?: string };
				if (manifest.name === 'n8n-workflow') return manifest.version;
			} catch {
				// No package.json at this level.
			}
		}
	} catch {
		// Not resolvable from here.
	}
	return undefined;
}

let routesDetails: boolean | undefined;

/** Whether the running n8n routes `{ error, details }` to the error output (read once). */
export function engineRoutesDetails(): boolean {
	return (routesDetails ??= versionRoutesDetails(n8nWorkflowVersion()));
}

const isEmpty = (value: unknown) =>
	value === undefined || value === null || value === '' || (typeof value === 'object' && Object.keys(value).length === 0);

/**
 * The node's output as the running n8n needs it: on an n8n that does not route `{ error, details }`, and only for
 * the error output, each such item becomes `{ error, message }`. Other items, and every item for other On Error
 * settings, are returned as they are.
 */
export function forErrorOutput(node: INode, items: INodeExecutionData[], routesErrorDetails: boolean): INodeExecutionData[] {
	if (node.onError !== 'continueErrorOutput' || routesErrorDetails) return items;
	return items.map((item) => {
		const keys = Object.keys(item.json);
		if (keys.length !== 2 || !keys.includes('error') || !keys.includes('details')) return item;
		const { error, details } = item.json;
		return { ...item, json: isEmpty(details) ? { error } : { error, message: details } };
	});
}
