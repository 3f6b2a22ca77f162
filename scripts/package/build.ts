// `npm run build`: dist/ as n8n loads it. Each node and credential file the package.json "n8n" section names is
// one CommonJS bundle with its libraries inlined (the AWS SDK, pg, the proxy agents), so what n8n installs is what
// was tested: the package has no runtime dependencies, only the peer n8n-workflow, which stays external (n8n's
// own copy; a second one would break its instanceof checks). PGlite, which the embedded ledger runs in a worker
// thread, is a bundle of its own in dist/pglite/ beside its WebAssembly and data files; each bundle is told where
// that is relative to itself (BUNDLED_PGLITE, read in ledger/pgliteDatabase.ts). No source maps: their sources are
// not shipped. The inlined libraries' licenses go to dist/THIRD_PARTY_LICENSES.txt. Icons and codex files are copied
// by gulp (gulpfile.js).
//
// esbuild: it is what tsx (the project's TypeScript runner) and n8n's own build tooling run on, one pinned binary
// (a devDependency), and its CommonJS output is what n8n's loader require()s.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

import { buildSync, type BuildOptions, type Metafile } from 'esbuild';

const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const PGLITE_DIR = join(DIST, 'pglite');
const PGLITE_FILES = ['pglite.wasm', 'initdb.wasm', 'pglite.data'];

const common: BuildOptions = {
	bundle: true,
	platform: 'node',
	format: 'cjs',
	target: 'node20',
	sourcemap: false,
	legalComments: 'inline',
	logLevel: 'warning',
	absWorkingDir: ROOT,
	metafile: true,
	// Folds what the build's constants decide (BUNDLED_PGLITE), so no require of an unshipped package remains.
	minifySyntax: true,
};

/** The files n8n loads: dist/<path>.js for each entry of package.json's "n8n" section, built from <path>.ts. */
function entryPoints(): string[] {
	const { n8n } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };
	return [...n8n.nodes, ...n8n.credentials].map((file) => file.replace(/^dist\//, '').replace(/\.js$/, ''));
}

/** Bundles one TypeScript file into outfile, for a dist/ folder whose PGlite is at <dist>/pglite/ (npm run build makes it). */
export function bundle(source: string, outfile: string, dist = DIST): Metafile {
	// require.resolve in the bundle resolves from the bundle's own folder.
	const pglite = `./${relative(dirname(outfile), join(dist, 'pglite', 'pglite.js'))}`;
	return buildSync({ ...common, entryPoints: [source], outfile, external: ['n8n-workflow'], define: { BUNDLED_PGLITE: JSON.stringify(pglite) } }).metafile!;
}

/**
 * The licenses of the libraries inlined in the bundles (their terms ask that their notices travel with them):
 * each package whose files esbuild read, with its package.json's license and its LICENSE or NOTICE files.
 */
function thirdPartyLicenses(metafiles: Metafile[]): string {
	const packages = new Set<string>();
	for (const input of metafiles.flatMap((metafile) => Object.keys(metafile.inputs))) {
		const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
		if (match) packages.add(join(ROOT, match[1]));
	}
	return [...packages]
		.map((folder) => {
			const { name, version, license } = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as Record<string, string>;
			const notices = readdirSync(folder).filter((file) => /^(licen[cs]e|notice)/i.test(file));
			return [`${name} ${version} (${license})`, ...notices.map((file) => readFileSync(join(folder, file), 'utf8').trim())].join('\n\n');
		})
		.sort()
		.join(`\n\n${'-'.repeat(80)}\n\n`);
}

function main(): void {
	rmSync(DIST, { recursive: true, force: true });
	const metafiles = entryPoints().map((entry) => bundle(join(ROOT, `${entry}.ts`), join(DIST, `${entry}.js`)));
	// PGlite's optional WebSocket support (emscripten's sockets) is never used by the ledger.
	metafiles.push(buildSync({ ...common, entryPoints: [require.resolve('@electric-sql/pglite')], outfile: join(PGLITE_DIR, 'pglite.js'), external: ['ws'] }).metafile!);
	writeFileSync(join(DIST, 'THIRD_PARTY_LICENSES.txt'), `${thirdPartyLicenses(metafiles)}\n`);
	const pgliteSource = dirname(require.resolve('@electric-sql/pglite'));
	mkdirSync(PGLITE_DIR, { recursive: true });
	for (const file of PGLITE_FILES) copyFileSync(join(pgliteSource, file), join(PGLITE_DIR, file));
}

if (require.main === module) main();
