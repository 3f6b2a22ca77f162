import type { LedgerResults } from './ledger';
import { flowName, type WebhookResults } from './webhooks';

// The targets of the ledger's and the node's speed and memory, each with this run's figure, and the figures
// of the code before a change (`--before FILE`) beside this run's.

export interface TargetsInput {
	/** The stateless path at 100k events in scenario A (the main table), when measured. */
	statelessA?: { cpuMicrosPerEvent?: number; events: number };
	ledger?: LedgerResults;
	webhooks?: WebhookResults;
}

const CPU_TARGET_MICROS = 5;
const MEMORY_TARGET_MB = 300;

export function renderTargets({ statelessA, ledger, webhooks }: TargetsInput): string[] {
	const rows: [string, string, boolean | undefined][] = [];
	const single = (store: string) => ledger?.perExecution.find((row) => row.store === store);
	const embedded = single('embedded');
	const postgres = single('postgres');
	if (embedded && postgres) {
		const ratio = embedded.wallMsPerExecution / postgres.wallMsPerExecution;
		rows.push([
			'Record Usage, one event per execution: embedded wall ≤ 2 × PostgreSQL’s',
			`${ms(embedded.wallMsPerExecution)} against ${ms(postgres.wallMsPerExecution)}: ${ratio.toFixed(2)}×`,
			ratio <= 2,
		]);
		if (embedded.afterIdle) {
			rows.push(['… the first execution after the idle close (reported)', `embedded ${ms(embedded.afterIdle.wallMs)} (${ms(embedded.afterIdle.cpuMs)} CPU)${postgres.afterIdle ? `, PostgreSQL ${ms(postgres.afterIdle.wallMs)}` : ''}`, undefined]);
		}
	}
	const created = (ledger?.records ?? []).filter((row) => row.createMs !== undefined);
	if (created.length > 0) {
		rows.push(['… creating a new ledger, what the first execution into it waits for (reported)', created.map((row) => `${row.store === 'embedded' ? 'embedded' : 'PostgreSQL'} ${ms(row.createMs!)}`).join(', '), undefined]);
	}
	for (const row of ledger?.records ?? []) {
		rows.push([`Record Usage of ${count(row.events)} events, ${row.store === 'embedded' ? 'embedded' : 'PostgreSQL'}: RSS growth ≤ ${MEMORY_TARGET_MB} MB`, `${mb(row.rssGrowthMb)} (peak ${mb(row.peakRssMb)})`, row.rssGrowthMb <= MEMORY_TARGET_MB]);
	}
	const stateless = ledger?.meters.find((row) => row.path === 'stateless');
	for (const [what, figure] of [
		['scenario A', statelessA],
		['ledger scenarios’ events', stateless],
	] as const) {
		if (figure?.cpuMicrosPerEvent === undefined || figure.events < 100_000) continue;
		rows.push([`Stateless Batch Meter Usage, ${count(figure.events)} events (${what}): ≤ ${CPU_TARGET_MICROS} µs node CPU per event`, `${figure.cpuMicrosPerEvent.toFixed(2)} µs`, figure.cpuMicrosPerEvent <= CPU_TARGET_MICROS]);
	}
	for (const row of ledger?.meters ?? []) {
		if (row.path === 'stateless') continue;
		rows.push([`Batch Meter Usage from the ${row.path === 'embedded' ? 'embedded' : 'PostgreSQL'} ledger: requests = minimum`, `${row.requests} (minimum ${row.minimumRequests})`, row.requests === row.minimumRequests]);
	}
	if (webhooks) {
		const flow = (name: string) => webhooks.flows.find((row) => row.flow === name);
		for (const [kind, embeddedFlow, postgresFlow, baseline] of [
			['Webhook → Record Usage', 'recordEmbedded', 'recordPostgres', 'noOp'],
			['AWS Marketplace Trigger', 'triggerEmbedded', 'triggerPostgres', 'triggerNone'],
		] as const) {
			const [e, p, b] = [flow(embeddedFlow), flow(postgresFlow), flow(baseline)];
			if (!e || !p || !b) continue;
			rows.push([`Real n8n, ${kind}: embedded throughput ≥ 0.9 × PostgreSQL’s`, `${e.perSecond.toFixed(1)}/s against ${p.perSecond.toFixed(1)}/s: ${(e.perSecond / p.perSecond).toFixed(2)}×`, e.perSecond >= 0.9 * p.perSecond]);
			rows.push([`Real n8n, ${kind}: embedded throughput ≥ 0.5 × ${flowName(baseline)}`, `${e.perSecond.toFixed(1)}/s against ${b.perSecond.toFixed(1)}/s: ${(e.perSecond / b.perSecond).toFixed(2)}×`, e.perSecond >= 0.5 * b.perSecond]);
		}
		for (const first of webhooks.firsts) rows.push([`Real n8n, ${first.what}: answered within ${webhooks.answerWithinMs / 1000} s`, `${ms(first.ms)} (HTTP ${first.status})`, first.ms <= webhooks.answerWithinMs && first.status === 200]);
		rows.push(['Real n8n: every delivery counted exactly once (asserted)', webhooks.failures.length === 0 ? 'yes' : webhooks.failures.join('; '), webhooks.failures.length === 0]);
	}
	return [
		'## Targets',
		'',
		'| target | this run | |',
		'|---|---|---|',
		...rows.map(([target, figure, met]) => `| ${target} | ${figure} | ${met === undefined ? '' : met ? 'met' : 'MISSED'} |`),
	];
}

