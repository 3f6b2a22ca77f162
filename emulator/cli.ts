// `npm run emulator -- [--port N] [--host H] [--config file.json] [--batch-window-hours N]
// [--disabled-operations Op1,Op2] [--identical-resend success|duplicateRecord] [--signature-claims PascalCase|camelCase]
// [--sns-port N] [--sns-certificate-file F] [fault flags]`: runs the emulator until SIGINT/SIGTERM. Prints one JSON
// line on stdout once listening ({url, region, accessKeyId}), then prose on stderr. --sns-certificate-file writes the
// TLS certificate of its SNS stand-in there, for NODE_EXTRA_CA_CERTS.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { DEFAULT_TEST_CREDENTIAL, startEmulator, type EmulatorFaults, type EmulatorOptions } from '.';

const FAULT_FLAGS: Record<string, keyof EmulatorFaults> = {
	'latency-ms': 'latencyMs',
	'throttle-rate': 'throttleRate',
	quota: 'quotaPerSecond',
	'server-error-rate': 'serverErrorRate',
	'drop-rate': 'dropRate',
	'unprocessed-rate': 'unprocessedRate',
};

function readOptions(): { options: EmulatorOptions; snsCertificateFile?: string } {
	const { values } = parseArgs({
		options: {
			port: { type: 'string' },
			'sns-port': { type: 'string' },
			'sns-certificate-file': { type: 'string' },
			host: { type: 'string' },
			config: { type: 'string' },
			seed: { type: 'string' },
			'batch-window-hours': { type: 'string' },
			'disabled-operations': { type: 'string' },
			'identical-resend': { type: 'string' },
			'signature-claims': { type: 'string' },
			...Object.fromEntries(Object.keys(FAULT_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
		},
	});
	const options = (values.config ? JSON.parse(readFileSync(values.config, 'utf8')) : {}) as EmulatorOptions;
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
	if (values['signature-claims'] !== undefined) options.signatureClaims = values['signature-claims'] as EmulatorOptions['signatureClaims'];
	for (const [flag, fault] of Object.entries(FAULT_FLAGS)) {
		if (values[flag as keyof typeof values] !== undefined) options.faults = { ...options.faults, [fault]: number(flag) };
	}
	return { options, snsCertificateFile: values['sns-certificate-file'] };
}

async function main(): Promise<void> {
	const { options, snsCertificateFile } = readOptions();
	const emulator = await startEmulator(options);
	if (snsCertificateFile) writeFileSync(snsCertificateFile, emulator.snsTlsCertificatePem);
	const accessKeyId = (options.credentials ?? [DEFAULT_TEST_CREDENTIAL])[0]?.accessKeyId;
	process.stdout.write(`${JSON.stringify({ url: emulator.url, region: emulator.region, accessKeyId })}\n`);
	process.stderr.write(
		[
			`AWS Marketplace Metering emulator listening on ${emulator.url} (region ${emulator.region})`,
			`Access key ID: ${accessKeyId ?? '(none configured)'}`,
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
