// The metering ledger's scenario on real n8n: usage events posted to the usage example's ingest webhook at hours
// placed relative to the hour in progress when it starts (H-5 … H+1), the hourly runs' records and reports read as
// "Acme api_calls H-5 150", and what the emulator must have billed so far.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

import type { RequestLogEntry } from '../../../emulator';
import { EXAMPLE_CUSTOMERS, postJson, usageEvent, type ExampleCustomer } from '../../../scripts/e2e/lib/examples';
import type { N8nRun, N8nServer } from '../../../scripts/e2e/lib/n8n';
import type { Stack } from '../../../scripts/e2e/lib/stack';
import { usageRecordsSent } from '../../../scripts/e2e/lib/usageRecords';
import { HOUR_MS, type Json } from './context';

/** The hourly example's test copy (ledger.ts): hours close at once, short lease. */
export const LEDGER_HOURLY_ID = 'mpLedgerHourlyE2e';
export const LEDGER_REPORT_ID = 'mpLedgerReportE2e';

export const customerNames = new Map<string, string>(Object.values(EXAMPLE_CUSTOMERS).map((customer) => [customer.licenseArn, customer.name]));

/** What the ingest webhook must answer for one event: its status, and the hour it counts in (hours before H). */
export type Expected = [eventId: string, status: string, hoursAgo?: number, carriedFromHoursAgo?: number];

export class LedgerScenario {
	/** The start of the hour in progress when the scenario starts: events are placed relative to it. */
	readonly start = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
	/** What the emulator must have billed, by its billing key: grows with every run. */
	private readonly expected = new Map<string, number>();
	/** Every usage event posted, in order, repeats included. */
	readonly posted: Json[] = [];

	constructor(
		private readonly stack: Stack,
		private readonly server: N8nServer,
	) {}

	hour(hoursAgo: number): string {
		return new Date(this.start - hoursAgo * HOUR_MS).toISOString();
	}

	/** H-5, H-0, H+1: the hour relative to the one in progress at the start. */
	label(hour: string | Date): string {
		const hoursAgo = Math.round((this.start - new Date(hour).getTime()) / HOUR_MS);
		return hoursAgo > 0 ? `H-${hoursAgo}` : `H+${-hoursAgo}`;
	}

	/** hoursAgo 0: the hour in progress now (which may have moved on since the start). */
	hoursAgoNow(): number {
		return Math.round((this.start - Math.floor(Date.now() / HOUR_MS) * HOUR_MS) / HOUR_MS);
	}

	event(eventId: string, customer: ExampleCustomer, dimension: string, hoursAgo: number, minute: number, quantity: number): Json {
		// The hour in progress: now.
		const timestamp = hoursAgo <= 0 ? new Date() : new Date(this.start - hoursAgo * HOUR_MS + minute * 60_000);
		return usageEvent(eventId, customer, dimension, quantity, timestamp);
	}

	/** POSTs usage events to the ingest webhook and expects what becomes of each one. */
	async ingest(body: Json | Json[], expected: Expected[]): Promise<{ answer: Json; answeredAt: number }> {
		this.posted.push(...(Array.isArray(body) ? body : [body]));
		const { status, json, text } = await postJson(this.server.url, this.stack.workflows.usage, body);
		const answeredAt = Date.now();
		expect({ status, text: status === 200 ? '' : text }).toEqual({ status: 200, text: '' });
		const results = (json.results ?? []) as Json[];
		expect(results.map((result) => [result.eventId, result.status, result.hour ? this.label(String(result.hour)) : null, result.carriedFrom ? this.label(String(result.carriedFrom)) : null])).toEqual(
			expected.map(([eventId, eventStatus, hoursAgo, carriedFrom]) => [
				eventId,
				eventStatus,
				hoursAgo === undefined ? null : this.label(this.hour(hoursAgo)),
				carriedFrom === undefined ? null : this.label(this.hour(carriedFrom)),
			]),
		);
		const count = (eventStatus: string) => expected.filter(([, candidate]) => candidate === eventStatus).length;
		// The answer counts them.
		expect([json.received, json.recorded, json.duplicates, json.afterFinalReport, json.invalid]).toEqual([
			expected.length,
			count('Recorded'),
			count('DuplicateEvent'),
			count('AfterFinalReport'),
			count('Invalid'),
		]);
		return { answer: json, answeredAt };
	}