/** Real n8n's webhook ingestion, as measured by bench/webhooks.ts. */
export function renderWebhooks(webhooks: WebhookResults): string[] {
	return [
		'## Webhook ingestion on real n8n',
		'',
		`n8n ${webhooks.n8nVersion} (\`n8n start\`, SQLite, Node 24), this package’s tarball installed as a community package, as the e2e`,
		`installs it (\`scripts/e2e/lib\`), run by \`npm run bench\` (bench/webhooks.ts) rather than the e2e: the figures belong with the`,
		`others, and the e2e asserts behaviour, not time. ${webhooks.deliveries} deliveries per flow, ${webhooks.atATime} at a time, one flow after the other`,
		'in the same n8n process: Webhook (answering with the last node’s output) → Record Usage of one event in the hour in',
		'progress, and n8n’s own Webhook → No Operation; the AWS Marketplace Trigger’s deliveries, posted by the emulator as',
		'EventBridge’s API destination does, each remembered in the ledger (or not). *Latency*: from the request to the answer.',
		`The server keeps the embedded ledger open between executions; it runs with AWS_MARKETPLACE_METERING_LEDGER_IDLE_SECONDS=${webhooks.idleSeconds}`,
		'so that the bench can wait past it for the first deliveries after the idle close. Exactly once: each Record Usage event',
		'is one event in its ledger; each trigger delivery is one successful execution in n8n’s database (a delivery answered',
		'too late is a figure, *not answered in time*: EventBridge would deliver it again and the trigger ignore it). The embedded ledger',
		'is created as n8n activates the trigger’s workflow at start, before any delivery; a Webhook → Record Usage workflow',
		'alone would create it with its first execution (*creating a new ledger* in the targets). The first trigger delivery',
		'is sent once the trigger’s webhook is registered and 20 s after the ledger’s folder appeared, so that activation has ended.',
		'Then a warm-up of 20 deliveries through each flow, not measured (counted in exactly once): the first flow measured would',
		'otherwise pay for n8n’s and the node’s first runs.',
		`Load average (1 min) when it started and ended: ${webhooks.load.map((value) => value.toFixed(1)).join(' and ')}.`,
		'',
		'| flow | deliveries | wall | deliveries/s | p50 latency | p95 latency | not answered in time | exactly once |',
		'|---|---:|---:|---:|---:|---:|---:|---|',
		...webhooks.flows.map((row) => `| ${flowName(row.flow)} | ${row.deliveries} | ${ms(row.wallMs)} | ${row.perSecond.toFixed(1)} | ${ms(row.p50Ms)} | ${ms(row.p95Ms)} | ${row.notAnswered ?? '–'} | ${row.exactlyOnce ? 'yes' : 'NO'}: ${row.detail} |`),
		'',
		'| first delivery | answered in | HTTP |',
		'|---|---:|---:|',
		...webhooks.firsts.map((first) => `| ${first.what} | ${ms(first.ms)} | ${first.status} |`),
	];
}

