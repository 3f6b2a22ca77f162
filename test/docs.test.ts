// The README a seller reads in five minutes, and the pages it links: short, every link lands, every operation named.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

import { RESOURCES } from '../nodes/AwsMarketplaceMetering/actions/operations';

const ROOT = join(__dirname, '..');
const README = join(ROOT, 'README.md');
const PAGES = [
	README,
	...readdirSync(join(ROOT, 'docs'))
		.filter((name) => name.endsWith('.md'))
		.map((name) => join(ROOT, 'docs', name)),
	join(ROOT, 'examples', 'README.md'),
	join(ROOT, 'emulator', 'README.md'),
	join(ROOT, 'nodes', 'shared', 'ledger', 'README.md'),
];
const README_MAX_LINES = 320;

const read = (file: string) => readFileSync(file, 'utf8');
/** Markdown outside fenced code blocks, where links and headings are what they look like. */
const prose = (markdown: string) => markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
	const seen = new Map<string, number>();
	const result = new Set<string>();
	for (const [, heading] of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
		const base = heading
			.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
			.toLowerCase()
			.replace(/[^\p{L}\p{N}\s_-]/gu, '')
			.replace(/\s/g, '-');
		const count = seen.get(base) ?? 0;
		seen.set(base, count + 1);
		result.add(count === 0 ? base : `${base}-${count}`);
	}
	return result;
}

/** Every relative link of a page (images included), without inline code. */
function relativeLinks(markdown: string): string[] {
	const text = prose(markdown).replace(/`[^`\n]*`/g, '');
	return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
		.map((match) => match[1])
		.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('README.md', () => {
	const readme = read(README);

	it(`has at most ${README_MAX_LINES} lines`, () => {
		expect(readme.split('\n').length).toBeLessThanOrEqual(README_MAX_LINES);
	});

	it('names every operation of the node, under its resource, in its operations table', () => {
		const section = /^## Operations\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
		const rows = section
			.split('\n')
			.filter((line) => line.startsWith('|'))
			.map((line) => line.split('|').map((cell) => cell.replace(/\*\*/g, '').trim()));
		const missing = RESOURCES.flatMap((resource) =>
			resource.operations
				.filter((operation) => !rows.some((cells) => cells[1] === resource.name && cells[2] === operation.name))
				.map((operation) => `${resource.name}: ${operation.name}`),
		);
		expect(missing).toEqual([]);
	});
});

describe('links in the README and the docs pages', () => {
	it.each(PAGES.map((file) => [relative(ROOT, file), file]))('%s: every relative link points at a file, and at a heading there', (_name, file) => {
		const broken = relativeLinks(read(file)).filter((link) => {
			const [path, fragment] = link.split('#');
			const target = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
			if (!existsSync(target)) return true;
			return fragment !== undefined && target.endsWith('.md') && !anchors(read(target)).has(fragment);
		});
		expect(broken).toEqual([]);
	});
});
