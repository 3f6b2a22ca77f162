// `npm run check:package [-- <tarball> [--release]]` (CI, and the release before publishing): the `npm pack` tarball of the
// current build (or the tarball given), checked the way n8n's scanner (@n8n/scan-community-package) checks a
// published package, and for what a bundle must not ship. The scanner downloads from the registry, so its checks are reproduced here on the
// local tarball:
// - its ESLint pass over the tarball's `**/*.js` and `package.json`, inline `eslint-disable` comments ignored, with
//   its configuration (@n8n/eslint-plugin-community-nodes, `no-console`, eslint-plugin-n8n-nodes-base's `community`
//   rules on package.json), the community rules in their self-hosted configuration as `npm run lint` uses them.
//   Findings in this package's own code fail; findings in the inlined libraries fail unless listed in LIBRARY_FINDINGS
//   with the reason. (Its other pass, over the source checkout, is `npm run lint`; its provenance check needs the
//   published package: the release workflow publishes with provenance.)
// - the contents: the files n8n loads (package.json "n8n") with their icons and codex files, PGlite's files beside
//   its bundle, no runtime dependency, every require() a Node built-in, n8n-workflow, a shipped file or a library's
//   optional module it guards; no source map pointing at a file the tarball lacks, no dist/package.json, no
//   tsbuildinfo; the README's install commands the ones the end-to-end tests run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';

import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import { ESLint, type ESLint as ESLintTypes, type Linter } from 'eslint';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

import { installArgs } from '../e2e/lib/package';

const ROOT = join(__dirname, '..', '..');

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the plugin ships no types
const n8nNodesBase = require('eslint-plugin-n8n-nodes-base') as ESLintTypes.Plugin & { configs: { community: { rules: Linter.RulesRecord } } };

/** Scanner findings accepted in inlined libraries' code: rule → the libraries (path prefixes) and why. */
const LIBRARY_FINDINGS: Record<string, { libraries: string[]; reason: string }> = {
	'no-console': {
		libraries: ['node_modules/'],
		reason: 'the libraries’ own warnings (the AWS SDK, pg, debug, PGlite’s Emscripten runtime); this package logs through n8n',
	},
	'@n8n/community-nodes/no-hardcoded-secrets': {
		libraries: ['node_modules/@aws-sdk/', 'node_modules/@smithy/'],
		reason: 'names, not secrets: the EC2 metadata service’s token path and headers, the S3 session-token query parameter',
	},
	'@n8n/community-nodes/no-dangerous-functions': {
		libraries: ['node_modules/@electric-sql/pglite/'],
		reason: 'Emscripten’s runtime evaluates the JavaScript compiled into PGlite’s own WebAssembly, in the ledger’s worker thread',
	},
};

/**
 * What the repository leaves to the release workflow (.github/workflows/release.yml sets them from the repository it
 * runs in before packing): accepted in package.json unless `--release` is given.
 */
const RELEASE_METADATA = { rule: '@n8n/community-nodes/valid-author', fields: ['author.email', 'repository.url', 'homepage'] };

/** Modules the inlined libraries require inside try/catch and do without (none ships with n8n or this package). */
const OPTIONAL_MODULES: Record<string, string> = {
	'pg-native': 'pg’s native bindings, loaded only for `new Client({ native })`',
	'@aws-sdk/signature-v4-crt': 'SigV4a signing, used only by multi-Region S3 access points',
	ws: 'WebSockets for PGlite’s Emscripten sockets, never opened by the ledger',
};

const PGLITE_FILES = ['pglite.js', 'pglite.wasm', 'initdb.wasm', 'pglite.data'];

interface Manifest {
	name: string;
	dependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	optionalDependencies?: Record<string, string>;
	bundleDependencies?: string[];
	n8n: { nodes: string[]; credentials: string[] };
}

