// What the README gives a seller to try the node with: the emulator's test keys and the curl command to the trigger's Test URL.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { ROOT } from '../../../scripts/e2e/lib/paths';

function readme(): string {
	return readFileSync(join(ROOT, 'README.md'), 'utf8');
}

/** The emulator's test keys as the README's Usage section writes them. */
export function readmeTestKeys(): { accessKeyId: string; secretAccessKey: string } {
	// Wherever the README's lines wrap.
	const match = /Access Key ID\s+`([^`]+)`,\s+Secret Access Key\s+`([^`]+)`/.exec(readme());
	if (!match) throw new Error('the README gives no test keys for the emulator (Access Key ID `…`, Secret Access Key `…`)');
	return { accessKeyId: match[1], secretAccessKey: match[2] };
}

/** The README's curl command, run as a seller runs it, with the Test URL and the API key in place; what it printed. */
export async function readmeCurl(testUrl: string, apiKey: string): Promise<string> {
	const command = /```bash\n(curl [^\n]*'<Test URL>'[\s\S]*?)```/.exec(readme())?.[1];
	if (!command) throw new Error('the README has no curl command to the Test URL');
	const { stdout } = await promisify(execFile)('bash', ['-c', command.replace('<Test URL>', testUrl).replace('<API Key>', apiKey)]);
	return stdout;
}