export interface BeforeFigures {
	source: { commit: string };
	date: string;
	load: [number, number];
	statelessA?: { cpuMicrosPerEvent?: number; memoryGrowthMb?: number };
	ledger?: LedgerResults;
}

/** This run's figures of what the change touched beside the code's before it, measured in the same session. */
export function renderBeforeAfter(before: BeforeFigures, after: BeforeFigures): string[] {
	const rows: [string, string, string][] = [];
	const pair = (what: string, get: (run: BeforeFigures) => string | undefined) => {
		const [b, a] = [get(before), get(after)];
		if (b !== undefined || a !== undefined) rows.push([what, b ?? '–', a ?? '–']);
	};
	pair('Stateless Batch Meter Usage, 100k events (scenario A): node CPU µs/event', (run) => run.statelessA?.cpuMicrosPerEvent?.toFixed(2));
	pair('Stateless Batch Meter Usage, 100k events (ledger scenarios): node CPU µs/event', (run) => run.ledger?.meters.find((row) => row.path === 'stateless')?.cpuMicrosPerEvent.toFixed(2));
	for (const store of ['embedded', 'postgres'] as const) {
		const name = store === 'embedded' ? 'embedded' : 'PostgreSQL';
		const record = (run: BeforeFigures) => run.ledger?.records.find((row) => row.store === store);
		pair(`Record Usage of 100k events, ${name}: RSS growth (peak RSS)`, (run) => (record(run) ? `${mb(record(run)!.rssGrowthMb)} (${mb(record(run)!.peakRssMb)})` : undefined));
		pair(`Record Usage of 100k events, ${name}: heap growth`, (run) => (record(run) ? mb(record(run)!.heapGrowthMb) : undefined));
		pair(`Record Usage of 100k events, ${name}: wall, node CPU µs/event`, (run) => (record(run) ? `${ms(record(run)!.wallMs)}, ${record(run)!.cpuMicrosPerEvent.toFixed(1)}` : undefined));
		const meter = (run: BeforeFigures) => run.ledger?.meters.find((row) => row.path === store);
		pair(`Batch Meter Usage from the ${name} ledger: requests (minimum)`, (run) => (meter(run) ? `${meter(run)!.requests} (${meter(run)!.minimumRequests})` : undefined));
		const single = (run: BeforeFigures) => run.ledger?.perExecution.find((row) => row.store === store);
		pair(`Record Usage, one event per execution, ${name}: wall (node CPU)`, (run) => (single(run) ? `${ms(single(run)!.wallMsPerExecution)} (${ms(single(run)!.cpuMsPerExecution)})` : undefined));
	}
	return [
		'## Before and after',
		'',
		`Before: commit ${before.source.commit}, measured ${before.date.slice(0, 16).replace('T', ' ')} UTC in the same session (load average ${before.load.map((value) => value.toFixed(1)).join(' and ')}).`,
		`After: this run (commit ${after.source.commit}).`,
		'',
		'| figure | before | after |',
		'|---|---:|---:|',
		...rows.map(([what, b, a]) => `| ${what} | ${b} | ${a} |`),
	];
}

function count(n: number): string {
	return n.toLocaleString('en-US');
}

function mb(value: number): string {
	return `${Math.max(0, value).toFixed(0)} MB`;
}

function ms(value: number): string {
	return value >= 10_000 ? `${(value / 1000).toFixed(0)} s` : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
}