/** Unpacks the tarball (packed from the build first when none is given) into work; its files as npm lists them. */
function unpack(work: string, given?: string): { tarball: string; folder: string; files: string[] } {
	const tarball = given ? resolve(given) : join(work, (JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' })) as Array<{ filename: string }>)[0].filename);
	execFileSync('tar', ['-xzf', tarball], { cwd: work });
	const folder = join(work, 'package');
	const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
		.split('\n')
		.filter((line) => line && !line.endsWith('/'))
		.map((line) => line.replace(/^package\//, ''));
	return { tarball, folder, files };
}

/** The source file (esbuild's `// path` comment above each inlined module) a bundle's line comes from. */
function sourceOf(lines: string[], line: number): string {
	for (let index = line - 1; index >= 0; index--) {
		const match = /^\/\/ ((?:node_modules|nodes|credentials)\/\S+)$/.exec(lines[index]);
		if (match) return match[1];
	}
	return 'esbuild’s runtime helpers';
}

async function scannerFindings(folder: string, release: boolean): Promise<string[]> {
	const community = n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport;
	const eslint = new ESLint({
		cwd: folder,
		allowInlineConfig: false,
		overrideConfigFile: true,
		overrideConfig: defineConfig(
			community,
			{ rules: { 'no-console': 'error' } },
			{ plugins: { 'n8n-nodes-base': n8nNodesBase } },
			{ files: ['package.json'], rules: { ...n8nNodesBase.configs.community.rules } },
			{ files: ['**/*.json'], languageOptions: { parser: tseslint.parser } },
		),
	});
	const problems: string[] = [];
	const accepted = new Map<string, number>();
	for (const result of await eslint.lintFiles(['**/*.js', 'package.json'])) {
		const file = relative(folder, result.filePath);
		const lines = readFileSync(result.filePath, 'utf8').split('\n');
		for (const message of result.messages.filter((m) => m.severity === 2)) {
			const source = file.endsWith('.js') ? sourceOf(lines, message.line) : file;
			const rule = message.ruleId ?? 'parse error';
			if (!release && file === 'package.json' && rule === RELEASE_METADATA.rule) continue;
			if (LIBRARY_FINDINGS[rule]?.libraries.some((library) => source.startsWith(library))) {
				accepted.set(rule, (accepted.get(rule) ?? 0) + 1);
				continue;
			}
			problems.push(`${file}:${message.line} (from ${source}): ${rule}: ${message.message}`);
		}
	}
	for (const [rule, count] of accepted) console.log(`  accepted in inlined libraries: ${rule} ×${count} (${LIBRARY_FINDINGS[rule].reason})`);
	return problems;
}

function contentProblems(folder: string, files: string[], release: boolean): string[] {
	const problems: string[] = [];
	const shipped = new Set(files);
	const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as Manifest;
	if (release) {
		// npm's provenance statement requires repository.url to name the repository the workflow runs in.
		for (const field of RELEASE_METADATA.fields) {
			if (!field.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], manifest)) problems.push(`package.json lacks ${field}, which a release sets`);
		}
	}
	for (const field of ['dependencies', 'optionalDependencies', 'bundleDependencies'] as const) {
		if (Object.keys(manifest[field] ?? {}).length > 0) problems.push(`package.json has ${field}: the build inlines every library`);
	}
	if (Object.keys(manifest.peerDependencies ?? {}).join() !== 'n8n-workflow') problems.push('package.json: the only peer dependency is n8n-workflow');

	const readme = readFileSync(join(folder, 'README.md'), 'utf8');
	for (const nodesFolder of ['~/.n8n/nodes', '/home/node/.n8n/nodes']) {
		const command = `npm ${installArgs(nodesFolder, manifest.name).join(' ')}`;
		if (!readme.includes(command)) problems.push(`README.md lacks the install command the end-to-end tests run: ${command}`);
	}

	for (const entry of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) {
		if (!shipped.has(entry)) problems.push(`${entry} (package.json "n8n") is not in the tarball`);
	}
	for (const node of manifest.n8n.nodes) {
		if (!shipped.has(node.replace(/\.js$/, '.json'))) problems.push(`${node}: its codex file is not in the tarball`);
		const source = readFileSync(join(folder, node), 'utf8');
		for (const [, icon] of source.matchAll(/"file:([^"]+)"/g)) {
			if (!shipped.has(join(dirname(node), icon))) problems.push(`${node}: icon ${icon} is not in the tarball`);
		}
	}
	for (const file of PGLITE_FILES) if (!shipped.has(`dist/pglite/${file}`)) problems.push(`dist/pglite/${file} is not in the tarball`);

	for (const file of files) {
		if (file === 'dist/package.json') problems.push('dist/package.json: a second package.json (a stray compiler output)');
		if (file.endsWith('.tsbuildinfo')) problems.push(`${file}: the compiler's incremental state`);
		if (file.endsWith('.map')) {
			const { sources = [] } = JSON.parse(readFileSync(join(folder, file), 'utf8')) as { sources?: string[] };
			for (const source of sources) if (!shipped.has(join(dirname(file), source))) problems.push(`${file} points at ${source}, which the tarball lacks`);
		}
		if (!file.endsWith('.js')) continue;
		const code = readFileSync(join(folder, file), 'utf8');
		for (const [, map] of code.matchAll(/^\/\/# sourceMappingURL=(\S+)$/gm)) {
			if (!map.startsWith('data:') && !shipped.has(join(dirname(file), map))) problems.push(`${file} points at the source map ${map}, which the tarball lacks`);
		}
		for (const [, module] of code.matchAll(/\brequire(?:\.resolve)?\("([^"]+)"\)/g)) {
			if (module.startsWith('.')) {
				if (!existsSync(join(folder, dirname(file), module))) problems.push(`${file} requires ${module}, which the tarball lacks`);
			} else if (!builtinModules.includes(module.replace(/^node:/, '')) && module !== 'n8n-workflow' && !(module in OPTIONAL_MODULES)) {
				problems.push(`${file} requires ${module}, which n8n does not provide and the build did not inline`);
			}
		}
	}
	return problems;
}

async function main(): Promise<void> {
	const work = mkdtempSync(join(tmpdir(), 'package-check-'));
	try {
		const release = process.argv.includes('--release');
		const given = process.argv.slice(2).find((arg) => !arg.startsWith('--'));
		if (!given && !existsSync(join(ROOT, 'dist'))) throw new Error('No dist/: run npm run build first');
		const { tarball, folder, files } = unpack(work, given);
		const unpacked = readdirSync(folder, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length;
		console.log(`Checking ${basename(tarball)} (${files.length} files, ${unpacked} unpacked)`);
		const problems = [...contentProblems(folder, files, release), ...(await scannerFindings(folder, release))];
		if (problems.length > 0) {
			console.error(`The package fails ${problems.length} check(s):\n${problems.map((problem) => `- ${problem}`).join('\n')}`);
			process.exitCode = 1;
			return;
		}
		console.log('The package passes the scanner’s rules and the content checks');
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}

void main();
