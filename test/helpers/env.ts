// Run by jest before each test file (setupFilesAfterEnv in jest.config.js), and by the processes tests start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// n8n-core writes its instance settings, and the embedded ledger its folder, under N8N_USER_FOLDER: a folder of the
// test file's own, removed after it (a process a test starts shares its test's, or removes its own when it exits).
if (!process.env.N8N_USER_FOLDER) {
	const folder = mkdtempSync(join(tmpdir(), 'n8n-metering-test-'));
	process.env.N8N_USER_FOLDER = folder;
	const remove = () => rmSync(folder, { recursive: true, force: true });
	if (typeof afterAll === 'function') afterAll(remove);
	else process.once('exit', remove);
}

// The embedded metering ledger stays open five minutes after an execution by default, a few hundred MB each: one
// jest process opens dozens. Tests of that lifetime set their own.
process.env.AWS_MARKETPLACE_METERING_LEDGER_IDLE_SECONDS ??= '0';

// n8n's logger prints to the console; tests assert what the nodes log where it matters (test/reliability/secrets).
process.env.N8N_LOG_LEVEL ??= 'silent';

// The tests run on Node 20 as well (n8n 1.x users do): the SDK's notice about Node 22 is noise there.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// The tests talk to servers on loopback: a proxy set in the environment takes part only where a test sets one.
for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY']) {
	delete process.env[name];
	delete process.env[name.toLowerCase()];
}
