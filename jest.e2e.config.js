/**
 * The runs on real n8n (`npm run test:e2e`, `test:e2e:n8n1`, `test:queue`, `test:browser`): test/e2e/*.e2e.ts, one
 * file per run, each its own n8n stack started in the file's beforeAll. One file at a time: each starts n8n
 * processes that use both cores. Their cases run in order and share the stack, as a seller's workflows share n8n.
 * @type {import('jest').Config}
 */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true }, diagnostics: false }],
	},
	maxWorkers: 1,
	verbose: true,
	// A case waits for n8n's processes and AWS's retries; setting up a stack (installing n8n on a first run) has its own limit.
	testTimeout: 5 * 60_000,
};
