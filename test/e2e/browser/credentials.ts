// The credential as a seller creates it in the editor, with the emulator's test keys the README gives (issue 12,
// items 2, 9, 14 and 15).
import type { Locator } from 'playwright-core';

import { createCredential, credentialField, docsLink, saveAndTest } from '../../../scripts/browser/lib/credential';
import { readmeTestKeys } from './readme';
import { editorTest, fromEarlierCase, session } from './session';

const WRONG_SECRET = 'not-the-emulator-secret-0123456789';

export function describeCredential(): void {
	describe('The credential and its Test button', () => {
		let modal: Locator | undefined;
		let keys: ReturnType<typeof readmeTestKeys> | undefined;

		editorTest('the Secret Access Key is a password field, and so is the Session Token', async (editor) => {
			modal = await createCredential(editor, 'AWS Marketplace', 'AWS Marketplace Metering API');
			await credentialField(modal, 'accessKeyId').waitFor();
			expect(await credentialField(modal, 'secretAccessKey').getAttribute('type')).toBe('password');
			expect(await credentialField(modal, 'sessionToken').getAttribute('type')).toBe('password');
		});

		editorTest('with the README’s test keys, Test says the connection works; its docs link opens a page (docs/credentials.md), not an anchor n8n would append its query to', async (editor) => {
			const open = fromEarlierCase(modal, 'the new credential is not open');
			const readme = readmeTestKeys();
			await credentialField(open, 'accessKeyId').fill(readme.accessKeyId);
			await credentialField(open, 'secretAccessKey').fill(readme.secretAccessKey);
			await credentialField(open, 'endpoint').fill(session().stack.emulator.url);
			keys = readme;
			const tested = await saveAndTest(editor);
			await editor.screenshot('credential-test-success');
			const docs = await docsLink(editor);
			expect(tested.outcome).toBe('success');
			expect(docs).toMatch(/\/docs\/credentials\.md(\?|$)/);
			expect(docs).not.toContain('#');
		});

		editorTest('with a wrong secret, Test says it could not connect, and why (the request signature, the secret, the clock), without showing the secret', async (editor) => {
			const open = fromEarlierCase(modal, 'the new credential is not open');
			const { secretAccessKey } = fromEarlierCase(keys, 'the credential does not hold the README’s keys');
			await credentialField(open, 'secretAccessKey').fill(WRONG_SECRET);
			const wrong = await saveAndTest(editor);
			await editor.screenshot('credential-test-wrong-secret');
			expect(wrong.outcome).toBe('failure');
			expect(wrong.details).toMatch(/AWS rejected the request signature\. Check the secret access key/);
			expect(wrong.text).not.toContain(WRONG_SECRET);
			expect(wrong.text).not.toContain(secretAccessKey);
		});

		editorTest('with an endpoint nothing listens on, Test fails, saying what happened on the network, not "AWS said"', async (editor) => {
			const open = fromEarlierCase(modal, 'the new credential is not open');
			const { secretAccessKey } = fromEarlierCase(keys, 'the credential does not hold the README’s keys');
			await credentialField(open, 'secretAccessKey').fill(secretAccessKey);
			await credentialField(open, 'endpoint').fill('http://127.0.0.1:9');
			const refused = await saveAndTest(editor);
			await editor.screenshot('credential-test-unreachable-endpoint');
			await editor.page.keyboard.press('Escape');
			expect(refused.outcome).toBe('failure');
			expect(refused.details).toMatch(/Could not connect to (http:\/\/)?127\.0\.0\.1:9: connection refused/);
			expect(refused.details).not.toMatch(/AWS said/);
		});
	});
}
