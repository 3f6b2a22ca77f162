import { CONSTRAINTS } from './rules';
import type { UsageBatch, UsageRecord } from './types';

export interface BatchLimits {
	maxRecords: number;
	maxBytes: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = {
	maxRecords: CONSTRAINTS.usageRecordsPerRequest,
	maxBytes: CONSTRAINTS.requestBytes,
};

/** A record to send and the product it bills: requests are grouped by product. */
export interface PlannedRecord {
	productCode: string;
	record: UsageRecord;
}

// The estimate must never be smaller than the real body: the SDK writes a timestamp as epoch
// seconds (at most 14 bytes, such as 1732262400.123); count 20.
const TIMESTAMP_BYTES = 20;
const ENVELOPE_SLACK = 64;

export function utf8Length(text: string): number {
	if (!/[\u0080-\uffff]/.test(text)) return text.length;
	let bytes = 0;
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		if (code < 0x80) bytes += 1;
		else if (code < 0x800) bytes += 2;
		else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
			const next = text.charCodeAt(index + 1);
			if (next >= 0xdc00 && next <= 0xdfff) {
				bytes += 4;
				index++;
			} else bytes += 3;
		} else bytes += 3;
	}
	return bytes;
}

const RECORD_MEMBERS = ['Timestamp', 'CustomerIdentifier', 'CustomerAWSAccountId', 'LicenseArn', 'Dimension', 'Quantity', 'UsageAllocations'] as const;
// Text JSON writes as is, between quotes.
const PLAIN_TEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function jsonBytes(value: unknown): number {
	if (typeof value === 'string' && PLAIN_TEXT.test(value)) return value.length + 2;
	return utf8Length(JSON.stringify(value));
}

/** The bytes one record adds to a request's JSON body, its separating comma included. */
export function recordBytes(record: UsageRecord): number {
	// Member by member: "Name":value, commas between, braces around, a comma after.
	let bytes = 2;
	let members = 0;
	for (const name of RECORD_MEMBERS) {
		const value = record[name];
		if (value === undefined) continue;
		members++;
		bytes += name.length + 3 + (value instanceof Date ? TIMESTAMP_BYTES : jsonBytes(value));
	}
	return bytes + Math.max(0, members - 1) + 1;
}

/** The bytes of a request around its records. */
export function envelopeBytes(productCode: string | undefined): number {
	const productCodePart = productCode === undefined ? '' : `,"ProductCode":${JSON.stringify(productCode)}`;
	return utf8Length(`{"UsageRecords":[]${productCodePart}}`) + ENVELOPE_SLACK;
}

/** Whether a record fits in a request on its own (big allocations can make it too large). */
export function fitsInOneRequest(record: UsageRecord, productCode: string, limits: BatchLimits = DEFAULT_BATCH_LIMITS): boolean {
	return envelopeBytes(productCode) + recordBytes(record) <= limits.maxBytes;
}

/** License-based records never travel with a product code: sending both bills twice. */
export function isLicenseBased(record: UsageRecord): boolean {
	return record.LicenseArn !== undefined;
}

/**
 * What identifies a record in AWS's answer even when the answer leaves out the license or rounds the
 * timestamp to the second: customer, dimension, second and quantity.
 */
export function answerKey(record: UsageRecord): string {
	return JSON.stringify([
		record.CustomerAWSAccountId || record.CustomerIdentifier || undefined,
		record.Dimension,
		Math.floor(new Date(record.Timestamp).getTime() / 1000),
		record.Quantity,
	]);
}

/**
 * Splits records into BatchMeterUsage requests: one product per request, license-based and
 * product-code-based records apart, at most 25 records and under 1 MB each; records with the same
 * answerKey (one account's licenses of one product, under Concurrent Agreements) in different
 * requests, so that each answer names its record. Oldest hours first, so
 * that a backlog near its deadline goes out before fresh usage. Deterministic: records by timestamp,
 * then input order; groups in order of first appearance; requests by their oldest record. A record
 * too large on its own goes alone (callers reject such records first, see fitsInOneRequest).
 */
export function planBatches(records: PlannedRecord[], limits: BatchLimits = DEFAULT_BATCH_LIMITS): UsageBatch[] {
	const batches: UsageBatch[] = [];
	for (const group of requestGroups(records).flatMap(apartByAnswerKey)) {
		const { productCode } = group[0];
		const sendProductCode = !isLicenseBased(group[0].record);
		const envelope = envelopeBytes(sendProductCode ? productCode : undefined);
		let current: UsageRecord[] = [];
		let bytes = envelope;
		for (const { record } of group) {
			const size = recordBytes(record);
			if (current.length > 0 && (current.length === limits.maxRecords || bytes + size > limits.maxBytes)) {
				batches.push({ productCode, sendProductCode, records: current });
				current = [];
				bytes = envelope;
			}
			current.push(record);
			bytes += size;
		}
		batches.push({ productCode, sendProductCode, records: current });
	}
	return batches.sort((a, b) => a.records[0].Timestamp.getTime() - b.records[0].Timestamp.getTime());
}

/**
 * The records that may share a request: one product, license-based and product-code-based apart;
 * oldest first (array sorts are stable: equal timestamps keep the input order), groups in order of
 * first appearance.
 */
export function requestGroups(records: PlannedRecord[]): PlannedRecord[][] {
	const groups = new Map<string, PlannedRecord[]>();
	for (const planned of [...records].sort((a, b) => a.record.Timestamp.getTime() - b.record.Timestamp.getTime())) {
		const key = JSON.stringify([planned.productCode, isLicenseBased(planned.record)]);
		const group = groups.get(key);
		if (group) group.push(planned);
		else groups.set(key, [planned]);
	}
	return [...groups.values()];
}

/** The group in layers: the n-th record of an answerKey goes to the n-th layer. */
function apartByAnswerKey(group: PlannedRecord[]): PlannedRecord[][] {
	const seen = new Map<string, number>();
	const layers: PlannedRecord[][] = [];
	for (const planned of group) {
		const key = answerKey(planned.record);
		const layer = seen.get(key) ?? 0;
		seen.set(key, layer + 1);
		(layers[layer] ??= []).push(planned);
	}
	return layers;
}
