// What n8n-core needs around a workflow run, for tests and the benchmark: credentials by type and the
// instance URLs (an empty one throws in `new URL`). No node is imported here.
import {
	ICredentialsHelper,
	type ICredentialDataDecryptedObject,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

/** Hands each node the decrypted credential of the type it asks for. */
class CredentialsHelper extends ICredentialsHelper {
	constructor(private readonly byType: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes() {
		return [];
	}

	isCredentialUsableByNode() {
		return true;
	}

	async authenticate(_c: unknown, _t: string, requestOptions: never) {
		return requestOptions;
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used by the node');
	}

	async getDecrypted(_additionalData: unknown, _nodeCredentials: unknown, type: string) {
		const data = this.byType[type];
		if (!data) throw new Error(`No test credential of type ${type}`);
		return { ...data };
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties() {
		return [];
	}
}

/** Additional data for WorkflowExecute (and, with the request and response, for a webhook). */
export function additionalData(
	credentials: Record<string, ICredentialDataDecryptedObject>,
	http: { httpRequest?: unknown; httpResponse?: unknown } = {},
): IWorkflowExecuteAdditionalData {
	const url = 'http://localhost:5678/';
	return {
		credentialsHelper: new CredentialsHelper(credentials),
		...http,
		executeWorkflow: async () => {
			throw new Error('not used by the node');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		currentNodeExecutionIndex: 0,
		restApiUrl: url,
		instanceBaseUrl: url,
		formBaseUrl: url,
		formWaitingBaseUrl: url,
		formTestBaseUrl: url,
		webhookBaseUrl: url,
		webhookWaitingBaseUrl: url,
		webhookTestBaseUrl: url,
		mcpBaseUrl: url,
		mcpTestBaseUrl: url,
		variables: {},
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('not used by the node');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}
