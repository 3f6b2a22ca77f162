const HOUR = 3600_000;

/**
 * For suites whose tests share ledger state named by the current hour: when the hour is about to turn, waits until it
 * has, so that "the hour in progress" means the same hour in every test of the suite.
 */
export function awayFromHourBoundary(marginMs = 60_000): void {
	beforeAll(async () => {
		const left = HOUR - (Date.now() % HOUR);
		if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 1000));
	}, marginMs + 10_000);
}

// The fake clock and how many runs use it.
let shared: { now: string; runs: number } | undefined;

/**
 * Runs `run` with the process's clock (Date only) set to `now` and moving on from there, so that a
 * run through n8n, the AWS SDK and the emulator happens at a chosen instant: a deadline's edge, a
 * month's end. Timers stay real: sockets, the ledger's worker and n8n's engine work as usual.
 * Runs at one instant may overlap: the first to finish must not put the others back in real time.
 */
export async function atTime<T>(now: string, run: () => Promise<T>): Promise<T> {
	if (shared && shared.now !== now) throw new Error(`atTime(${now}) while runs at ${shared.now} are going on: one clock serves the process`);
	if (!shared) {
		jest.useFakeTimers({
			now: new Date(now),
			advanceTimers: true,
			doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
		});
		shared = { now, runs: 0 };
	}
	shared.runs++;
	try {
		return await run();
	} finally {
		if (--shared.runs === 0) {
			shared = undefined;
			jest.useRealTimers();
		}
	}
}
