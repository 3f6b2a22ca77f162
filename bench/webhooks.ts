// Webhook ingestion on real n8n (the e2e's n8n, installed under Node 24 in .e2e-cache, with this package's
// tarball as a community package): deliveries posted to n8n's server 10 at a time into Webhook → Record Usage
// with the embedded ledger and with the PostgreSQL ledger, into n8n's own Webhook → No Operation, and into the
// AWS Marketplace Trigger remembering deliveries in either ledger or in none, all in one n8n process and run.
// Every delivery must be recorded exactly once (checked in the ledgers and in n8n's stored executions);
// the timings are printed, not asserted. Also timed: the first delivery into a new embedded ledger (the
// trigger's, as EventBridge waits 5 s for an answer) and the first after the embedded ledger closed for idleness.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { openLedger, type MeteringLedger, type PostgresConnection } from '../nodes/shared/ledger';
import { EXAMPLE_CUSTOMERS, METERING_NODE_TYPE, TRIGGER_NODE_TYPE, triggerPath, usageEvent, type Workflow } from '../scripts/e2e/lib/examples';
import { storedExecutions } from '../scripts/e2e/lib/executions';
import { installedN8nVersion, type N8nServer } from '../scripts/e2e/lib/n8n';
import { prepareStack, type Stack } from '../scripts/e2e/lib/stack';
import { TriggerDriver } from '../scripts/e2e/lib/trigger';

const DELIVERIES = 200;
const AT_A_TIME = 10;
/**
 * Deliveries through every flow before any is measured: the first flow measured otherwise pays for n8n's and the
 * node's first runs (code compiled, modules loaded). Measured first without them, PostgreSQL's Record Usage came out
 * 4 % behind the embedded ledger's; measured second, 11-15 % ahead of it.
 */
const WARM_UP = 20;
/** The server's AWS_MARKETPLACE_METERING_LEDGER_IDLE_SECONDS: short, so that the bench can wait past it. */
const IDLE_SECONDS = 20;
/** EventBridge's and a typical sender's patience: the first deliveries must be answered within it. */
const ANSWER_WITHIN_MS = 5_000;
const LEDGER_CREDENTIAL = { id: 'benchLedger', name: 'Bench PostgreSQL ledger' };
/** A documented event the trigger passes on (it starts one execution per delivery). */
const TRIGGER_EXAMPLE = 'License Deprovisioned - Manufacturer';
/** After the embedded ledger's folder appears at activation: time for initdb and the schema to finish on a loaded machine. */
const ACTIVATION_MARGIN_MS = 20_000;

export type Flow = 'recordEmbedded' | 'recordPostgres' | 'noOp' | 'triggerEmbedded' | 'triggerPostgres' | 'triggerNone';

export interface FlowResult {
	flow: Flow;
	deliveries: number;
	wallMs: number;
	perSecond: number;
	p50Ms: number;
	p95Ms: number;
	/** Every delivery counted exactly once: ledger rows, stored executions (a figure for No Operation: nothing to count). */
	exactlyOnce: boolean;
	/** Deliveries not answered 200 (Record Usage: Recorded) before the sender gave up (the emulator, as EventBridge: 10 s). */
	notAnswered: number;
	detail: string;
}

export interface WebhookResults {
	n8nVersion: string;
	deliveries: number;
	atATime: number;
	flows: FlowResult[];
	/** The trigger's first delivery into a new embedded ledger, and the first Record Usage and trigger deliveries after its idle close. */
	firsts: { what: string; ms: number; status: number }[];
	idleSeconds: number;
	answerWithinMs: number;
	load: [number, number];
	failures: string[];
}

const FLOW_NAMES: Record<Flow, string> = {
	recordEmbedded: 'Webhook → Record Usage, embedded ledger',
	recordPostgres: 'Webhook → Record Usage, PostgreSQL ledger',
	noOp: 'Webhook → No Operation (n8n’s own)',
	triggerEmbedded: 'AWS Marketplace Trigger, deliveries in the embedded ledger',
	triggerPostgres: 'AWS Marketplace Trigger, deliveries in the PostgreSQL ledger',
	triggerNone: 'AWS Marketplace Trigger, no ledger',
};
export const flowName = (flow: Flow) => FLOW_NAMES[flow];

