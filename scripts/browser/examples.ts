import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { EXAMPLE_FILES, type ExampleName, type Workflow } from '../e2e/lib/examples';
import { ROOT } from '../e2e/lib/paths';
import type { Checks } from '../e2e/lib/report';
import type { Editor } from './lib/editor';

/** Where the examples' pictures go: the examples' README shows them. */
export const PICTURES_DIR = join(ROOT, 'docs', 'examples');

/**
 * Each example opened in the editor as imported, zoomed to fit: every node on the canvas, its picture saved as
 * docs/examples/<file>.png for the examples' README.
 */
export async function pictureExamples(editor: Editor, checks: Checks, workflows: Record<ExampleName, Workflow>): Promise<void> {
	mkdirSync(PICTURES_DIR, { recursive: true });
	for (const [name, file] of Object.entries(EXAMPLE_FILES) as Array<[ExampleName, string]>) {
		const workflow = workflows[name];
		await editor.goto(`/workflow/${workflow.id}`);
		await editor.page.getByTestId('zoom-to-fit').click();
		// The fit is animated: let it settle before the picture.
		await editor.page.waitForTimeout(800);
		const names = workflow.nodes.filter((node) => node.type !== 'n8n-nodes-base.stickyNote').map((node) => node.name);
		const shown = await Promise.all(names.map(async (nodeName) => (await editor.page.getByTestId('canvas-node').filter({ hasText: nodeName }).count()) > 0));
		checks.check(`${file}: the editor shows each of its ${names.length} nodes`, shown.every(Boolean), JSON.stringify(names.filter((_, index) => !shown[index])));
		const picture = join(PICTURES_DIR, file.replace(/\.json$/, '.png'));
		await editor.page.getByTestId('canvas-wrapper').screenshot({ path: picture });
		checks.check(`${file}: its picture is saved`, statSync(picture).size > 0);
	}
}
