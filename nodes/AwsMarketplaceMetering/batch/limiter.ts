/**
 * At most `perSecond` starts in any one-second window, evenly paced rather than in bursts: each
 * start waits `spacingMs` after the one before, which also keeps the long-run average for a rate
 * below one or with a fraction. The spacing is stretched by JITTER_MARGIN: requests reach the
 * service a few milliseconds apart from when they started, and pacing that fills the quota exactly
 * would see the service count one request too many now and then.
 */
const JITTER_MARGIN = 1.04;

export class RateLimiter {
	private readonly spacingMs: number;
	private lastStart = -Infinity;
	private queue: Promise<unknown> = Promise.resolve();

	constructor(
		perSecond: number,
		private readonly now: () => number,
		private readonly sleep: (ms: number) => Promise<void>,
	) {
		this.spacingMs = (1000 / perSecond) * JITTER_MARGIN;
	}

	/**
	 * Runs `task` as soon as the rate allows, unless `cancelled()` turns true while waiting. The task
	 * is called in the same turn as its start time is taken, so no other start can slip in between.
	 */
	start<T>(task: () => Promise<T>, cancelled: () => boolean): Promise<{ started: true; result: Promise<T> } | { started: false }> {
		const turn = this.queue.then(async () => {
			for (;;) {
				if (cancelled()) return { started: false as const };
				const time = this.now();
				if (time >= this.lastStart + this.spacingMs) {
					this.lastStart = time;
					// Wrapped, so that the queue moves on without waiting for the task to finish.
					return { started: true as const, result: task() };
				}
				await this.sleep(this.lastStart + this.spacingMs - time);
			}
		});
		this.queue = turn.catch(() => undefined);
		return turn;
	}
}

/** Bounds the requests in flight; waiters are served first come, first served. */
export class Semaphore {
	private readonly waiting: (() => void)[] = [];
	private free: number;

	constructor(size: number) {
		this.free = size;
	}

	async acquire(): Promise<void> {
		if (this.free > 0) {
			this.free--;
			return;
		}
		await new Promise<void>((resolve) => this.waiting.push(resolve));
	}

	release(): void {
		const next = this.waiting.shift();
		if (next) next();
		else this.free++;
	}
}
