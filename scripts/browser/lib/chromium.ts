import { join } from 'node:path';

import { chromium, selectors, type Browser } from 'playwright-core';

import { runChecked } from '../../e2e/lib/proc';
import { ROOT } from '../../e2e/lib/paths';

const CHROMIUM = '/usr/bin/chromium';

// Without the background-networking flags Chromium keeps dialling Google's hosts, which a test has no use for (and a
// closed network makes it wait on).
const FLAGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

/** Debian's Chromium (installed by scripts/browser/install-chromium.sh when missing), headless. */
export async function launchChromium(): Promise<Browser> {
	await runChecked('bash', [join(ROOT, 'scripts', 'browser', 'install-chromium.sh')], { cwd: ROOT, timeoutMs: 10 * 60_000, echo: true });
	// n8n's editor marks its elements with data-test-id.
	selectors.setTestIdAttribute('data-test-id');
	return await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}
