// The functions passed to the page run on its DOM.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { Browser, Locator, Page } from 'playwright-core';

import type { Owner } from '../../e2e/lib/owner';
import { waitFor } from '../../e2e/lib/proc';

/** What a parameter panel shows that a seller should never see. */
export interface PanelState {
	/** Labels the panel cuts off with an ellipsis. */
	cutLabels: string[];
	/** Inputs showing `{{ … }}` or `=…` as plain text instead of an expression. */
	literalExpressions: string[];
	/** Red parameter issues, with their text. */
	issues: string[];
	/** Every label shown, in order. */
	labels: string[];
	/** Notices' text. */
	notices: string[];
	/** The credential slots' labels, in order. */
	credentialLabels: string[];
	/** Credential selects whose text (the credential's name, or n8n's "Connect to …") is cut off. */
	cutCredentials: string[];
	/** Whether the credential slots are above every parameter (none shown: true). */
	credentialsFirst: boolean;
	/** Expressions the editor marks red: they resolve to nothing for the input (`{{ $json.missing }}`). */
	invalidExpressions: string[];
}

/**
 * n8n's editor in one Chromium page, logged in as the owner, as a seller uses it: the nodes panel, the node's
 * parameters, credentials and workflow runs. Every step can leave a screenshot in the artifacts folder.
 */
export class Editor {
	private shots = 0;

	private constructor(
		readonly page: Page,
		readonly url: string,
		private readonly artifacts: string,
	) {}

	static async open(browser: Browser, url: string, owner: Owner, artifacts: string): Promise<Editor> {
		mkdirSync(artifacts, { recursive: true });
		// A laptop's screen: labels cut off there are cut off for many sellers.
		const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
		const page = await context.newPage();
		page.setDefaultTimeout(20_000);
		const login = await context.request.post(`${url}/rest/login`, { data: { emailOrLdapLoginId: owner.email, password: owner.password } });
		if (!login.ok()) throw new Error(`logging in to n8n answered HTTP ${login.status()}: ${await login.text()}`);
		return new Editor(page, url, artifacts);
	}

	/** Saves a screenshot as `NN-name.png`; returns its path. */
	async screenshot(name: string): Promise<string> {
		const file = join(this.artifacts, `${String(++this.shots).padStart(2, '0')}-${name}.png`);
		await this.page.screenshot({ path: file });
		return file;
	}

	async goto(path: string): Promise<void> {
		await this.page.goto(`${this.url}${path}`);
		await this.page.getByTestId('canvas-wrapper').or(this.page.getByTestId('resources-list-wrapper')).first().waitFor();
	}

	/** Opens the nodes panel on an empty canvas and searches it; returns the names it lists. */
	async searchNodes(text: string): Promise<string[]> {
		await this.goto('/workflow/new');
		await this.page.getByTestId('canvas-plus-button').click();
		await this.page.getByTestId('node-creator-search-bar').waitFor();
		await this.page.keyboard.type(text);
		const names = this.page.getByTestId('node-creator-item-name');
		// The panel lists its start page until the search applies.
		await names.filter({ hasText: new RegExp(escape(text), 'i') }).first().waitFor();
		return await names.allInnerTexts();
	}

	/** In the search results, opens a node's page of actions; returns the page's text. */
	async nodeActions(name: string): Promise<string> {
		await this.page.getByTestId('node-creator-item-name').filter({ hasText: new RegExp(`^${escape(name)}$`) }).click();
		const panel = this.page.getByTestId('node-creator');
		await panel.getByText('Actions', { exact: false }).first().waitFor();
		// n8n renders a long list 20 items first, then 5 per animation frame: read it once two reads agree.
		let previous: string | undefined;
		return await waitFor('the node’s actions did not settle', 5000, async () => {
			const text = await panel.innerText();
			const settled = text === previous;
			previous = text;
			return settled ? text : undefined;
		});
	}

	/** Adds the node with one of its actions; the node's parameters open. */
	async addAction(action: string): Promise<void> {
		await this.page.getByTestId('node-creator').getByText(action, { exact: true }).click();
		await this.ndv.getByTestId('node-parameters').waitFor();
	}

	get ndv(): Locator {
		return this.page.getByTestId('ndv');
	}

	parameter(name: string): Locator {
		return this.ndv.getByTestId(`parameter-input-${name}`);
	}

	/** Picks an option of a select parameter by its visible name. */
	async choose(parameter: string, option: string): Promise<void> {
		await this.parameter(parameter).click();
		await this.page.locator('.el-select-dropdown__item, [role=option]').filter({ visible: true }).getByText(option, { exact: true }).first().click();
		// The parameters below it render again for the new choice.
		const selected = this.parameter(parameter).locator('input').first();
		await waitFor(`${parameter} did not show ${option}`, 5000, async () => ((await selected.inputValue()) === option ? true : undefined));
		await this.page.waitForTimeout(300);
	}

	/** The visible text of a parameter's input, or of its expression editor. */
	async parameterText(name: string): Promise<string> {
		const input = this.parameter(name);
		const field = input.locator('input, textarea').first();
		if ((await field.count()) > 0 && (await field.isVisible())) return await field.inputValue();
		return (await input.innerText()).trim();
	}

