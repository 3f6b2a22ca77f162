import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { BatchMeterUsageCommand, MeterUsageCommand, ResolveCustomerCommand } from '@aws-sdk/client-marketplace-metering';

import { DEFAULT_TEST_CREDENTIAL, type Emulator } from '../../emulator';
import { meteringClient } from '../helpers/emulator';

const ROOT = join(__dirname, '..', '..');

// The emulator as the demo, the benchmark and the end-to-end run start it: in a process of its own.
describe('emulator CLI', () => {
	let child: ChildProcess;
	let ready: { url: string; region: string; accessKeyId: string };
	let stderr = '';

	beforeAll(async () => {
		child = spawn(
			process.execPath,
			[
				require.resolve('tsx/cli'),
				'emulator/cli.ts',
				'--port',
				'0',
				'--latency-ms',
				'1',
				'--unprocessed-rate',
				'0',
				'--disabled-operations',
				'MeterUsage,RegisterUsage',
				'--identical-resend',
				'duplicateRecord',
				'--license-arn-spelling',
				'license/',
				'--exact-license-arn',
				'false',
			],
			{ cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
		);
		child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		ready = await new Promise((resolve, reject) => {
			child.once('exit', (code) => reject(new Error(`the emulator exited with ${code}: ${stderr}`)));
			createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
		});
		// The prose on stderr follows the JSON line.
		for (let waited = 0; !stderr.includes('Stop with') && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
	});
	afterAll(() => {
		if (child.exitCode === null) child.kill('SIGKILL');
	});

	it('prints one JSON line with the URL, region and access key ID, then the test keys and the sample registration tokens', () => {
		expect(ready).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), region: 'us-east-1', accessKeyId: DEFAULT_TEST_CREDENTIAL.accessKeyId });
		expect(stderr).toContain(`listening on ${ready.url}`);
		expect(stderr).toContain(`Configuration: ${join('emulator', 'sample-config.json')}`);
		expect(stderr).toContain(`Access Key ID ${DEFAULT_TEST_CREDENTIAL.accessKeyId}  Secret Access Key ${DEFAULT_TEST_CREDENTIAL.secretAccessKey}`);
		expect(stderr).toContain('token-new-customer: saas-analytics, account 111122223333');
		expect(stderr).toContain('token-expired: saas-analytics, account 444455556666 (expired)');
	});

	it('serves the sample configuration by default: its registration tokens, and its admin endpoints', async () => {
		const client = meteringClient({ url: ready.url, region: ready.region } as Emulator);
		const answer = await client.send(new ResolveCustomerCommand({ RegistrationToken: 'token-new-customer' }));
		expect(answer).toMatchObject({ CustomerIdentifier: '', CustomerAWSAccountId: '111122223333', ProductCode: 'saas-analytics' });
		await expect(client.send(new ResolveCustomerCommand({ RegistrationToken: 'token-expired' }))).rejects.toMatchObject({ name: 'ExpiredTokenException' });
		const stats = await (await fetch(`${ready.url}/_emulator/stats`)).json();
		expect(stats).toMatchObject({ requests: { ResolveCustomer: { 200: 1, ExpiredTokenException: 1 } } });
		expect(await (await fetch(`${ready.url}/_emulator/public-key`)).text()).toMatch(/^-----BEGIN PUBLIC KEY-----/);
	});

	it('takes the license ARN spelling ResolveCustomer issues, and whether BatchMeterUsage takes only that, from flags', async () => {
		const client = meteringClient({ url: ready.url, region: ready.region } as Emulator);
		const answer = await client.send(new ResolveCustomerCommand({ RegistrationToken: 'token-new-customer' }));
		expect(answer.LicenseArn).toBe('arn:aws:license-manager::123456789012:license/l-0a1b2c3d4e5f60718293a4b5c6d7e8f9');
		// Another spelling of the issued license (the sample configuration's): taken, as --exact-license-arn false says.
		const usage = {
			Timestamp: new Date(Math.floor(Date.now() / 3600_000) * 3600_000 - 3600_000),
			CustomerAWSAccountId: '111122223333',
			LicenseArn: 'arn:aws:license-manager::123456789012:license:l-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
			Dimension: 'api_calls',
			Quantity: 5,
		};
		expect((await client.send(new BatchMeterUsageCommand({ UsageRecords: [usage] }))).Results![0].Status).toBe('Success');
	});

	it('takes the disabled operations and the identical-resend answer from flags', async () => {
		const client = meteringClient({ url: ready.url, region: ready.region } as Emulator);
		const meterUsage = client.send(new MeterUsageCommand({ ProductCode: 'ami-scanner', UsageDimension: 'vcpu_hours', Timestamp: new Date() }));
		await expect(meterUsage).rejects.toMatchObject({ name: 'DisabledApiException', message: 'The API is disabled in the Region.' });
		const usage = {
			Timestamp: new Date(Math.floor(Date.now() / 3600_000) * 3600_000),
			CustomerAWSAccountId: '111122223333',
			LicenseArn: 'arn:aws:license-manager::123456789012:license:l-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
			Dimension: 'api_calls',
			Quantity: 5,
		};
		const batch = () => client.send(new BatchMeterUsageCommand({ UsageRecords: [usage] }));
		expect((await batch()).Results![0].Status).toBe('Success');
		expect((await batch()).Results![0].Status).toBe('DuplicateRecord');
	});

	it('stops cleanly on SIGTERM', async () => {
		const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
		child.kill('SIGTERM');
		expect(await exited).toBe(0);
	});
});
