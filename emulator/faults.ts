// Injected failures, drawn from a seeded generator so that a run with the same seed and the same
// sequence of requests fails the same way.
import { ServiceError } from './errors';
import type { EmulatorFaults } from './types';

/** mulberry32: small, fast and good enough for fault dice and test data. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export class FaultInjector {
	faults: EmulatorFaults;
	private random: () => number;
	/** Per operation: arrival times (ms, system clock) of the requests admitted in the last second, oldest first. */
	private readonly admitted = new Map<string, number[]>();

	constructor(
		faults: EmulatorFaults,
		private readonly seed: number,
	) {
		this.faults = { ...faults };
		this.random = seededRandom(seed);
	}

	reset(): void {
		this.random = seededRandom(this.seed);
		this.admitted.clear();
	}

	private roll(rate: number | undefined): boolean {
		return rate !== undefined && rate > 0 && this.random() < rate;
	}

	/** Decided on arrival: the answer will be lost (the connection destroyed after processing). */
	drawDrop(): boolean {
		return this.roll(this.faults.dropRate);
	}

	/** Throws the ThrottlingException or server error (the service's name for it) this request draws, if any. */
	admit(operation: string, serverError = 'InternalServiceErrorException'): void {
		if (this.roll(this.faults.throttleRate)) throw new ServiceError('ThrottlingException', 'Rate exceeded');
		const quota = this.faults.quotaPerSecond;
		if (quota !== undefined && quota > 0) {
			// The quota is about real request rates, so it runs on the system clock, not the emulator's `now`.
			const now = Date.now();
			const window = this.admitted.get(operation) ?? [];
			this.admitted.set(operation, window);
			while (window.length && window[0] <= now - 1000) window.shift();
			if (window.length >= quota) throw new ServiceError('ThrottlingException', 'Rate exceeded');
			window.push(now);
		}
		if (this.roll(this.faults.serverErrorRate)) {
			throw new ServiceError(serverError, 'An internal error has occurred. Retry your request.', 500);
		}
	}

	/** Whether one BatchMeterUsage record is left unprocessed. */
	drawUnprocessed(): boolean {
		return this.roll(this.faults.unprocessedRate);
	}
}
