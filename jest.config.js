/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	setupFilesAfterEnv: ['<rootDir>/test/helpers/env.ts'],
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		// Each file compiled on its own (no type check: `npm run typecheck` does that), as isolatedModules asks.
		'^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true }, diagnostics: false }],
	},
	testTimeout: 60000,
};
