// @ts-check
// Lint of the shipped code: `npm run lint` (= `eslint nodes credentials package.json`), eslint 9 flat config.
//
// Two rule sets, applied as `n8n-node lint` (@n8n/node-cli 0.48) applies them:
// - @n8n/eslint-plugin-community-nodes, config `recommended` (the default of `n8n-node lint`, with the n8n Cloud
//   rules), together with @eslint/js and typescript-eslint `recommended`, import-x and `no-console`;
// - eslint-plugin-n8n-nodes-base, rule sets `community` (package.json), `credentials` and `nodes`, with the five
//   rules `n8n-node lint` itself turns off.
// The classic layout stays (gulp + tsc build, `nodes/`, `credentials/`). `n8n-node lint` itself is not used: its
// strict mode insists on its own unmodified config, which has no room for the exceptions at the end of this file.
//
// Rules that read a node's description need it as an object literal in the *.node.ts class: both nodes have it
// there. The metering node's parameters come from actions/versionDescription.ts (`properties`), which the
// n8n-nodes-base parameter rules lint where they are written; only @n8n/community-nodes/resource-operation-pattern
// reads `description.properties` and so does not see them (it would warn: 8 operations without resources; grouping
// them under a Resource parameter would take a new node version and change no behaviour).
import { readFileSync } from 'node:fs';

import js from '@eslint/js';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import { defineConfig, globalIgnores } from 'eslint/config';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

const community = n8nCommunityNodesPlugin.configs.recommended;
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

// ---------------------------------------------------------------------------------------------------------------
// Where this package deliberately differs from n8n's community-node rules: it is for self-hosted n8n only
// (n8n Cloud, and n8n's verification of community nodes, allow none of the following, which the package needs).
// - Runtime dependencies (package.json `dependencies`): the AWS SDK v3 clients and credential providers (SigV4,
//   the default credential chain, assume role, retries: not something to rewrite on top of n8n's HTTP helpers),
//   PGlite (the embedded metering ledger), pg (the shared PostgreSQL ledger), http-proxy-agent and
//   https-proxy-agent (HTTP_PROXY/HTTPS_PROXY for the SDK's requests).
// - Node built-ins beyond node:crypto: node:fs, node:path, node:os (the embedded ledger's folder and its lock file),
//   node:worker_threads (PGlite runs in a worker thread), node:http, node:https, node:tls (the SDK's request
//   handler with its proxy agents and certificate checks).
// - The global `process`: environment variables (HTTP_PROXY, HTTPS_PROXY, NO_PROXY,
//   N8N_AWS_SYSTEM_CREDENTIALS_ACCESS_ENABLED, N8N_USER_FOLDER, EXECUTIONS_MODE, the emulator's SNS origin) and
//   the pid and exit event of the ledger folder's lock.
// The three community rules that forbid these take no options, so they are off, and core rules with the same
// lists, minus exactly these exceptions, take their place: the timers (use `sleep` from n8n-workflow), `global`,
// `globalThis`, `__dirname`, `__filename` and any other import stay forbidden. (Core `no-restricted-imports`
// checks import and export declarations; `require()` is left to typescript-eslint's `no-require-imports`.)
const runtimeDependencies = Object.keys(pkg.dependencies ?? {});
const allowedImports = [
	// The community rule's own list (0.32.0).
	...['n8n-workflow', '@n8n/ai-node-sdk', 'ai-node-sdk', 'lodash', 'moment', 'p-limit', 'luxon', 'zod'],
	...['crypto', 'node:crypto'],
	...runtimeDependencies,
	...['node:fs', 'node:path', 'node:os', 'node:worker_threads', 'node:http', 'node:https', 'node:tls'],
];
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const selfHostedOnly = {
	'@n8n/community-nodes/no-runtime-dependencies': 'off',
	'@n8n/community-nodes/no-restricted-imports': 'off',
	'no-restricted-imports': [
		'error',
		{
			patterns: [
				{
					// Anything but a relative path or an allowed module (or one of its subpaths).
					regex: `^(?!\\.{1,2}(?:/|$)|(?:${allowedImports.map(escapeRegExp).join('|')})(?:/|$))`,
					message:
						'Not an import this package allows (eslint.config.mjs lists them): besides n8n Cloud’s allowed modules, only its runtime dependencies and the Node built-ins it needs.',
				},
			],
		},
	],
	'@n8n/community-nodes/no-restricted-globals': 'off',
	'no-restricted-globals': [
		'error',
		...['setTimeout', 'setInterval', 'setImmediate'].map((name) => ({
			name,
			message: "Use the 'sleep' helper from 'n8n-workflow' instead (n8n Cloud restricts timer globals).",
		})),
		...['clearTimeout', 'clearInterval', 'clearImmediate', 'global', 'globalThis', '__dirname', '__filename'].map(
			(name) => ({ name, message: 'n8n Cloud restricts this global.' }),
		),
	],
};
// ---------------------------------------------------------------------------------------------------------------

export default defineConfig(
	globalIgnores(['dist', 'node_modules']),
	{
		files: ['**/*.ts'],
		extends: [js.configs.recommended, tseslint.configs.recommended, community, importX.flatConfigs.recommended],
		rules: {
			'prefer-spread': 'off',
			'no-console': 'error',
		},
	},
	{
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
	},
	{
		files: ['package.json'],
		extends: [community],
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
		rules: { ...n8nNodesBase.configs.community.rules },
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Turned off by `n8n-node lint` too: community credentials link a full URL (checked by
			// @n8n/community-nodes/credential-documentation-url), not a docs.n8n.io slug; and
			// @n8n/community-nodes/credential-password-field decides which fields are secret.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Turned off by `n8n-node lint` too.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
	{
		files: ['**/*.ts', 'package.json'],
		rules: selfHostedOnly,
	},
	{
		// The metering ledger (PostgreSQL, PGlite and its folder lock) is a library with no node in reach: it cleans
		// up (rolls back, closes, releases the lock) and passes its errors on. The nodes wrap them at their boundary
		// in a NodeOperationError that says what the failure means for the usage (actions/router.ts for the metering
		// node, AwsMarketplaceTrigger/deliveries.ts for the trigger).
		files: ['nodes/AwsMarketplaceMetering/ledger/**/*.ts'],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
	{
		// The package loads in n8n 1.x too (peer dependency n8n-workflow "*"): NodeConnectionTypes is missing from
		// older 1.x releases' n8n-workflow (they have the enum NodeConnectionType, which 2.x no longer exports as a
		// value), so inputs and outputs say 'main', which tsc checks against INodeTypeDescription anyway.
		files: ['nodes/**/*.node.ts'],
		rules: { '@n8n/community-nodes/node-connection-type-literal': 'off' },
	},
	{
		// The EventBridge rule, connection and API destination live in the seller's AWS account and are set up
		// there (README: AWS CLI commands, CloudFormation template); the trigger has no AWS credential to create,
		// check or delete them, so it implements no webhookMethods.
		files: ['nodes/AwsMarketplaceTrigger/AwsMarketplaceTrigger.node.ts'],
		rules: { '@n8n/community-nodes/webhook-lifecycle-complete': 'off' },
	},
	{
		// The API key is a shared secret the trigger compares with the requests' header: there is no service to
		// test it against.
		files: ['credentials/AwsMarketplaceWebhookApi.credentials.ts'],
		rules: { '@n8n/community-nodes/credential-test-required': 'off' },
	},
);
