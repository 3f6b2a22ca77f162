import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { RESOURCES_SINCE, versionsBefore, versionsFrom } from '../helpers/versions';
import { OPERATIONS, RESOURCES, type Operation } from './operations';

// The node's parameters; the rest of its description is in AwsMarketplaceMetering.node.ts, where the lint
// rules read it. Operation values are unique across resources, so each operation's fields show on their operation
// alone: the same descriptions serve the flat list of versions 1 and 2 and the resources of version 3.
const option = ({ name, value, description, action }: Operation): INodePropertyOptions => ({ name, value, description, action });
// As n8n lists options: by name.
const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

export const properties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { '@version': versionsBefore(RESOURCES_SINCE) } },
		options: OPERATIONS.filter((operation) => operation.since === undefined)
			.sort(byName)
			.map(option),
		default: 'batchMeterUsage',
	},
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { '@version': versionsFrom(RESOURCES_SINCE) } },
		options: [...RESOURCES].sort(byName).map(({ name, value }) => ({ name, value })),
		default: 'usage',
	},
	...RESOURCES.map(
		({ value, operations, default: first }): INodeProperties => ({
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			displayOptions: { show: { resource: [value], '@version': versionsFrom(RESOURCES_SINCE) } },
			options: [...operations].sort(byName).map(option),
			default: first,
		}),
	),
	...OPERATIONS.flatMap((operation) => operation.module.description),
];