	/** Adds every option still missing to each collection (Options, Filters...), so that all of their labels show. */
	async addAllOptions(): Promise<void> {
		// A node just added renders its collections a moment after its other parameters.
		await this.ndv.getByTestId('collection-parameter-add').first().waitFor({ timeout: 3000 }).catch(() => undefined);
		// Collections, from the top, found with nothing left to add.
		let exhausted = 0;
		for (let added = 0; added < 100; added++) {
			const adds = this.ndv.getByTestId('collection-parameter-add');
			if ((await adds.count()) <= exhausted) return;
			const add = adds.nth(exhausted);
			await add.scrollIntoViewIfNeeded();
			await add.click();
			const options = this.page.getByTestId('collection-parameter-option').filter({ visible: true });
			// Escape would close the node, not just the list: a collection with nothing left to add lists nothing.
			if (!(await options.first().waitFor({ timeout: 2000 }).then(() => true, () => false))) {
				exhausted++;
				continue;
			}
			await options.first().click();
			await this.page.waitForTimeout(150);
		}
	}

	/** The help text n8n shows when the pointer rests on the info icon beside a parameter's label. */
	async labelTooltip(label: string): Promise<string> {
		const labelElement = this.ndv.getByTestId('input-label').filter({ hasText: new RegExp(`^${escape(label)}`) }).first();
		await labelElement.scrollIntoViewIfNeeded();
		await labelElement.hover();
		const icon = labelElement.locator('[class*=infoIcon] [data-state]');
		await icon.hover();
		// The open tooltip: once the icon says so, its floating content holds the text.
		const popper = this.page.locator('[data-reka-popper-content-wrapper]').filter({ visible: true }).filter({ hasText: /\S/ });
		const text = await waitFor('no tooltip opened', 5000, async () => {
			if (!/open/.test((await icon.getAttribute('data-state')) ?? '') || (await popper.count()) === 0) return undefined;
			return (await popper.last().innerText()).trim() || undefined;
		}).catch(() => '');
		await this.page.mouse.move(0, 0);
		return text;
	}

	/** What the Parameters tab shows (not the Settings tab, which is n8n's own). */
	async panelState(): Promise<PanelState> {
		// Hovering a label's help icon or a field would show tooltips in the screenshot and in the text.
		await this.page.mouse.move(0, 0);
		return await this.ndv.getByTestId('node-parameters').evaluate((root) => {
			const visible = (element: Element) => (element as HTMLElement).offsetParent !== null;
			const labelSpans = [...root.querySelectorAll('[data-test-id=input-label] label span, [data-test-id=credentials-label] label span')].filter(
				(span) => visible(span) && span.textContent?.trim(),
			);
			const slots = [...root.querySelectorAll('[data-test-id=node-credentials-slot]')].filter(visible);
			// The slot renders inside a parameter's item: compare where they are on screen.
			const top = (element: Element) => element.getBoundingClientRect().top;
			const parameterTops = [...root.querySelectorAll('[data-test-id^=parameter-input-]')].filter(visible).map(top);
			const fields = [...root.querySelectorAll('input, textarea')].filter(visible) as Array<HTMLInputElement | HTMLTextAreaElement>;
			return {
				labels: labelSpans.map((span) => span.textContent!.trim()),
				cutLabels: labelSpans.filter((span) => span.scrollWidth > span.clientWidth + 1).map((span) => span.textContent!.trim()),
				literalExpressions: fields.map((field) => field.value).filter((value) => /\{\{|^=/.test(value)),
				issues: [...root.querySelectorAll('[data-test-id=parameter-issues]'), ...root.querySelectorAll('.has-issues')]
					.filter(visible)
					.map((issue) => (issue.textContent ?? '').trim() || (issue.getAttribute('title') ?? 'an issue marker')),
				notices: [...root.querySelectorAll('.notice, [data-test-id=notice]')].filter(visible).map((notice) => (notice.textContent ?? '').trim()),
				// What a credential's select shows, its value or its "Connect to …" placeholder, wider than the select.
				cutCredentials: slots.flatMap((slot) => {
					const input = slot.querySelector('[data-test-id=node-credentials-select] input') as HTMLInputElement | null;
					if (!input) return [];
					const text = input.value || input.placeholder;
					const style = getComputedStyle(input);
					const context = document.createElement('canvas').getContext('2d')!;
					context.font = style.font;
					const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
					return context.measureText(text).width > room + 1 ? [text] : [];
				}),
				credentialLabels: slots.map((slot) => (slot.querySelector('[data-test-id=credentials-label] label span')?.textContent ?? '').trim()),
				credentialsFirst: slots.every((slot) => parameterTops.every((parameterTop) => top(slot) < parameterTop)),
				invalidExpressions: [...root.querySelectorAll('.cm-invalid-resolvable')].filter(visible).map((element) => (element.textContent ?? '').trim()),
			};
		});
	}

	async closeNdv(): Promise<void> {
		await this.page.getByTestId('ndv-close-button').click();
		await this.ndv.waitFor({ state: 'hidden' });
	}

	/** Opens a saved workflow and runs it from one of its triggers, as the "Execute workflow" button does. */
	async runWorkflow(id: string, trigger: string): Promise<void> {
		await this.goto(`/workflow/${id}`);
		// The trigger's own button shows on hover: the run button at the bottom runs from the selected trigger.
		await this.page.getByTestId(`execute-workflow-button-${trigger}`).click({ force: true });
		// The canvas shows a stop button while the run lasts (a short run may end before it is seen).
		const stop = this.page.getByTestId('stop-execution-button');
		await stop.waitFor({ timeout: 5000 }).catch(() => undefined);
		await stop.waitFor({ state: 'hidden', timeout: 120_000 });
	}

	canvasNode(name: string): Locator {
		return this.page.locator(`[data-test-id=canvas-node][data-node-name="${name}"]`);
	}

	async openNode(name: string): Promise<void> {
		await this.canvasNode(name).dblclick();
		await this.ndv.waitFor();
	}

	get output(): Locator {
		return this.page.getByTestId('output-panel');
	}
}

function escape(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
