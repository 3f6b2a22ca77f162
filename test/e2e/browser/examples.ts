// Each example opened in the editor as imported, zoomed to fit: every node on the canvas, its picture saved as
// docs/examples/<file>.png for the examples' README.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { EXAMPLE_FILES, type ExampleName } from '../../../scripts/e2e/lib/examples';
import { ROOT } from '../../../scripts/e2e/lib/paths';
import { editorTest, session } from './session';

/** Where the examples' pictures go: the examples' README shows them. */
const PICTURES_DIR = join(ROOT, 'docs', 'examples');

export function describeExamplePictures(): void {
	describe('The examples’ pictures', () => {
		for (const [name, file] of Object.entries(EXAMPLE_FILES) as Array<[ExampleName, string]>) {
			editorTest(`${file}: the editor shows each of its nodes, and its picture is saved`, async (editor) => {
				const workflow = session().stack.workflows[name];
				await editor.goto(`/workflow/${workflow.id}`);
				await editor.page.getByTestId('zoom-to-fit').click();
				// The fit is animated: let it settle before the picture.
				await editor.page.waitForTimeout(800);
				const names = workflow.nodes.filter((node) => node.type !== 'n8n-nodes-base.stickyNote').map((node) => node.name);
				const shown = await Promise.all(names.map(async (nodeName) => (await editor.page.getByTestId('canvas-node').filter({ hasText: nodeName }).count()) > 0));
				const picture = join(PICTURES_DIR, file.replace(/\.json$/, '.png'));
				mkdirSync(PICTURES_DIR, { recursive: true });
				await editor.page.getByTestId('canvas-wrapper').screenshot({ path: picture });
				expect(names.filter((_, index) => !shown[index])).toEqual([]);
				expect(statSync(picture).size).toBeGreaterThan(0);
			});
		}
	});
}
