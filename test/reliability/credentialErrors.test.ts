import { DEFAULT_TEST_CREDENTIAL } from '../../emulator';
import { emulatorCredential } from '../helpers/credentials';
import { useEmulator } from '../helpers/emulator';
import { usageEvents } from '../helpers/usage';
import { runNode } from '../helpers/workflow';

const SESSION = { accessKeyId: 'ASIAEXPIRINGSESSION1', secretAccessKey: 'expiring-secret', sessionToken: 'expiring-token' };
const DENIED = { accessKeyId: 'AKIADENIEDBATCH00001', secretAccessKey: 'denied-secret', principalArn: 'arn:aws:iam::123456789012:user/reporter', deniedActions: ['aws-marketplace:BatchMeterUsage'] };

// Each credential failure ends the run in one clear message, never a stack trace.
describe('reliability: credential and network failures', () => {
	const emulator = useEmulator({ credentials: [DEFAULT_TEST_CREDENTIAL, SESSION, DENIED] });
	beforeAll(() => emulator().expireSessionToken(SESSION.accessKeyId));

	const cases: [string, Record<string, unknown>, RegExp][] = [
		['unknown access key', { accessKeyId: 'AKIANOSUCHKEY0000001' }, /^AWS does not recognize these credentials$/],
		['wrong secret', { secretAccessKey: 'wrong' }, /^AWS rejected the request signature$/],
		['expired session token', SESSION, /^The AWS session token has expired$/],
		['access denied', DENIED, /^These credentials are not allowed to call this operation$/],
		['unreachable endpoint', { endpoint: 'http://127.0.0.1:9' }, /^Could not connect to 127\.0\.0\.1:9: connection refused$/],
	];

	it.each(cases)('%s', async (_name, overrides, message) => {
		const { error } = await runNode({
			parameters: { operation: 'batchMeterUsage', options: { maxAttempts: 2, unprocessedRetries: 0 } },
			credentials: emulatorCredential(emulator(), overrides as never),
			items: usageEvents({ count: 30, customers: 30, seed: 5 }),
			onError: 'stopWorkflow',
		});
		const text = `${error?.message}`;
		expect(text).toMatch(new RegExp(`${message.source.slice(0, -1)} \\[item \\d+\\]$`));
		expect(text).not.toMatch(/\n\s+at /);
		expect(String(error?.description)).toMatch(/\S/);
	});
});
