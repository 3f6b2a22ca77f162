import type { ICredentialDataDecryptedObject, INodeParameters, INodeType } from 'n8n-workflow';

// With its extension: tsx would otherwise resolve the codex file AwsMarketplaceMetering.node.json.
import { AwsMarketplaceMetering } from '../../nodes/AwsMarketplaceMetering/AwsMarketplaceMetering.node.ts';
import { runNodeType, type NodeRun, type OnError } from './engine';

export { NODE_NAME, type NodeRun, type OnError } from './engine';

export interface RunNodeOptions {
	parameters: INodeParameters;
	/** The decrypted awsMarketplaceMeteringApi credential. */
	credentials: ICredentialDataDecryptedObject;
	/** The JSON of the items the node receives. */
	items?: Record<string, unknown>[];
	onError?: OnError;
	/** The node under test; default this package's from its sources. */
	nodeType?: INodeType;
	/** The node's version; default 1, as saved workflows have it. */
	typeVersion?: number;
	/** Credentials of other types by type, such as the PostgreSQL ledger's. */
	otherCredentials?: Record<string, ICredentialDataDecryptedObject>;
}

/** Runs the metering node through n8n-core's WorkflowExecute after a source node emitting `items` (engine.ts). */
export async function runNode(options: RunNodeOptions): Promise<NodeRun> {
	const { credentials, otherCredentials, nodeType, ...rest } = options;
	return await runNodeType({
		...rest,
		credentials: { awsMarketplaceMeteringApi: credentials, ...otherCredentials },
		nodeType: nodeType ?? new AwsMarketplaceMetering(),
	});
}
