/**
 * At most `perSecond` starts in any one-second window (a sliding log of start times). A rate below
 * one, or with a fraction, keeps the long-run average: `capacity` starts per `windowMs`.
 */
export class RateLimiter {
	private readonly capacity: number;
	private readonly windowMs: number;
	private readonly starts: number[] = [];
	private queue: Promise<unknown> = Promise.resolve();

	constructor(
		perSecond: number,
		private readonly now: () => number,
		private readonly sleep: (ms: number) => Promise<void>,
	) {
		this.capacity = Math.max(1, Math.floor(perSecond));
		this.windowMs = Math.max(1000, (1000 * this.capacity) / perSecond);
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
				while (this.starts.length > 0 && this.starts[0] <= time - this.windowMs) this.starts.shift();
				if (this.starts.length < this.capacity) {
					this.starts.push(time);
					// Wrapped, so that the queue moves on without waiting for the task to finish.
					return { started: true as const, result: task() };
				}
				await this.sleep(this.starts[0] + this.windowMs - time);
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
