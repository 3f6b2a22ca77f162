// n8n-core writes its instance settings under N8N_USER_FOLDER; keep them out of the home folder.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-metering-test-'));

// The embedded metering ledger stays open five minutes after an execution by default, a few hundred MB each: one
// jest process opens dozens. Tests of that lifetime set their own.
process.env.AWS_MARKETPLACE_METERING_LEDGER_IDLE_SECONDS ??= '0';

// This machine runs Node 20 on purpose (n8n 1.x users do); the SDK's notice about Node 22 is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// The tests talk to servers on loopback: a proxy set for this machine takes part only where a test sets one.
for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY']) {
	delete process.env[name];
	delete process.env[name.toLowerCase()];
}
