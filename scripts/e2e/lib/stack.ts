import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DEFAULT_TEST_CREDENTIAL, startEmulator, type Emulator, type EmulatorOptions } from '../../../emulator';
import {
	CREDENTIAL_TYPE,
	credentialReference,
	loadExamples,
	loadInputItemsMetering,
	WEBHOOK_CREDENTIAL_TYPE,
	withPublicKey,
	type ExampleName,
	type Workflow,
} from './examples';
import { N8n, installN8n } from './n8n';
import { buildAndPack, folderBytes, installArgs, installCommunityPackage } from './package';
import { ROOT } from './paths';
import { installCleanup, killAll } from './proc';

/** The products, customers and registration tokens the examples use. */
export const EMULATOR_CONFIG = join(ROOT, 'emulator', 'sample-config.json');

export interface Stack {
	/** Temporary folder holding the tarball and n8n's user folder; removed on exit. */
	workDir: string;
	emulator: Emulator;
	emulatorConfig: EmulatorOptions;
	n8n: N8n;
	/**
	 * The examples as imported (the container start example verifies with the emulator's public key), and the test
	 * workflow that meters input items.
	 */
	workflows: Record<StackWorkflowName, Workflow>;
	/** The API-key header of the imported AWS Marketplace Webhook API credential (the EventBridge connection's). */
	webhookApiKey: { header: string; value: string };
	/**
	 * Stops the emulator and every process started, and removes the temporary folder (unless kept): for jest's
	 * afterAll, so that the next file starts on a quiet machine (installCleanup does the same only at exit).
	 */
	stop(): Promise<void>;
}

export type StackWorkflowName = ExampleName | 'inputItemsMetering';

export interface StackOptions {
	/** Progress messages. */
	log: (message: string) => void;
	/** More workflows to import with the examples, built from them, the emulator and its configuration. */
	extraWorkflows?: (workflows: Record<StackWorkflowName, Workflow>, emulator: Emulator, emulatorConfig: EmulatorOptions) => Workflow[];
	/** Workflows whose triggers go live when n8n starts: examples by name, extra workflows by ID. */
	publish?: Array<StackWorkflowName | { id: string }>;
	/** Leave the temporary folder behind, for diagnosis. */
	keep?: boolean;
}

/**
 * Everything a user has after installing the package: real n8n with this package's tarball installed as a
 * community package, a credential pointing at a local emulator, and the example workflows imported.
 */
export async function prepareStack(options: StackOptions): Promise<Stack> {
	const { log } = options;
	const workDir = await mkdtemp(join(tmpdir(), 'n8n-aws-marketplace-e2e-'));
	const removeWorkDir = () => {
		if (options.keep) process.stderr.write(`Kept ${workDir}\n`);
		else rmSync(workDir, { recursive: true, force: true });
	};
	installCleanup(removeWorkDir);

	log('Installing n8n (cached after the first run) and building the package');
	const [tarball] = await Promise.all([buildAndPack(workDir), installN8n()]);
	const n8n = new N8n(join(workDir, 'user'));
	log(`Installing ${tarball.split('/').pop()} as a community package (npm ${installArgs('<n8n folder>/nodes', '<tarball>').join(' ')})`);
	const installMs = await installCommunityPackage(n8n.n8nFolder, tarball);
	log(`Installed in ${(installMs / 1000).toFixed(1)} s (${(statSync(tarball).size / 1e6).toFixed(1)} MB packed, ${(folderBytes(join(n8n.n8nFolder, 'nodes', 'node_modules')) / 1e6).toFixed(1)} MB installed)`);

	const emulatorConfig = JSON.parse(readFileSync(EMULATOR_CONFIG, 'utf8')) as EmulatorOptions;
	const emulator = await startEmulator({ ...emulatorConfig, port: 0 });
	log(`Emulator listening on ${emulator.url}`);

	const examples = loadExamples();
	const workflows = { ...examples, containerStart: withPublicKey(examples.containerStart, emulator.publicKeyPem), inputItemsMetering: loadInputItemsMetering() };
	const { accessKeyId, secretAccessKey } = DEFAULT_TEST_CREDENTIAL;
	// The shared secret an EventBridge connection would send: a fresh one per run.
	const webhookApiKey = { header: 'x-api-key', value: randomBytes(32).toString('hex') };
	log('Importing the credentials and the example workflows');
	await n8n.importCredentials([
		{
			...credentialReference(Object.values(examples)),
			type: CREDENTIAL_TYPE,
			data: { region: emulator.region, credentialSource: 'accessKeys', accessKeyId, secretAccessKey, endpoint: emulator.url },
		},
		{
			...credentialReference(Object.values(examples), WEBHOOK_CREDENTIAL_TYPE),
			type: WEBHOOK_CREDENTIAL_TYPE,
			data: { headerName: webhookApiKey.header, apiKey: webhookApiKey.value },
		},
	]);
	await n8n.importWorkflows([...Object.values(workflows), ...(options.extraWorkflows?.(workflows, emulator, emulatorConfig) ?? [])]);
	for (const entry of options.publish ?? []) await n8n.publishWorkflow(typeof entry === 'string' ? workflows[entry].id : entry.id);
	const stop = async () => {
		await emulator.stop();
		killAll();
		removeWorkDir();
	};
	return { workDir, emulator, emulatorConfig, n8n, workflows, webhookApiKey, stop };
}
