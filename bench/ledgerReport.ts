import type { LedgerResults, MeterRow, RecordRow } from './ledger';

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
		'ledger above (the event stamped with the current time).',
		'',
		'| store | executions | wall per execution | node CPU per execution | server CPU per execution | peak RSS | RSS growth | outcome |',
		'|---|---:|---:|---:|---:|---:|---:|---|',
		...ledger.perExecution.map((row) =>
			cells([
				storeName(row.store),
				count(row.executions),
				formatMs(row.wallMsPerExecution),
				formatMs(row.cpuMsPerExecution),
				row.serverCpuMsPerExecution === undefined ? '– (in node CPU)' : formatMs(row.serverCpuMsPerExecution),
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
			`  ${count(ledger.events)} items. It validates every event as Batch Meter Usage does, then records them set-wise (a few statements`,
			'  whatever the number of events). Profile of the PostgreSQL run’s main thread: garbage collection about 30%; the',
			'  ledger’s recording code about 30% (`ledger/recordEvents.ts`: a series key string per event, grouping, and',
			'  `insertEvents` filling seven column arrays, where `Date.toISOString` per event, about 1.7 µs each, is the largest',
			'  single cost); validation about 11% (the same checks as the stateless path); turning validated events into ledger rows',
			'  about 10% (`batch/ledgerRecord.ts`: object spreads per event, among them a copy of all the settings per event for the',
			'  validation call); pg serializing the arrays about 5%; the output items (a note string per event) about 3%.',
		);
		if (embeddedRecord) {
			lines.push(
				`- **The embedded ledger runs PostgreSQL inside the n8n process**: its node CPU (${embeddedRecord.cpuMicrosPerEvent.toFixed(0)} µs/event) is`,
				'  the same main-thread work plus PGlite’s worker thread, busy about as long as the main thread (two thirds of it',
				`  PostgreSQL in WebAssembly, the rest PGlite’s JavaScript: protocol, in-memory file system)${embeddedSingle ? `, and about ${formatMs(embeddedSingle.cpuMsPerExecution)} to start` : ''}`,
				`  ${embeddedSingle ? 'PGlite for the execution (below)' : 'PGlite starting for the execution'}. Its memory is in the process too: peak RSS ${mb(embeddedRecord.peakRssMb)}${postgresRecord ? ` against ${mb(postgresRecord.peakRssMb)} with PostgreSQL` : ''}.`,
			);
		}
		if (postgresRecord) {
			const over = postgresRecord.rssGrowthMb > MEMORY_TARGET_MB || (embeddedRecord?.rssGrowthMb ?? 0) > MEMORY_TARGET_MB;
			lines.push(
				`- **Memory of Record Usage**: heap growth ${mb(postgresRecord.heapGrowthMb)} for ${count(ledger.events)} events${stateless ? ` (the stateless path: ${mb(stateless.heapGrowthMb)})` : ''}: one object per event at`,
				'  each stage (item, event, validated event, ledger row, series, answer, outcome, output item), kept until the execution',
				`  ends. The stateless path’s yardstick, ${MEMORY_TARGET_MB} MB of RSS growth for 100k events, is ${over ? 'exceeded' : 'met'} (${[postgresRecord, embeddedRecord]
					.filter((row): row is RecordRow => row !== undefined)
					.map((row) => `${storeName(row.store)} ${mb(row.rssGrowthMb)}`)
					.join(', ')}).`,
			);
		}
	}
	if (stateless) {
		const ledgerMeters = ['postgres', 'embedded'].map(meter).filter((row): row is MeterRow => row !== undefined);
		if (ledgerMeters.length > 0) {
			const ratios = ledgerMeters.map((row) => `${storeName(row.path as 'embedded')} ${(row.cpuMicrosPerEvent / stateless.cpuMicrosPerEvent).toFixed(2)}×`).join(', ');
			const embeddedMeter = meter('embedded');
			lines.push(
				`- **Batch Meter Usage from the ledger against the stateless path** (${stateless.cpuMicrosPerEvent.toFixed(1)} µs/event): ${ratios} the stateless CPU.`,
				`  The ledger run reads no items and validates nothing (Record Usage did): it claims the ${count(ledgerMeters[0].records)} keys (their quantity`,
				'  frozen), sends them and settles them; most of its main-thread time is the AWS SDK’s (signing, serializing, parsing answers).',
			);
			if (embeddedMeter && embeddedSingle) {
				const open = (embeddedSingle.cpuMsPerExecution * 1000) / embeddedMeter.events;
				lines.push(
					`  From the embedded ledger, about ${formatMs(embeddedSingle.cpuMsPerExecution)} of it (${open.toFixed(1)} µs/event at ${count(embeddedMeter.events)} events) is opening PGlite, what an`,
					`  execution of one event costs (next table); the rest, about ${(embeddedMeter.cpuMicrosPerEvent - open).toFixed(1)} µs/event, is ${((embeddedMeter.cpuMicrosPerEvent - open) / stateless.cpuMicrosPerEvent).toFixed(2)}× the stateless CPU. The`,
					'  ratio depends on how many events one execution meters: the opening costs the same for few events as for many.',
				);
			}
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
		lines.push(
			`- **One event per execution** takes ${formatMs(embeddedSingle.wallMsPerExecution)} and ${formatMs(embeddedSingle.cpuMsPerExecution)} of CPU with the embedded ledger${postgresSingle ? `, ${formatMs(postgresSingle.wallMsPerExecution)} and ${formatMs(postgresSingle.cpuMsPerExecution)} of CPU with PostgreSQL` : ''}.`,
			'  Every execution opens the embedded ledger and closes it at the end (`ledger/pglite.ts` shares one database only',
			'  between executions that overlap): a new worker thread, PGlite loaded, its file bundle unpacked and PostgreSQL started',
			'  in WebAssembly, before the first statement (profile of the worker: PostgreSQL in WebAssembly about 40%, PGlite’s',
			'  file system about 20%, the thread’s own start about 10%, garbage collection about 9%; more CPU goes to',
			'  V8’s background threads, outside the profile). A webhook that records events one by one into the embedded ledger',
			`  manages about ${(1000 / embeddedSingle.cpuMsPerExecution).toFixed(1)} events per second per core; events batched into one execution, or the database kept`,
			'  open between executions, avoid it. With PostgreSQL each execution opens a connection pool (SCRAM authentication)',
			'  and checks the schema.',
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
