// The editor's credential modal, as a seller fills it in and saves it.
import type { Locator } from 'playwright-core';

import { waitFor } from '../../e2e/lib/proc';
import type { Editor } from './editor';

/** What Test said when the credential was saved: the outcome, the failure's details and the modal's text. */
export interface CredentialTest {
	outcome: 'success' | 'failure';
	details: string;
	text: string;
}

/** From the Credentials page, a new credential of a type found by its name; returns its open modal. */
export async function createCredential(editor: Editor, search: string, typeName: string): Promise<Locator> {
	const { page } = editor;
	await editor.goto('/home/credentials');
	await page.getByTestId('add-resource-credential').click();
	await page.keyboard.type(search);
	await page.getByTestId('new-credential-type-select-option').filter({ hasText: new RegExp(`^${typeName}$`) }).click();
	await page.getByTestId('new-credential-type-button').click();
	return page.getByTestId('editCredential-modal');
}

/** A field of the open credential. */
export function credentialField(modal: Locator, name: string): Locator {
	return modal.getByTestId(`parameter-input-${name}`).locator('input').first();
}

/** Saves the open credential, which runs its test. */
export async function saveAndTest(editor: Editor): Promise<CredentialTest> {
	const modal = editor.page.getByTestId('editCredential-modal');
	const save = modal.getByTestId('credential-save-button');
	await save.click();
	// The test runs as part of saving, and the previous result shows until it ends: when the button, "Saving"
	// meanwhile, says "Saved" (or, for a new credential, "Save" disabled).
	await editor.page.waitForTimeout(200);
	await waitFor('saving the credential did not end', 60_000, async () => {
		const state = await save.evaluate((element) => ({
			label: (element.textContent ?? '').trim(),
			disabled: !!element.querySelector('button')?.disabled,
		}));
		return state.label === 'Saved' || (state.label === 'Save' && state.disabled) ? true : undefined;
	});
	const success = modal.getByText('Connection tested successfully');
	const failure = modal.getByText('Couldn’t connect with these settings');
	await success.or(failure).first().waitFor({ timeout: 60_000 });
	if (await success.isVisible()) return { outcome: 'success', details: '', text: await modal.innerText() };
	const more = modal.getByText('More details');
	if (await more.isVisible()) {
		await more.click();
		await more.waitFor({ state: 'hidden' });
	}
	const text = await modal.innerText();
	const details = text.split('\n').find((line) => line.length > 40 && !line.includes('Enterprise plan')) ?? '';
	return { outcome: 'failure', details, text };
}

/** The credential's Need-help link: n8n appends its query after any `#fragment`. */
export async function docsLink(editor: Editor): Promise<string> {
	const link = editor.page.getByTestId('editCredential-modal').locator('a[href*="github.com"]').first();
	return (await link.getAttribute('href').catch(() => null)) ?? '';
}
