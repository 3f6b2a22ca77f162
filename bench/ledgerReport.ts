import type { LedgerResults, MeterRow, RecordRow } from './ledger';
import { IDLE_SECONDS } from './ledgerRun';

// The stateless path's targets, as in the main table, and the ledger path's.
const CPU_TARGET_MICROS = 5;
const MEMORY_TARGET_MB = 300;
const LEDGER_CPU_FACTOR = 2;

export interface LedgerReportContext {
	latencyMs: number;
	concurrency: number;
}

/** The "Metering ledger" section of BENCHMARKS.md. */
export function renderLedgerSection(ledger: LedgerResults, context: LedgerReportContext): string[] {
	const stateless = ledger.meters.find((row) => row.path === 'stateless');
	const lines = [
		'## Metering ledger',
		'',
		`${ledger.events.toLocaleString('en-US')} usage events (${ledger.customers} customers, 3 products, 3 dimensions, 2 hours that closed an hour ago or more, each event with an event ID),`,
		'the same in every run. Each run is an execution of the compiled node in n8n-core’s WorkflowExecute, in a new process,',
		'after the same warm-up (a stateless run of 5,000 other events; the ledger opened once, so that it exists and is migrated).',
		'*Node CPU* is the process’s CPU time inside the node’s execute, as above: with the embedded ledger it includes PGlite,',
		'which runs PostgreSQL compiled to WebAssembly in a worker thread of the n8n process; PostgreSQL’s own server processes are',
		'measured apart (*server CPU*, all of its processes, from /proc). *Peak RSS* is the process’s at its highest during the run,',
		'*RSS growth* and *heap growth* (JavaScript heap of the main thread, garbage included) are over their level before it.',
		`Metering runs: the emulator with ${context.latencyMs} ms latency and no quota, the node with ${context.concurrency} parallel requests (scenario A).`,
		'',
		'### Record Usage of the events',
		'',
		'| store | events | wall | events/s | node CPU µs/event | server CPU µs/event | peak RSS | RSS growth | heap growth | outcome |',
		'|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
		...ledger.records.map((row) =>
			cells([
				storeName(row.store),
				count(row.events),
				formatMs(row.wallMs),
				count(Math.round(row.eventsPerSecond)),
				row.cpuMicrosPerEvent.toFixed(2),
				row.serverCpuMicrosPerEvent === undefined ? '– (in node CPU)' : row.serverCpuMicrosPerEvent.toFixed(2),
				mb(row.peakRssMb),
				mb(row.rssGrowthMb),
				mb(row.heapGrowthMb),
				outcome(row.statuses),
			]),
		),
		'',
		'### Batch Meter Usage from the ledger, and the stateless path',
		'',
		'Ledger: *Source* *Usage in the Ledger* after Record Usage above, one execution. Stateless: *Metering Ledger* none, the same',
		'events as input items. *Requests (min)*: the minimum is ceil(records / 25) per product. *Record + meter*: the ledger',
		'path’s node CPU from input to AWS, Record Usage’s included. *Targets*: the stateless path’s as in the table above; the',
		`ledger path’s: requests = minimum, node CPU within ${LEDGER_CPU_FACTOR} × the stateless path’s.`,
		'',
		'| path | events | records | requests (min) | wall | node CPU µs/event | × stateless | server CPU µs/event | record + meter µs/event | peak RSS | RSS growth | heap growth | billed quantity (expected) | targets |',
		'|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
		...ledger.meters.map((row) =>
			cells([
				row.path === 'stateless' ? 'stateless (no ledger)' : `from the ${storeName(row.path)} ledger`,
				count(row.events),
				count(row.records),
				`${count(row.requests)} (${row.minimumRequests})`,
				formatMs(row.wallMs),
				row.cpuMicrosPerEvent.toFixed(2),
				stateless ? (row.cpuMicrosPerEvent / stateless.cpuMicrosPerEvent).toFixed(2) : '',
				row.serverCpuMicrosPerEvent === undefined ? (row.path === 'embedded' ? '– (in node CPU)' : '') : row.serverCpuMicrosPerEvent.toFixed(2),
				row.recordAndMeterCpuMicrosPerEvent === undefined ? '' : row.recordAndMeterCpuMicrosPerEvent.toFixed(2),
				mb(row.peakRssMb),
				mb(row.rssGrowthMb),
				mb(row.heapGrowthMb),
				`${count(row.billedQuantity)} (${count(row.expectedQuantity)})`,
				meterVerdicts(row, stateless),
			]),
		),
		'',
		'### Record Usage, one event per execution',
		'',
		'What a webhook that records each event as it arrives costs: executions of one item each, one after the other, into the',
		'ledger above (the event stamped with the current time), the embedded ledger open from the warm-up on as in a running n8n.',
		`*After idle*: one more execution once the ledger closed for idleness (the runs set AWS_MARKETPLACE_METERING_LEDGER_IDLE_SECONDS=${IDLE_SECONDS}`,
		'and wait past it; the bench checks that the embedded ledger’s lock is gone), which opens it again.',
		'',
		'| store | executions | wall per execution | node CPU per execution | server CPU per execution | after idle: wall | after idle: node CPU | peak RSS | RSS growth | outcome |',
		'|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
		...ledger.perExecution.map((row) =>
			cells([
				storeName(row.store),
				count(row.executions),
				formatMs(row.wallMsPerExecution),
				formatMs(row.cpuMsPerExecution),
				row.serverCpuMsPerExecution === undefined ? '– (in node CPU)' : formatMs(row.serverCpuMsPerExecution),
				row.afterIdle ? formatMs(row.afterIdle.wallMs) : '',
				row.afterIdle ? formatMs(row.afterIdle.cpuMs) : '',
				mb(row.peakRssMb),
				mb(row.rssGrowthMb),
				outcome(row.statuses),
			]),
		),
		...ledger.skipped.map((skip) => `\nNot measured: the ${storeName(skip.store)} ledger: ${skip.reason}`),
		'',
		...findings(ledger),
	];
	return lines;
}

