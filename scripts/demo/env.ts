// Set before n8n-core loads: its instance settings and the embedded metering ledger go to a user folder of the
// demo's own, removed when it ends; the ledger lets go of its folder after each execution.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const folder = mkdtempSync(join(tmpdir(), 'n8n-metering-demo-'));
process.env.N8N_USER_FOLDER = folder;
process.env.AWS_MARKETPLACE_METERING_LEDGER_IDLE_SECONDS ??= '0';
process.env.N8N_LOG_LEVEL ??= 'silent';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.on('exit', () => rmSync(folder, { recursive: true, force: true }));
