import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ROOT } from './paths';
import { runChecked } from './proc';

/** Builds this package and packs it as a user would publish it; returns the tarball's path. */
export async function buildAndPack(destination: string): Promise<string> {
	await runChecked('npm', ['run', 'build'], { cwd: ROOT, timeoutMs: 300_000 });
	const { stdout } = await runChecked('npm', ['pack', '--json', '--pack-destination', destination], {
		cwd: ROOT,
		timeoutMs: 120_000,
	});
	const [{ filename }] = JSON.parse(stdout) as Array<{ filename: string }>;
	return join(destination, filename);
}

/**
 * Installs the tarball where n8n looks for community packages, `<n8n folder>/nodes/node_modules`, as n8n's
 * own installer does: production dependencies from the registry, no peer dependencies (n8n provides
 * n8n-workflow; a second copy would break its `instanceof` checks), no install scripts.
 */
export async function installCommunityPackage(n8nFolder: string, tarball: string): Promise<void> {
	const nodesFolder = join(n8nFolder, 'nodes');
	await mkdir(nodesFolder, { recursive: true });
	await writeFile(join(nodesFolder, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true }, null, '\t'));
	await runChecked(
		'npm',
		['install', tarball, '--omit=dev', '--omit=peer', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
		{ cwd: nodesFolder, timeoutMs: 300_000 },
	);
}