	/** Runs the hourly workflow with `n8n execute`; answers the run and the usage records the emulator received. */
	async meter(): Promise<{ run: N8nRun; sent: string[] }> {
		const { emulator, n8n } = this.stack;
		const logStart = emulator.log.length;
		const run = await n8n.execute(LEDGER_HOURLY_ID);
		return { run, sent: this.recordsIn(emulator.log.slice(logStart)) };
	}

	/** The usage records of BatchMeterUsage requests, as "Acme api_calls H-5 150". */
	recordsIn(entries: RequestLogEntry[]): string[] {
		return usageRecordsSent(entries)
			.map((record) => `${customerNames.get(String(record.LicenseArn)) ?? String(record.LicenseArn)} ${record.Dimension} ${this.label(record.Timestamp)} ${String(record.Quantity)}`)
			.sort();
	}

	/** An item Batch Meter Usage or Meter Open Hours Now put out for a key, as "Acme api_calls H-5 150". */
	keyLabel(item: Json): string {
		const details = (item.details ?? item) as Json;
		const record = details.usageRecord as Json | null;
		return `${customerNames.get(String(details.licenseArn)) ?? String(details.licenseArn)} ${String(details.dimension)} ${this.label(String(details.hour))} ${record ? String(record.Quantity) : '-'}`;
	}

	label3(customer: ExampleCustomer, dimension: string, hoursAgo: number, quantity: number): string {
		return `${customer.name} ${dimension} ${this.label(this.hour(hoursAgo))} ${quantity}`;
	}

	/** These keys are billed from now on; expects the emulator's billing to be exactly what was expected so far. */
	billed(keys: Array<[ExampleCustomer, string, number, number]>): void {
		for (const [customer, dimension, hoursAgo, quantity] of keys) {
			this.expected.set(`${customer.licenseArn}|${customer.customerAWSAccountId}|${dimension}|${this.hour(hoursAgo)}`, quantity);
		}
		const actual = Object.entries(this.stack.emulator.stats().billed).map(([key, { quantity }]) => `${this.billingLabel(key)} ${quantity}`);
		const expected = [...this.expected].map(([key, quantity]) => `${this.billingLabel(key)} ${quantity}`);
		expect(actual.sort()).toEqual(expected.sort());
	}

	private billingLabel(key: string): string {
		const [license, , dimension, hour] = key.split('|');
		return `${customerNames.get(license) ?? license} ${dimension} ${this.label(hour)}`;
	}

	expectedBilling(): Map<string, number> {
		return this.expected;
	}
}

export function describeExpected(expected: Expected[]): string {
	const parts: string[] = [];
	const late = expected.filter(([, status, , carried]) => status === 'Recorded' && carried !== undefined).length;
	const onTime = expected.filter(([, status, , carried]) => status === 'Recorded' && carried === undefined).length;
	const duplicates = expected.filter(([, status]) => status === 'DuplicateEvent').length;
	const afterFinal = expected.filter(([, status]) => status === 'AfterFinalReport').length;
	const expired = expected.filter(([, status]) => status === 'Expired').length;
	if (onTime) parts.push(`${onTime} recorded in their own hour`);
	if (late) parts.push(`${late} late, carried to a later hour not yet sent`);
	if (duplicates) parts.push(`${duplicates} duplicate${duplicates > 1 ? 's' : ''} counted once`);
	if (afterFinal) parts.push(`${afterFinal} after the final report, not to be billed`);
	if (expired) parts.push(`${expired} past AWS's deadline for its hour, Expired and never billed`);
	return parts.join(', ');
}

/** The pid of the `n8n execute --id=<id>` running in this user folder (started by this test). */
export function executeProcess(userFolder: string, workflowId: string): number | undefined {
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
			if (args.includes('execute') && args.includes(`--id=${workflowId}`) && readlinkSync(`/proc/${entry}/cwd`) === userFolder) return Number(entry);
		} catch {
			// Gone meanwhile, or not ours to read.
		}
	}
	return undefined;
}

/** The pid of the process holding the embedded ledger's folder: its lock is a directory naming its holder. */
export function ledgerLockHolder(n8nFolder: string): number | undefined {
	try {
		return (JSON.parse(readFileSync(join(n8nFolder, 'aws-marketplace-metering', 'ledger', 'ledger.lock', 'holder.json'), 'utf8')) as { pid: number }).pid;
	} catch {
		return undefined;
	}
}

export async function setEmulatorFaults(emulatorUrl: string, faults: Json): Promise<void> {
	const response = await fetch(`${emulatorUrl}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
	if (!response.ok) throw new Error(`the emulator refused the faults ${JSON.stringify(faults)}: HTTP ${response.status}`);
}
