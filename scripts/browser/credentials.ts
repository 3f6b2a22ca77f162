// The credential as a seller creates it in the editor, with the emulator's test keys the README gives (issue 12,
// items 2, 9, 14 and 15).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from '../e2e/lib/paths';
import { waitFor } from '../e2e/lib/proc';
import type { Checks } from '../e2e/lib/report';
import type { Editor } from './lib/editor';
import { docsLink } from './seller';

const CREDENTIAL_NAME = 'AWS Marketplace Metering API';
const WRONG_SECRET = 'not-the-emulator-secret-0123456789';

/** The emulator's test keys as the README's Usage section writes them: the seller's way to try the node. */
export function readmeTestKeys(): { accessKeyId: string; secretAccessKey: string } {
	const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
	// Wherever the README's lines wrap.
	const match = /Access Key ID\s+`([^`]+)`,\s+Secret Access Key\s+`([^`]+)`/.exec(readme);
	if (!match) throw new Error('the README gives no test keys for the emulator (Access Key ID `…`, Secret Access Key `…`)');
	return { accessKeyId: match[1], secretAccessKey: match[2] };
}

export async function checkCredential(editor: Editor, checks: Checks, emulatorUrl: string): Promise<void> {
	const { page } = editor;
	const keys = readmeTestKeys();
	await editor.goto('/home/credentials');
	await page.getByTestId('add-resource-credential').click();
	await page.keyboard.type('AWS Marketplace');
	await page.getByTestId('new-credential-type-select-option').filter({ hasText: new RegExp(`^${CREDENTIAL_NAME}$`) }).click();
	await page.getByTestId('new-credential-type-button').click();
	const modal = page.getByTestId('editCredential-modal');
	const field = (name: string) => modal.getByTestId(`parameter-input-${name}`).locator('input').first();
	await field('accessKeyId').waitFor();
	checks.equal('the Secret Access Key is a password field', await field('secretAccessKey').getAttribute('type'), 'password');
	checks.equal('... and so is the Session Token', await field('sessionToken').getAttribute('type'), 'password');
	await field('accessKeyId').fill(keys.accessKeyId);
	await field('secretAccessKey').fill(keys.secretAccessKey);
	await field('endpoint').fill(emulatorUrl);

	const tested = await saveAndTest(editor);
	await editor.screenshot('credential-test-success');
	checks.equal(`with the README's test keys, Test says the connection works`, tested.outcome, 'success');
	const docs = await docsLink(editor);
	checks.check('its docs link opens a page (docs/credentials.md), not an anchor n8n would append its query to', /\/docs\/credentials\.md(\?|$)/.test(docs) && !docs.includes('#'), docs);

	await field('secretAccessKey').fill(WRONG_SECRET);
	const wrong = await saveAndTest(editor);
	await editor.screenshot('credential-test-wrong-secret');
	checks.equal('with a wrong secret, Test says it could not connect', wrong.outcome, 'failure');
	checks.check('... and why: the request signature, the secret, the clock', /AWS rejected the request signature\. Check the secret access key/.test(wrong.details), wrong.details);
	checks.check('... without showing the secret', !wrong.text.includes(WRONG_SECRET) && !wrong.text.includes(keys.secretAccessKey), wrong.text);

	await field('secretAccessKey').fill(keys.secretAccessKey);
	await field('endpoint').fill('http://127.0.0.1:9');
	const refused = await saveAndTest(editor);
	await editor.screenshot('credential-test-unreachable-endpoint');
	checks.equal('with an endpoint nothing listens on, Test fails', refused.outcome, 'failure');
	checks.check('... saying what happened on the network, not "AWS said"', /Could not connect to (http:\/\/)?127\.0\.0\.1:9: connection refused/.test(refused.details) && !/AWS said/.test(refused.details), refused.details);
	await page.keyboard.press('Escape');
}

/** Saves the open credential, which runs its test; returns the outcome, the failure's details and the modal's text. */
async function saveAndTest(editor: Editor): Promise<{ outcome: 'success' | 'failure'; details: string; text: string }> {
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
