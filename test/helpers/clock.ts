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
