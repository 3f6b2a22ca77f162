// npm run bench [-- --sizes 1000,10000,100000] [--ledger-events 100000] [--scenarios A,B,ledger,webhooks] [--stores embedded,postgres]
//                 [--profile DIR: a CPU profile of every ledger run, each thread, in DIR]
//                 [--before FILE: a bench/results.json of the code before a change, shown beside this run's figures]
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Meters synthetic usage through the node inside n8n-core's WorkflowExecute against the emulator
// (in its own process), next to two baselines, and writes bench/results.json and BENCHMARKS.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

import { MarketplaceMeteringClient } from '@aws-sdk/client-marketplace-metering';

import { DEFAULT_TEST_CREDENTIAL } from '../emulator';
import { usageEvents } from '../test/helpers/usage';
import { runNode } from '../test/helpers/workflow';
import { chunkedBaseline, perEventBaseline, type BaselineResult } from './baselines';
import { describeSource, NODE_MODULE, snapshotDist } from './dist';
import { startEmulatorProcess, type EmulatorProcess } from './emulatorProcess';
import { runLedgerBench, type LedgerResults, type Store } from './ledger';
import { instrumentExecute } from './processCpu';
import { renderMarkdown, type BeforeRun, type Row } from './report';
import { runWebhookBench, type WebhookResults } from './webhooks';

// The compiled node, as n8n runs it (`npm run bench` builds first): tsx's own transform of the
// TypeScript sources adds a cost per function created that n8n never pays. A copy of the build, so
// that a build or clean of dist/ during the run changes nothing.
const NODE_DIST = snapshotDist();
const SOURCE = describeSource();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AwsMarketplaceMetering } = require(join(NODE_DIST, NODE_MODULE)) as typeof import('../nodes/AwsMarketplaceMetering/AwsMarketplaceMetering.node');

const LATENCY_MS = 50;
const QUOTA = 10;
const CONCURRENCY = 5;
// Baselines send one request at a time: their time is measured on this many requests and scaled.
const BASELINE_SAMPLE = { A: 200, B: 60 };
// Record Usage executions of one event each (a webhook's flow), per ledger store.
const LEDGER_EXECUTIONS = 10;

const scenarios = {
	A: { faults: { latencyMs: LATENCY_MS }, options: { maxRequestsPerSecond: 1000, concurrency: CONCURRENCY } },
	B: { faults: { latencyMs: LATENCY_MS, quotaPerSecond: QUOTA }, options: { maxRequestsPerSecond: QUOTA, concurrency: CONCURRENCY } },
} as const;
type Scenario = keyof typeof scenarios;

async function main() {
	const sizes = argValue('--sizes')?.split(',').map(Number) ?? [1_000, 10_000, 100_000];
	const selected = argValue('--scenarios')?.split(',') ?? ['A', 'B', 'ledger', 'webhooks'];
	const ledgerEvents = Number(argValue('--ledger-events') ?? 100_000);
	const stores = (argValue('--stores')?.split(',') ?? ['embedded', 'postgres']) as Store[];
	const loadBefore = loadavg()[0];
	const emulator = await startEmulatorProcess();
	const rows: Row[] = [];
	let ledger: LedgerResults | undefined;
	let webhooks: WebhookResults | undefined;
	// Real n8n first, alone: its own emulator, PostgreSQL and n8n server.
	let webhooksFailed: Error | undefined;
	if (selected.includes('webhooks')) {
		// The other scenarios still run when real n8n cannot.
		webhooks = await runWebhookBench((message) => console.error(`webhooks: ${message}`)).catch((error: Error) => void (webhooksFailed = error));
		console.error(webhooksFailed ? `failed: webhook ingestion on real n8n: ${webhooksFailed.stack}` : 'done: webhook ingestion on real n8n');
	}
	try {
		// n8n is a long-running process: measure a warmed-up node, not its first-call compilation.
		if (selected.includes('A') || selected.includes('B')) await measureNode(emulator, 'A', usageEvents({ count: 5_000, customers: 25, seed: 0 }));
		for (const scenario of (['A', 'B'] as Scenario[]).filter((name) => selected.includes(name))) {
			await emulator.setFaults(scenarios[scenario].faults);
			for (const size of sizes) {
				// Realistic repetition: about 30 events per customer, dimension and hour.
				const events = usageEvents({ count: size, customers: Math.max(5, Math.round(size / 200)), products: 3, dimensions: 3, hours: 2, seed: size });
				const minimum = minimumRequests(events);
				const node = await measureNode(emulator, scenario, events);
				rows.push({ scenario, events: size, variant: 'node', minimumRequests: minimum, ...node, ideal: ideal(scenario, minimum) });
				for (const [variant, run] of [['per event', perEventBaseline], ['25-record chunks', chunkedBaseline]] as const) {
					await emulator.reset();
					// Let the quota's one-second window forget the previous run.
					await new Promise((resolve) => setTimeout(resolve, 1100));
					const result = await run(client(emulator), events, BASELINE_SAMPLE[scenario]);
					rows.push(baselineRow(scenario, size, variant, minimum, result));
				}
				console.error(`done: scenario ${scenario}, ${size} events`);
			}
		}
		if (selected.includes('ledger')) {
			// Scenario A's latency and node options: the CPU and the requests are compared, not the quota.
			await emulator.setFaults(scenarios.A.faults);
			ledger = await runLedgerBench({ emulator, events: ledgerEvents, executions: LEDGER_EXECUTIONS, nodeDist: NODE_DIST, profileDir: argValue('--profile'), meteringOptions: scenarios.A.options, minimumRequests, stores });
		}
	} finally {
		await emulator.stop();
	}
	const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
	const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
	const load: [number, number] = [loadBefore, loadavg()[0]];
	const report = { date: new Date().toISOString(), machine, source: SOURCE, load, command, latencyMs: LATENCY_MS, quota: QUOTA, concurrency: CONCURRENCY };
	writeFileSync('bench/results.json', `${JSON.stringify({ ...report, rows, ledger, webhooks }, null, 2)}\n`);
	const beforeFile = argValue('--before');
	const before = beforeFile ? (JSON.parse(readFileSync(beforeFile, 'utf8')) as BeforeRun) : undefined;
	const markdown = renderMarkdown({ ...report, rows, ledger, webhooks, before });
	// The "Package size" section is measured by packing and installing the package, not by this run: kept.
	const kept = /^## Package size\n[\s\S]*?(?=^## |(?![\s\S]))/m.exec(existsSync('BENCHMARKS.md') ? readFileSync('BENCHMARKS.md', 'utf8') : '')?.[0];
	writeFileSync('BENCHMARKS.md', kept ? `${markdown.trimEnd()}\n\n${kept.trimEnd()}\n` : markdown);
	console.log(markdown);
	// The timings are figures; a delivery not counted exactly once is a failure.
	if (webhooksFailed) process.exitCode = 1;
	if (webhooks?.failures.length) {
		console.error(`webhook ingestion: ${webhooks.failures.join('; ')}`);
		process.exitCode = 1;
	}
}

