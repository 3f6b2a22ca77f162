import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { bundle } from '../scripts/package/build';

const ROOT = join(__dirname, '..');
export const NODE_MODULE = join('nodes', 'AwsMarketplaceMetering', 'AwsMarketplaceMetering.node.js');
/** The node and the ledger module in one bundle (one ledger instance, as in n8n), built into the copy of dist/. */
export const LEDGER_BENCH_MODULE = join('bench', 'nodeAndLedger.js');

/**
 * A copy of the build (`npm run bench` builds first) that the whole run measures: dist/ is shared
 * with whoever builds or cleans the package while the benchmark runs. Inside the repository, so that
 * its requires find node_modules; deleted when the process exits.
 */
export function snapshotDist(): string {
	const target = join(ROOT, '.bench-tmp', `dist-${process.pid}`);
	rmSync(target, { recursive: true, force: true });
	cpSync(join(ROOT, 'dist'), target, { recursive: true });
	if (!existsSync(join(target, NODE_MODULE))) throw new Error(`no ${NODE_MODULE} in dist/: run npm run build`);
	process.on('exit', () => rmSync(target, { recursive: true, force: true }));
	bundle(join(__dirname, 'nodeAndLedger.ts'), join(target, LEDGER_BENCH_MODULE), target);
	return target;
}

/** The commit the build comes from, and the node's source files that differed from it when the build was copied. */
export function describeSource(): { commit: string; uncommitted: string[] } {
	const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' });
	try {
		const uncommitted = git('status', '--porcelain', '--', 'nodes', 'credentials', 'package.json')
			.split('\n')
			.filter(Boolean)
			.map((line) => line.slice(3));
		return { commit: git('rev-parse', '--short', 'HEAD').trim(), uncommitted };
	} catch {
		return { commit: 'unknown', uncommitted: [] };
	}
}
