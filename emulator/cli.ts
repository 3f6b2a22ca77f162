// `npm run emulator -- [--port N] [--host H] [--config file.json | --bare] [--batch-window-hours N]
// [--disabled-operations Op1,Op2] [--identical-resend success|duplicateRecord] [--signature-claims PascalCase|camelCase]
// [--sns-port N] [--sns-certificate-file F] [fault flags]`: runs the emulator until SIGINT/SIGTERM, with the sample
// configuration (sample-config.json) unless --config names another or --bare asks for none (then any license and
// customer is billed, and no registration token resolves). Prints one JSON line on stdout once listening ({url,
// region, accessKeyId}), then prose on stderr: the test keys and registration tokens to try the node with.
// --sns-certificate-file writes the TLS certificate of its SNS stand-in there, for NODE_EXTRA_CA_CERTS.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';

import { DEFAULT_TEST_CREDENTIAL, startEmulator, type EmulatorFaults, type EmulatorOptions } from '.';
import { loadSampleConfig, SAMPLE_CONFIG_FILE } from './sampleConfig';

const FAULT_FLAGS: Record<string, keyof EmulatorFaults> = {
	'latency-ms': 'latencyMs',
	'throttle-rate': 'throttleRate',
	quota: 'quotaPerSecond',
	'server-error-rate': 'serverErrorRate',
	'drop-rate': 'dropRate',
	'unprocessed-rate': 'unprocessedRate',
};

function readOptions(): { options: EmulatorOptions; configFile?: string; snsCertificateFile?: string } {
	const { values } = parseArgs({
		options: {
			port: { type: 'string' },
			'sns-port': { type: 'string' },
			'sns-certificate-file': { type: 'string' },
			host: { type: 'string' },
			config: { type: 'string' },
			bare: { type: 'boolean' },
			seed: { type: 'string' },
			'batch-window-hours': { type: 'string' },
			'disabled-operations': { type: 'string' },
			'identical-resend': { type: 'string' },
			'signature-claims': { type: 'string' },
			'license-arn-spelling': { type: 'string' },
			'exact-license-arn': { type: 'string' },
			...Object.fromEntries(Object.keys(FAULT_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
		},
	});
	if (values.bare && values.config) throw new Error('--bare and --config exclude each other');
	const configFile = values.bare ? undefined : (values.config ?? SAMPLE_CONFIG_FILE);
	const options = configFile ? loadSampleConfig(configFile) : {};
	const number = (flag: string) => {
		const value = Number(values[flag as keyof typeof values]);
		if (!Number.isFinite(value)) throw new Error(`--${flag} must be a number`);
		return value;
	};
	if (values.port !== undefined) options.port = number('port');
	if (values['sns-port'] !== undefined) options.snsPort = number('sns-port');
	if (values.host !== undefined) options.host = values.host;
	if (values.seed !== undefined) options.seed = number('seed');
	if (values['batch-window-hours'] !== undefined) options.batchWindowHours = number('batch-window-hours');
	// A comma-separated list; an empty value disables nothing.
	if (values['disabled-operations'] !== undefined) options.disabledOperations = values['disabled-operations'].split(',').map((name) => name.trim()).filter(Boolean);
	if (values['identical-resend'] !== undefined) options.identicalResend = values['identical-resend'] as EmulatorOptions['identicalResend'];
	if (values['license-arn-spelling'] !== undefined) options.licenseArnSpelling = values['license-arn-spelling'] as EmulatorOptions['licenseArnSpelling'];
	if (values['exact-license-arn'] !== undefined) {
		const exact = values['exact-license-arn'];
		if (exact !== 'true' && exact !== 'false') throw new Error('--exact-license-arn must be true or false');
		options.exactLicenseArn = exact === 'true';
	}
	if (values['signature-claims'] !== undefined) options.signatureClaims = values['signature-claims'] as EmulatorOptions['signatureClaims'];
	for (const [flag, fault] of Object.entries(FAULT_FLAGS)) {
		if (values[flag as keyof typeof values] !== undefined) options.faults = { ...options.faults, [fault]: number(flag) };
	}
	return { options, configFile, snsCertificateFile: values['sns-certificate-file'] };
}

async function main(): Promise<void> {
	const { options, configFile, snsCertificateFile } = readOptions();
	const emulator = await startEmulator(options);
	if (snsCertificateFile) writeFileSync(snsCertificateFile, emulator.snsTlsCertificatePem);
	const keys = options.credentials ?? [DEFAULT_TEST_CREDENTIAL];
	process.stdout.write(`${JSON.stringify({ url: emulator.url, region: emulator.region, accessKeyId: keys[0]?.accessKeyId })}\n`);
	process.stderr.write(
		[
			`AWS Marketplace Metering emulator listening on ${emulator.url} (region ${emulator.region})`,
			`Configuration: ${configFile ? relative(process.cwd(), configFile) : 'none (--bare): any license and customer is billed'}`,
			'Test keys (the emulator accepts them, AWS does not): set them in the credential with Custom Endpoint the URL above',
			...keys.map(({ accessKeyId, secretAccessKey }) => `  Access Key ID ${accessKeyId}  Secret Access Key ${secretAccessKey}`),
			...(options.registrationTokens?.length
				? [
						'Registration tokens (Resolve Customer):',
						...options.registrationTokens.map(
							({ token, customerAWSAccountId, customerIdentifier, productCode, expired }) =>
								`  ${token}: ${productCode}, account ${customerAWSAccountId}${customerIdentifier ? `, customer ${customerIdentifier}` : ''}${expired ? ' (expired)' : ''}`,
						),
					]
				: []),
			`Admin: GET ${emulator.url}/_emulator/log | /stats | /public-key, POST /_emulator/reset | /faults`,
			`SNS stand-in: ${emulator.snsOrigin}${snsCertificateFile ? ` (its TLS certificate: ${snsCertificateFile})` : ''}`,
			`Faults: ${JSON.stringify(options.faults ?? {})}`,
			'Stop with Ctrl+C.',
			'',
		].join('\n'),
	);
	const stop = () => {
		emulator.stop().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}

main().catch((error: Error) => {
	process.stderr.write(`The emulator did not start: ${error.message}\n`);
	process.exit(1);
});
