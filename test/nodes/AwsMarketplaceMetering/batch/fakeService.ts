import type { BatchResponse, UsageBatch, UsageRecord } from '../../../../nodes/AwsMarketplaceMetering/batch';
import type { MeteringLedger } from '../../../../nodes/shared/ledger';

const HOUR = 3_600_000;

interface Timer {
	at: number;
	seq: number;
	wake: () => void;
}

/**
 * A discrete-event clock: sleeping registers a timer, and once nothing else can run (checked with
 * setImmediate, after the microtasks) time jumps to the earliest timer. No real waiting, and
 * concurrent sleeps overlap as they would in real time.
 */
export class FakeClock {
	private readonly timers: Timer[] = [];
	private seq = 0;
	private pumping = false;
	private busy = 0;
	readonly sleeps: number[] = [];

	constructor(public time: number) {}

	now = () => new Date(this.time);

	sleep = async (ms: number) => {
		this.sleeps.push(ms);
		await new Promise<void>((wake) => this.add(ms, wake));
	};

	/** Calls tick every ms until the returned function is called, as setInterval and clearInterval do. */
	every = (ms: number, tick: () => void): (() => void) => {
		let timer: Timer;
		const arm = () => {
			timer = this.add(ms, () => {
				arm();
				tick();
			});
		};
		arm();
		return () => {
			const index = this.timers.indexOf(timer);
			if (index >= 0) this.timers.splice(index, 1);
		};
	};

	/**
	 * Real work, such as a database call, taking no time on this clock: no timer fires until it is
	 * done. Without it, a timer would fire whenever the work left the event loop idle.
	 */
	during = async <T>(work: () => Promise<T>): Promise<T> => {
		this.busy++;
		try {
			return await work();
		} finally {
			this.busy--;
			this.schedulePump();
		}
	};

	private add(ms: number, wake: () => void): Timer {
		// Whole milliseconds, as Date and setTimeout have.
		const timer = { at: this.time + Math.max(0, Math.ceil(ms)), seq: this.seq++, wake };
		this.timers.push(timer);
		this.schedulePump();
		return timer;
	}

	private schedulePump() {
		if (this.pumping) return;
		this.pumping = true;
		setImmediate(() => {
			this.pumping = false;
			// `during` pumps again when its work is done.
			if (this.busy > 0) return;
			this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
			const next = this.timers.shift();
			if (!next) return;
			this.time = Math.max(this.time, next.at);
			next.wake();
			if (this.timers.length > 0) this.schedulePump();
		});
	}
}

/** The ledger's calls take no time on the fake clock, as the run's sleeps do. */
export function onClock(ledger: MeteringLedger, clock: FakeClock): MeteringLedger {
	return {
		recordEvents: (...args) => clock.during(() => ledger.recordEvents(...args)),
		claim: (...args) => clock.during(() => ledger.claim(...args)),
		settle: (...args) => clock.during(() => ledger.settle(...args)),
		renew: (...args) => clock.during(() => ledger.renew(...args)),
		report: (...args) => clock.during(() => ledger.report(...args)),
		rememberDelivery: (...args) => clock.during(() => ledger.rememberDelivery(...args)),
		recordLicenseChanges: (...args) => clock.during(() => ledger.recordLicenseChanges(...args)),
		licenses: (...args) => clock.during(() => ledger.licenses(...args)),
		close: () => ledger.close(),
	};
}

export interface FakeServiceOptions {
	clock: FakeClock;
	random?: () => number;
	/** Share of records answered as unprocessed. */
	unprocessedRate?: number;
	/** Share of those that AWS had in fact processed (a re-send must then be idempotent). */
	processedAnywayRate?: number;
	/** How an identical resend is answered: Success with the first ID (the model), or DuplicateRecord (some AWS guidance). */
	identicalResend?: 'success' | 'duplicateRecord';
	/** Customers (account ID or identifier) whose records are always unprocessed. */
	alwaysUnprocessed?: Set<string>;
	notSubscribed?: Set<string>;
	badDimensions?: Set<string>;
	badLicenses?: Set<string>;
	badProducts?: Set<string>;
	maxAgeHours?: number;
	/** How long each request takes on the fake clock. */
	latencyMs?: number;
	/** Throws this before looking at the request (e.g. credentials, throttling after SDK retries). */
	failWith?: (batch: UsageBatch, call: number) => Error | undefined;
}

export interface Call {
	time: number;
	batch: UsageBatch;
	/** The request body as the SDK would write it (timestamps in epoch seconds). */
	body: { UsageRecords: Record<string, unknown>[]; ProductCode?: string };
}

export function awsError(name: string, message = `${name} raised by the fake service`): Error {
	const error = new Error(message);
	error.name = name;
	return error;
}

export const customerOf = (record: UsageRecord) => record.CustomerAWSAccountId ?? record.CustomerIdentifier ?? '';

/** AWS's deduplication key of a record sent in a batch. */
export function dedupKey(batch: UsageBatch, record: UsageRecord): string {
	const owner = record.LicenseArn ?? `product:${batch.productCode}`;
	return JSON.stringify([owner, customerOf(record), record.Dimension, Math.floor(record.Timestamp.getTime() / HOUR)]);
}