function meterVerdicts(row: MeterRow, stateless: MeterRow | undefined): string {
	const checks: string[] = [`requests ${row.requests === row.minimumRequests ? 'met' : 'MISSED'}`];
	if (row.billedQuantity !== row.expectedQuantity) checks.push('billed quantity WRONG');
	if (row.path === 'stateless') {
		checks.push(`cpu ${row.cpuMicrosPerEvent <= CPU_TARGET_MICROS ? 'met' : 'MISSED'}`);
		if (row.events >= 100_000) checks.push(`memory ${row.rssGrowthMb <= MEMORY_TARGET_MB ? 'met' : 'MISSED'}`);
	} else if (stateless) {
		checks.push(`within ${LEDGER_CPU_FACTOR}× stateless CPU ${row.cpuMicrosPerEvent <= LEDGER_CPU_FACTOR * stateless.cpuMicrosPerEvent ? 'met' : 'MISSED'}`);
	}
	return checks.join(', ');
}

/** What the figures say, with the measured values; the shares of time come from profiles (npm run bench -- --profile DIR). */
function findings(ledger: LedgerResults): string[] {
	const record = (store: string) => ledger.records.find((row) => row.store === store);
	const meter = (path: string) => ledger.meters.find((row) => row.path === path);
	const single = (store: string) => ledger.perExecution.find((row) => row.store === store);
	const stateless = meter('stateless');
	const lines = ['### Reading the ledger figures', ''];
	const embeddedRecord = record('embedded');
	const postgresRecord = record('postgres');
	const embeddedSingle = single('embedded');
	if (postgresRecord || embeddedRecord) {
		lines.push(
			`- **Record Usage** stores ${[postgresRecord, embeddedRecord]
				.filter((row): row is RecordRow => row !== undefined)
				.map((row) => `${count(Math.round(row.eventsPerSecond))} events/s into ${row.store === 'embedded' ? 'the embedded ledger' : 'PostgreSQL'}`)
				.join(' and ')} in one execution of`,
			`  ${count(ledger.events)} items. It validates every event as Batch Meter Usage does, then records them set-wise, 5,000 at a time`,
			'  (a few statements per part: each part inserts its events and adds them to the keys it touches, so keys that every',
			'  part touches are updated once per part; fewer, larger parts would cost less CPU and hold more memory).',
		);
		if (embeddedRecord) {
			lines.push(
				`- **The embedded ledger runs PostgreSQL inside the n8n process**: its node CPU (${embeddedRecord.cpuMicrosPerEvent.toFixed(0)} µs/event) is`,
				'  the same main-thread work plus PGlite’s worker thread, busy about as long as the main thread (two thirds of it',
				`  PostgreSQL in WebAssembly, the rest PGlite’s JavaScript: protocol, in-memory file system)${embeddedSingle ? `, and about ${formatMs(embeddedSingle.cpuMsPerExecution)} to start` : ''}`,
				`  ${embeddedSingle ? 'PGlite for the execution (below)' : 'PGlite starting for the execution'}. Its memory is in the process too: peak RSS ${mb(embeddedRecord.peakRssMb)}${postgresRecord ? ` against ${mb(postgresRecord.peakRssMb)} with PostgreSQL` : ''}.`,
			);
		}
		const measured = [postgresRecord, embeddedRecord].filter((row): row is RecordRow => row !== undefined);
		const over = measured.some((row) => row.rssGrowthMb > MEMORY_TARGET_MB);
		lines.push(
			`- **Memory of Record Usage**: the events go to the ledger 5,000 at a time (\`EVENTS_PER_PART\` in \`actions/recordUsage.operation.ts\`,`,
			'  one transaction each): a run holds one part’s events, validated events, ledger rows and answers, and the output',
			'  items n8n needs, one per input item, not every stage of every event; events of one hour share their output texts.',
			`  ${MEMORY_TARGET_MB} MB of RSS growth for 100k events is ${over ? 'exceeded' : 'met'} (${measured.map((row) => `${storeName(row.store)} ${mb(row.rssGrowthMb)}, heap ${mb(row.heapGrowthMb)}`).join('; ')}).`,
		);
	}
	if (stateless) {
		const ledgerMeters = ['postgres', 'embedded'].map(meter).filter((row): row is MeterRow => row !== undefined);
		if (ledgerMeters.length > 0) {
			const ratios = ledgerMeters.map((row) => `${storeName(row.path as 'embedded')} ${(row.cpuMicrosPerEvent / stateless.cpuMicrosPerEvent).toFixed(2)}×`).join(', ');
			lines.push(
				`- **Batch Meter Usage from the ledger against the stateless path** (${stateless.cpuMicrosPerEvent.toFixed(1)} µs/event): ${ratios} the stateless CPU.`,
				`  The ledger run reads no items and validates nothing (Record Usage did): it claims the ${count(ledgerMeters[0].records)} keys (their quantity`,
				'  frozen), sends them and settles them; most of its main-thread time is the AWS SDK’s (signing, serializing, parsing answers).',
			);
			const total = ledgerMeters.filter((row) => row.recordAndMeterCpuMicrosPerEvent !== undefined);
			if (total.length > 0) {
				lines.push(
					`  From input to AWS the ledger path costs Record Usage’s CPU as well: ${total
						.map((row) => `${storeName(row.path as 'embedded')} ${row.recordAndMeterCpuMicrosPerEvent!.toFixed(0)} µs/event (${(row.recordAndMeterCpuMicrosPerEvent! / stateless.cpuMicrosPerEvent).toFixed(1)}×)`)
						.join(', ')},`,
					'  the price of keeping every event so that each hour is sent once, complete, across runs; it is paid as events arrive.',
				);
			}
			const extra = ledgerMeters.filter((row) => row.requests > row.minimumRequests);
			if (extra.length > 0) {
				lines.push(
					`- **Requests above the minimum from the ledger** (${extra.map((row) => `${row.requests} for ${row.minimumRequests}`).join(', ')}): a run claims at most 2,500 keys at a time`,
					'  (`CLAIM_LIMIT` in `batch/ledgerMeter.ts`) and packs each claim on its own, so with more due keys than that every',
					'  further claim can add one part-filled request per product. The stateless path packs all the records at once.',
					'  The claims also run one after the other (claim, send, settle, claim again): the sending of one claim cannot',
					'  overlap the next.',
				);
			}
		}
	}
	if (embeddedSingle) {
		const postgresSingle = single('postgres');
		const ratio = postgresSingle ? embeddedSingle.wallMsPerExecution / postgresSingle.wallMsPerExecution : undefined;
		lines.push(
			`- **One event per execution** takes ${formatMs(embeddedSingle.wallMsPerExecution)} (${formatMs(embeddedSingle.cpuMsPerExecution)} of CPU) with the embedded ledger${postgresSingle ? `, ${formatMs(postgresSingle.wallMsPerExecution)} (${formatMs(postgresSingle.cpuMsPerExecution)}) with PostgreSQL: ${ratio!.toFixed(2)}× its wall` : ''}.`,
			'  The embedded ledger stays open in the process between executions (`ledger/pglite.ts`) and closes once idle; the',
			`  first execution after that opens it again: ${embeddedSingle.afterIdle ? `${formatMs(embeddedSingle.afterIdle.wallMs)} (${formatMs(embeddedSingle.afterIdle.cpuMs)} of CPU)` : 'not measured'}, PGlite’s worker started`,
			'  and PostgreSQL in WebAssembly started on the folder (the compiled module and file bundle are loaded once per process).',
		);
	}
	return lines;
}

function outcome(statuses: Record<string, number>): string {
	return Object.entries(statuses)
		.map(([status, n]) => `${count(n)} ${status}`)
		.join(', ');
}

function storeName(store: 'embedded' | 'postgres'): string {
	return store === 'embedded' ? 'embedded' : 'PostgreSQL';
}

function cells(values: string[]): string {
	return `| ${values.join(' | ')} |`;
}

function count(n: number): string {
	return n.toLocaleString('en-US');
}

function mb(value: number): string {
	return `${Math.max(0, value).toFixed(0)} MB`;
}

function formatMs(ms: number): string {
	return ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}
