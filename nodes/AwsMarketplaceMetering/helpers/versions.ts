import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

/** Every version of the node, the newest last: the one new nodes get. */
export const NODE_VERSIONS = [1, 2, 3];
/** From version 3 on, the operations are grouped under a Resource. */
export const RESOURCES_SINCE = 3;
/** From version 3 on, the optional mappings of a usage record (Usage Allocations, Event ID) start empty. */
export const OPTIONAL_MAPPINGS_EMPTY_SINCE = 3;
/** From version 3 on, Get Metering Report has Return All and Limit of its own, not a Limit among its Filters. */
export const REPORT_LIMIT_SINCE = 3;
export const versionsFrom = (first: number) => NODE_VERSIONS.filter((version) => version >= first);
export const versionsBefore = (first: number) => NODE_VERSIONS.filter((version) => version < first);

// Version 2 gives each operation's fields their own names: n8n keeps a value typed under one name when
// the operation changes, so a fixed product code typed for Meter Usage replaced Batch Meter Usage's
// `{{ $json.productCode }}` in version 1. Saved version 1 nodes keep the shared names.
const VERSION_1_NAMES: Record<string, string> = {
	meterUsageProductCode: 'productCode',
	meterUsageTimestamp: 'timestamp',
	registerUsageProductCode: 'productCode',
};

/** The field under its version 2 name, and under its version 1 name for saved version 1 nodes. */
export function versioned(property: INodeProperties): INodeProperties[] {
	const version1 = VERSION_1_NAMES[property.name];
	if (!version1) return [property];
	const show = property.displayOptions?.show ?? {};
	return [
		{ ...property, name: version1, displayOptions: { ...property.displayOptions, show: { ...show, '@version': [1] } } },
		{ ...property, displayOptions: { ...property.displayOptions, show: { ...show, '@version': versionsFrom(2) } } },
	];
}

/** The name a field has in this node's version. */
export function parameterName(ctx: IExecuteFunctions, name: string): string {
	return ctx.getNode().typeVersion < 2 ? (VERSION_1_NAMES[name] ?? name) : name;
}