async function measureNode(emulator: EmulatorProcess, scenario: Scenario, events: Record<string, unknown>[]) {
	await emulator.reset();
	await new Promise((resolve) => setTimeout(resolve, 1100));
	global.gc?.();
	const cpu = instrumentExecute(AwsMarketplaceMetering);
	const rssBefore = process.memoryUsage().rss;
	let peakRss = rssBefore;
	const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
	const started = performance.now();
	const { outputs, error } = await runNode({
		parameters: { operation: 'batchMeterUsage', options: scenarios[scenario].options },
		credentials: {
			region: emulator.region,
			credentialSource: 'accessKeys',
			accessKeyId: DEFAULT_TEST_CREDENTIAL.accessKeyId,
			secretAccessKey: DEFAULT_TEST_CREDENTIAL.secretAccessKey,
			endpoint: emulator.url,
		},
		items: events,
		// The node's default. (With "continue using error output", n8n-core's own routing of 100k items
		// costs seconds: it takes them off an array one shift() at a time.)
		nodeType: new AwsMarketplaceMetering(),
	});
	const wallMs = performance.now() - started;
	clearInterval(sampler);
	peakRss = Math.max(peakRss, process.memoryUsage().rss);
	cpu.restore();
	if (error) throw new Error(`the node failed: ${error.message}`);
	const stats = await emulator.stats();
	const batchRequests = stats.requests.BatchMeterUsage ?? {};
	const requests = Object.values(batchRequests).reduce((sum, count) => sum + count, 0);
	const surfacedThrottling = outputs.flat().filter((item) => /throttl/i.test(String(item.json.error))).length;
	const notSuccess = outputs.flat().filter((item) => item.json.status !== 'Success').length;
	return {
		requests,
		wallMs,
		cpuMicrosPerEvent: (cpu.micros() / events.length),
		memoryGrowthMb: (peakRss - rssBefore) / 2 ** 20,
		throttledResponses: batchRequests.ThrottlingException ?? 0,
		surfacedThrottling,
		notBilled: notSuccess,
	};
}

/** Distinct product/customer/dimension/hour keys over 25, per product, rounded up. */
function minimumRequests(events: Record<string, unknown>[]): number {
	const keys = new Map<string, Set<string>>();
	for (const event of events) {
		const hour = Math.floor(Date.parse(String(event.timestamp)) / 3600_000);
		const product = String(event.productCode);
		if (!keys.has(product)) keys.set(product, new Set());
		keys.get(product)!.add(`${String(event.customerAWSAccountId)}|${String(event.dimension)}|${hour}`);
	}
	return [...keys.values()].reduce((sum, set) => sum + Math.ceil(set.size / 25), 0);
}

function ideal(scenario: Scenario, requests: number): number {
	return scenario === 'A' ? (requests * LATENCY_MS) / CONCURRENCY : (requests / QUOTA) * 1000;
}

function baselineRow(scenario: Scenario, events: number, variant: string, minimumRequests: number, result: BaselineResult): Row {
	return {
		scenario,
		events,
		variant,
		minimumRequests,
		requests: result.requests,
		wallMs: result.wallMs,
		ideal: ideal(scenario, minimumRequests),
		notBilled: result.duplicateRecords + result.throttlingErrors * (result.records / result.requests),
		surfacedThrottling: result.throttlingErrors,
		extrapolated: result.requests > BASELINE_SAMPLE[scenario],
	};
}

function client(emulator: EmulatorProcess) {
	return new MarketplaceMeteringClient({
		region: emulator.region,
		endpoint: emulator.url,
		credentials: { accessKeyId: DEFAULT_TEST_CREDENTIAL.accessKeyId, secretAccessKey: DEFAULT_TEST_CREDENTIAL.secretAccessKey },
	});
}

function argValue(name: string): string | undefined {
	const index = process.argv.indexOf(name);
	return index > 0 ? process.argv[index + 1] : undefined;
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