/** Behaves like BatchMeterUsage: deduplication per key, whole-request rejections, unprocessed records. */
export class FakeMeteringService {
	readonly calls: Call[] = [];
	/** Everything a correct engine never does. */
	readonly violations: string[] = [];
	readonly billed = new Map<string, { quantity: number; id: string; record: UsageRecord }>();
	inFlight = 0;
	maxInFlight = 0;
	private readonly firstSeen = new Map<UsageRecord, string>();
	private nextId = 1;

	constructor(private readonly options: FakeServiceOptions) {}

	send = async (batch: UsageBatch): Promise<BatchResponse> => {
		const { clock, random = Math.random } = this.options;
		const call = this.calls.length;
		this.calls.push({ time: clock.time, batch: { ...batch, records: [...batch.records] }, body: wireBody(batch) });
		this.inFlight++;
		this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
		try {
			// Let other requests interleave, as real ones would.
			for (let tick = Math.floor(random() * 4); tick > 0; tick--) await Promise.resolve();
			if (this.options.latencyMs) await clock.sleep(this.options.latencyMs);
			this.checkRequest(batch);
			const failure = this.options.failWith?.(batch, call);
			if (failure) throw failure;
			this.rejectWholeRequest(batch);
			return this.meter(batch, random);
		} finally {
			this.inFlight--;
		}
	};

	/** Quantity billed per key. */
	billedQuantities(): Map<string, number> {
		return new Map([...this.billed].map(([key, { quantity }]) => [key, quantity]));
	}

	private checkRequest(batch: UsageBatch): void {
		const { records } = batch;
		if (records.length > 25) this.violations.push(`request of ${records.length} records`);
		if (records.length === 0) this.violations.push('empty request');
		const licensed = records.filter((record) => record.LicenseArn !== undefined).length;
		if (licensed > 0 && licensed < records.length) this.violations.push('license and product-code records mixed');
		if (licensed > 0 && batch.sendProductCode) this.violations.push('ProductCode sent with license records');
		if (licensed === 0 && !batch.sendProductCode) this.violations.push('product-code records without ProductCode');
		const bytes = Buffer.byteLength(JSON.stringify(wireBody(batch)));
		if (bytes > 1_000_000) this.violations.push(`request of ${bytes} bytes`);
		for (const record of records) {
			const snapshot = JSON.stringify(record);
			const first = this.firstSeen.get(record);
			if (first === undefined) this.firstSeen.set(record, snapshot);
			else if (first !== snapshot) this.violations.push(`record changed between sends: ${first} -> ${snapshot}`);
			if (!Number.isInteger(record.Quantity) || record.Quantity < 0 || record.Quantity > 2147483647) {
				this.violations.push(`quantity ${record.Quantity}`);
			}
		}
	}

	private rejectWholeRequest(batch: UsageBatch): void {
		const { badProducts, badDimensions, badLicenses, maxAgeHours = 24, clock } = this.options;
		if (badProducts?.has(batch.productCode)) throw awsError('InvalidProductCodeException');
		for (const record of batch.records) {
			if (clock.time - record.Timestamp.getTime() >= maxAgeHours * HOUR || record.Timestamp.getTime() > clock.time + HOUR) {
				throw awsError('TimestampOutOfBoundsException');
			}
			if (badDimensions?.has(record.Dimension)) throw awsError('InvalidUsageDimensionException');
			if (record.LicenseArn && badLicenses?.has(record.LicenseArn)) throw awsError('InvalidLicenseException');
		}
	}

	private meter(batch: UsageBatch, random: () => number): BatchResponse {
		const { unprocessedRate = 0, processedAnywayRate = 0, alwaysUnprocessed, notSubscribed } = this.options;
		const response: BatchResponse = { results: [], unprocessed: [] };
		for (const record of batch.records) {
			const customer = customerOf(record);
			if (alwaysUnprocessed?.has(customer)) {
				response.unprocessed.push(record);
				continue;
			}
			const unprocessed = random() < unprocessedRate;
			if (unprocessed && random() >= processedAnywayRate) {
				response.unprocessed.push(record);
				continue;
			}
			let result: BatchResponse['results'][number];
			if (notSubscribed?.has(customer)) result = { record, status: 'CustomerNotSubscribed' };
			else {
				const key = dedupKey(batch, record);
				const stored = this.billed.get(key);
				if (!stored) {
					const id = `mr-${this.nextId++}`;
					this.billed.set(key, { quantity: record.Quantity, id, record });
					result = { record, meteringRecordId: id, status: 'Success' };
				} else if (stored.quantity === record.Quantity) {
					result = this.options.identicalResend === 'duplicateRecord' ? { record, status: 'DuplicateRecord' } : { record, meteringRecordId: stored.id, status: 'Success' };
				} else {
					if (stored.record === record) this.violations.push('DuplicateRecord caused by a re-send');
					result = { record, status: 'DuplicateRecord' };
				}
			}
			// A copy, as the SDK would deserialize it.
			if (unprocessed) response.unprocessed.push(record);
			else response.results.push({ ...result, record: { ...record } });
		}
		return response;
	}
}

function wireBody(batch: UsageBatch): Call['body'] {
	return {
		UsageRecords: batch.records.map((record) => ({ ...record, Timestamp: record.Timestamp.getTime() / 1000 })),
		...(batch.sendProductCode ? { ProductCode: batch.productCode } : {}),
	};
}
