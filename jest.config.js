/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	setupFiles: ['<rootDir>/test/helpers/env.ts'],
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }],
	},
	testTimeout: 60000,
};
