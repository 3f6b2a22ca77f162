import { readdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
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
 * The README's install command, word for word: into `<n8n folder>/nodes`, where n8n looks for community packages,
 * without the peer dependency n8n-workflow (n8n brings its own; npm would otherwise install a second copy, which
 * breaks its `instanceof` checks, and isolated-vm with it). The package has no other dependency.
 */
export const installArgs = (nodesFolder: string, spec: string): string[] => ['install', '--prefix', nodesFolder, '--legacy-peer-deps', spec];

/** Installs the tarball in `<n8n folder>/nodes` by the README's command; returns how long npm took, in ms. */
export async function installCommunityPackage(n8nFolder: string, tarball: string): Promise<number> {
	await mkdir(n8nFolder, { recursive: true });
	const started = Date.now();
	await runChecked('npm', installArgs(join(n8nFolder, 'nodes'), tarball), { cwd: n8nFolder, timeoutMs: 300_000 });
	return Date.now() - started;
}

/** The bytes of every file under folder, as `du -sb` counts them (BENCHMARKS.md's installed size). */
export function folderBytes(folder: string): number {
	return readdirSync(folder, { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile())
		.reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
}
