// n8n-core writes its instance settings under N8N_USER_FOLDER; keep them out of the home folder.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-metering-test-'));