const WEBHOOK_FLOWS = ['recordEmbedded', 'recordPostgres', 'noOp'] as const;
const TRIGGER_FLOWS = { triggerEmbedded: 'embedded', triggerPostgres: 'postgres', triggerNone: 'none' } as const;

export async function runWebhookBench(log: (message: string) => void): Promise<WebhookResults> {
	const loadBefore = loadavg()[0];
	const postgres = startPostgres();
	const failures: string[] = [];
	try {
		const stack = await prepareStack({ log, extraWorkflows: (examples) => benchWorkflows(examples.lifecycle), publish: [] });
		await stack.n8n.importCredentials([{ ...LEDGER_CREDENTIAL, type: 'awsMarketplaceMeteringLedgerApi', data: postgres.connection }]);
		for (const flow of [...WEBHOOK_FLOWS, ...Object.keys(TRIGGER_FLOWS)]) await stack.n8n.publishWorkflow(workflowId(flow as Flow));
		const server = await stack.n8n.start({ env: { AWS_MARKETPLACE_METERING_LEDGER_IDLE_SECONDS: String(IDLE_SECONDS) } });
		const ledgerFolder = join(stack.n8n.n8nFolder, 'aws-marketplace-metering', 'ledger');
		const driver = new TriggerDriver(stack, server);
		const flows: FlowResult[] = [];
		const firsts: WebhookResults['firsts'] = [];
		try {
			for (const flow of WEBHOOK_FLOWS) await server.waitForWebhook(`/webhook/${webhookPathOf(flow)}`, 'POST');
			for (const flow of Object.keys(TRIGGER_FLOWS) as Flow[]) await server.waitForWebhook(triggerPath(triggerWorkflow(flow)), 'POST');
			// n8n registers a webhook before it runs the trigger's activation, which creates the embedded ledger: once the
			// database folder exists, a margin for initdb and the schema to finish.
			await waitForFile(join(ledgerFolder, 'pgdata', 'PG_VERSION'));
			await new Promise((resolve) => setTimeout(resolve, ACTIVATION_MARGIN_MS));
			const timed = async (what: string, deliver: () => Promise<number>) => {
				const started = performance.now();
				const status = await deliver();
				firsts.push({ what, ms: performance.now() - started, status });
			};
			// The emulator answers 502 when the trigger did not answer in time (10 s): a delivery that failed.
			const triggerDelivery = (flow: Flow) => async () => (await driver.eventBridge(triggerWorkflow(flow), TRIGGER_EXAMPLE).catch(() => ({ status: 0 }))).status;
			// Activating the embedded trigger's workflow created the ledger (nodes/AwsMarketplaceTrigger/activation.ts).
			await timed('the trigger’s first delivery into a new embedded ledger (created as n8n activated the workflow)', triggerDelivery('triggerEmbedded'));
			// The first Record Usage delivery finds the ledger open (the trigger opened it).
			const recordIds = new Map<Flow, string[]>();
			const allFlows = [...WEBHOOK_FLOWS, ...(Object.keys(TRIGGER_FLOWS) as Flow[])];
			const deliverer = (flow: Flow, ids: string[], prefix: string) =>
				flow in TRIGGER_FLOWS ? triggerDelivery(flow) : async (index: number) => await postUsage(server, flow, `${prefix}-${index}`, ids);
			log(`Warming up: ${WARM_UP} deliveries through each flow, not measured`);
			for (const flow of allFlows) await burst(deliverer(flow, [], `${flow}-warm-up`), WARM_UP);
			for (const flow of allFlows) {
				log(`${flowName(flow)}: ${DELIVERIES} deliveries, ${AT_A_TIME} at a time`);
				const ids: string[] = [];
				const { wallMs, latencies, statuses } = await burst(deliverer(flow, ids, flow), DELIVERIES);
				recordIds.set(flow, ids);
				flows.push({ flow, deliveries: DELIVERIES, wallMs, perSecond: (DELIVERIES / wallMs) * 1000, p50Ms: percentile(latencies, 0.5), p95Ms: percentile(latencies, 0.95), exactlyOnce: true, notAnswered: statuses.filter((status) => status !== 200).length, detail: flow === 'noOp' ? 'nothing to count' : '' });
			}
			// Past the idle time the embedded ledger closes (its lock gone); the next deliveries open it again.
			await new Promise((resolve) => setTimeout(resolve, (IDLE_SECONDS + 2) * 1000));
			if (existsSync(join(ledgerFolder, 'ledger.lock'))) failures.push('the embedded ledger did not close once idle');
			await timed('Record Usage’s first delivery after the embedded ledger’s idle close', async () => await postUsage(server, 'recordEmbedded', 'recordEmbedded-after-idle', recordIds.get('recordEmbedded')!));
			await new Promise((resolve) => setTimeout(resolve, (IDLE_SECONDS + 2) * 1000));
			await timed('the trigger’s first delivery after the embedded ledger’s idle close', triggerDelivery('triggerEmbedded'));
			for (const first of firsts) if (first.status !== 200) failures.push(`${first.what}: HTTP ${first.status}`);
			// Every trigger delivery started one execution (the timed ones included).
			for (const flow of Object.keys(TRIGGER_FLOWS) as Flow[]) {
				const expected = WARM_UP + DELIVERIES + (flow === 'triggerEmbedded' ? 2 : 0);
				const executions = await waitForExecutions(stack, workflowId(flow), expected);
				const row = flows.find((candidate) => candidate.flow === flow)!;
				row.exactlyOnce &&= executions === expected;
				row.detail = `${executions} executions for ${expected} deliveries`;
			}
		} finally {
			await server.stop();
		}
		// Every Record Usage delivery is one event in its ledger, counted once.
		for (const [flow, ledger] of [
			['recordEmbedded', await openLedger({ store: 'embedded', folder: ledgerFolder, idleMs: 0 })],
			['recordPostgres', await openLedger({ store: 'postgres', connection: postgres.connection })],
		] as [Flow, MeteringLedger][]) {
			try {
				const events = (await ledger.report()).reduce((sum, row) => sum + row.events, 0);
				const row = flows.find((candidate) => candidate.flow === flow)!;
				const expected = WARM_UP + DELIVERIES + (flow === 'recordEmbedded' ? 1 : 0);
				row.exactlyOnce &&= events === expected;
				row.detail = `${events} events in the ledger for ${expected} deliveries`;
			} finally {
				await ledger.close();
			}
		}
		for (const row of flows) if (!row.exactlyOnce) failures.push(`${flowName(row.flow)}: not every delivery counted exactly once (${row.detail})`);
		await stack.emulator.stop();
		return { n8nVersion: installedN8nVersion(), deliveries: DELIVERIES, atATime: AT_A_TIME, flows, firsts, idleSeconds: IDLE_SECONDS, answerWithinMs: ANSWER_WITHIN_MS, load: [loadBefore, loadavg()[0]], failures };
	} finally {
		postgres.stop();
	}
}

