// `npm run demo` as a user runs it: every example workflow through n8n's engine against the emulator, in a process
// of its own; it fails unless the emulator billed exactly the usage the workflows recorded.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((resolve) => {
		execFile(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'demo', 'run.ts')], { cwd: ROOT, timeout: 240_000 }, (error, stdout, stderr) =>
			resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
		);
	});
}

test('npm run demo runs every example and the emulator bills exactly what they recorded', async () => {
	const { code, stdout, stderr } = await runDemo();
	expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
	for (const line of [
		'HTTP 200: Welcome! Your AWS Marketplace subscription to saas-analytics is active for AWS account 111122223333.',
		'Resolve Customer recorded license l-0a1b2c3d4e5f60718293a4b5c6d7e8f9 in the ledger: active',
		'HTTP 400: This sign-up link is not valid',
		'Describe Agreement: agmt-abcdexampleid ACTIVE, buyer 444455556666',
		'demo-5: Recorded in',
		'The execution waits at "Review the request" for a person to answer its form',
		'Notify: License l-1a2b3c4d5e6f70819203a4b5c6d7e8f9 deprovisioned (customer 444455556666, agreement agmt-abcdexampleid ACTIVE): final usage 12 users in',
		'Ran: AWS Marketplace event → Describe Agreement → Which event? → Meter Open Hours Now → Notify',
		'HTTP 200: Repeated delivery: ignored: no execution',
		'HTTP 401: Missing or wrong API key: no execution',
		'demo-7: AfterFinalReport',
		'Register Usage: signature verified for product container-agent',
		'The emulator billed exactly the usage the workflows recorded',
	]) {
		expect(stdout).toContain(line);
	}
	// Globex's license started 5 hours before the first hourly run: its idle closed hours are billed 0 users.
	expect(stdout).toMatch(/Globex users \S+ \S+: 0 Success/);
}, 300_000);
