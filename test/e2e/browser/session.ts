// What the browser test's cases share: n8n's editor in Chromium and the stack it runs on, set up by browser.e2e.ts.
import type { Editor } from '../../../scripts/browser/lib/editor';
import type { Stack } from '../../../scripts/e2e/lib/stack';

interface Session {
	stack: Stack;
	editor: Editor;
}

let current: Session | undefined;

export function startSession(session: Session): void {
	current = session;
}

export function session(): Session {
	if (!current) throw new Error('n8n and its editor did not start: see the error of beforeAll');
	return current;
}

/**
 * A case in the editor. When it fails, a screenshot `NN-failed-<case>.png` in artifacts/browser/ shows where it stopped;
 * the cases after it still run: one failing case must not hide what the others see.
 */
export function editorTest(name: string, run: (editor: Editor) => Promise<void>): void {
	test(name, async () => {
		const { editor } = session();
		try {
			await run(editor);
		} catch (error) {
			await editor.screenshot(`failed-${slug(name)}`).catch(() => undefined);
			throw error;
		}
	});
}

/** What an earlier case left for this one to go on from; a clear failure when that case did not get there. */
export function fromEarlierCase<T>(value: T | undefined, what: string): T {
	if (value === undefined) throw new Error(`${what}: the case before did not get there`);
	return value;
}

function slug(name: string): string {
	return name
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-|-$/g, '')
		.slice(0, 60);
}