/** Deliveries `AT_A_TIME` at a time until `count` are answered: wall time, each one's latency and HTTP status. */
async function burst(deliver: (index: number) => Promise<number>, count: number) {
	const latencies: number[] = [];
	const statuses: number[] = [];
	let next = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: AT_A_TIME }, async () => {
			while (next < count) {
				const index = next++;
				const sent = performance.now();
				statuses.push(await deliver(index));
				latencies.push(performance.now() - sent);
			}
		}),
	);
	return { wallMs: performance.now() - started, latencies, statuses };
}

function percentile(values: number[], share: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)];
}

/** Posts one usage event (the hour in progress) to a webhook flow; a Record Usage flow must answer it Recorded. */
async function postUsage(server: N8nServer, flow: Flow, eventId: string, ids: string[]): Promise<number> {
	ids.push(eventId);
	const response = await fetch(`${server.url}/webhook/${webhookPathOf(flow)}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(usageEvent(eventId, EXAMPLE_CUSTOMERS.acme, 'api_calls', 1, new Date())),
		signal: AbortSignal.timeout(120_000),
	}).catch(() => undefined);
	if (!response) return 0;
	const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
	if (flow !== 'noOp' && answer.status !== 'Recorded') return 0;
	return response.status;
}

async function waitForFile(path: string): Promise<void> {
	const deadline = Date.now() + 300_000;
	while (!existsSync(path)) {
		if (Date.now() > deadline) throw new Error(`${path} did not appear`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

async function waitForExecutions(stack: Stack, id: string, expected: number): Promise<number> {
	const deadline = Date.now() + 120_000;
	for (;;) {
		const executions = (await storedExecutions(stack.n8n.n8nFolder, id)).filter((execution) => execution.status === 'success');
		if (executions.length >= expected || Date.now() > deadline) return executions.length;
		await new Promise((resolve) => setTimeout(resolve, 1000));
	}
}

const workflowId = (flow: Flow) => `bench${flow[0].toUpperCase()}${flow.slice(1)}`;
const webhookPathOf = (flow: Flow) => `bench/${flow}`;
const triggerWorkflows = new Map<Flow, Workflow>();
const triggerWorkflow = (flow: Flow) => triggerWorkflows.get(flow)!;

/** The flows, built from the lifecycle example's trigger (its webhook credential) and the ledger-ingest example's mapping. */
function benchWorkflows(lifecycle: Workflow): Workflow[] {
	const webhook = (flow: Flow) => ({
		id: `${flow}-webhook`,
		name: 'Usage event',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: `bench-${flow}`,
		parameters: { httpMethod: 'POST', path: webhookPathOf(flow), responseMode: 'lastNode', options: {} },
	});
	const field = (name: string) => `={{ $json.body.${name} }}`;
	const last = (flow: Flow) =>
		flow === 'noOp'
			? { id: `${flow}-noop`, name: 'No Operation', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} }
			: {
					id: `${flow}-record`,
					name: 'Record Usage',
					type: METERING_NODE_TYPE,
					typeVersion: 1,
					position: [220, 0],
					parameters: {
						operation: 'recordUsage',
						ledger: flow === 'recordEmbedded' ? 'embedded' : 'postgres',
						...Object.fromEntries(['customerAWSAccountId', 'licenseArn', 'productCode', 'dimension', 'quantity', 'timestamp', 'eventId'].map((name) => [name, field(name)])),
						options: {},
					},
					...(flow === 'recordPostgres' ? { credentials: { awsMarketplaceMeteringLedgerApi: LEDGER_CREDENTIAL } } : {}),
				};
	const webhookFlows = WEBHOOK_FLOWS.map((flow) => ({
		id: workflowId(flow),
		name: `Bench: ${flowName(flow)}`,
		nodes: [webhook(flow), last(flow)],
		connections: { 'Usage event': { main: [[{ node: last(flow).name, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	})) as unknown as Workflow[];
	const example = lifecycle.nodes.find((candidate) => candidate.type === TRIGGER_NODE_TYPE)!;
	const triggers = (Object.entries(TRIGGER_FLOWS) as [Flow, string][]).map(([flow, ledger]) => {
		const trigger = structuredClone(example);
		trigger.id = `${flow}-trigger`;
		trigger.webhookId = `bench-${flow}`;
		trigger.parameters = { ...trigger.parameters, ledger };
		if (ledger === 'postgres') trigger.credentials = { ...trigger.credentials, awsMarketplaceMeteringLedgerApi: LEDGER_CREDENTIAL };
		const workflow = { id: workflowId(flow), name: `Bench: ${flowName(flow)}`, nodes: [trigger], connections: {}, settings: { executionOrder: 'v1' } } as Workflow;
		triggerWorkflows.set(flow, workflow);
		return workflow;
	});
	return [...webhookFlows, ...triggers];
}

/** A throwaway PostgreSQL (scripts/postgres), as the ledger scenarios use. */
function startPostgres(): { connection: PostgresConnection & Record<string, unknown>; stop(): void } {
	const scripts = join(__dirname, '..', 'scripts', 'postgres');
	const folder = mkdtempSync(join(tmpdir(), 'bench-webhooks-postgres-'));
	const output = execFileSync('bash', [join(scripts, 'start.sh'), folder], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 });
	const url = new URL(output.trim().split('\n').pop()!);
	return {
		connection: {
			host: url.hostname,
			port: Number(url.port),
			database: decodeURIComponent(url.pathname.slice(1)),
			user: decodeURIComponent(url.username),
			password: decodeURIComponent(url.password),
			ssl: 'disable',
		},
		stop: () => {
			execFileSync('bash', [join(scripts, 'stop.sh'), folder], { stdio: 'inherit' });
			rmSync(folder, { recursive: true, force: true });
		},
	};
}
