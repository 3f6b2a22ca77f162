// @ts-check
// Lint of the shipped code: `npm run lint` (= `eslint nodes credentials package.json`), eslint 9 flat config.
//
// Two rule sets, applied as `n8n-node lint` (@n8n/node-cli 0.48) applies them to a self-hosted package:
// - @n8n/eslint-plugin-community-nodes, config `recommendedWithoutN8nCloudSupport` (its self-hosted configuration:
//   the package needs the file system, environment variables and timers for its ledger, which n8n Cloud forbids),
//   together with @eslint/js and typescript-eslint `recommended`, import-x and `no-console`;
// - eslint-plugin-n8n-nodes-base, rule sets `community` (package.json), `credentials` and `nodes`, with the five
//   rules `n8n-node lint` itself turns off.
// `no-runtime-dependencies` is on: the build bundles every library (scripts/package/build.ts), and package.json
// has only the peer dependency n8n-workflow. `n8n-node lint` itself is not used: its strict mode insists on its
// own unmodified config, which has no room for the exceptions at the end of this file.
//
// Rules that read a node's description need it as an object literal in the *.node.ts class: both nodes have it
// there. The metering node's parameters come from actions/versionDescription.ts (`properties`), which the
// n8n-nodes-base parameter rules lint where they are written.
import js from '@eslint/js';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import { defineConfig, globalIgnores } from 'eslint/config';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

const community = n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport;

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
	// The exceptions this package's purpose needs, one reason each.
	{
		// The author's e-mail and the homepage are not kept in the repository: the release workflow sets them before packing.
		files: ['package.json'],
		rules: { '@n8n/community-nodes/valid-author': 'off', '@n8n/community-nodes/require-homepage': 'off' },
	},
	{
		// The ledger is a library with no node in reach: the nodes wrap its errors at their boundary (actions/router.ts, AwsMarketplaceTrigger/deliveries.ts).
		files: ['nodes/shared/ledger/**/*.ts'],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
	{
		// The package loads in n8n 1.x too, whose older n8n-workflow lacks NodeConnectionTypes; tsc checks 'main' anyway.
		files: ['nodes/**/*.node.ts'],
		rules: { '@n8n/community-nodes/node-connection-type-literal': 'off' },
	},
	{
		// The EventBridge rule and API destination live in the seller's AWS account (README), for which the trigger has no credential.
		files: ['nodes/AwsMarketplaceTrigger/AwsMarketplaceTrigger.node.ts'],
		rules: { '@n8n/community-nodes/webhook-lifecycle-complete': 'off' },
	},
	{
		// The API key is a shared secret the trigger compares with a header: there is no service to test it against.
		files: ['credentials/AwsMarketplaceWebhookApi.credentials.ts'],
		rules: { '@n8n/community-nodes/credential-test-required': 'off' },
	},
);
