/**
 * Waits ms. The engine and the ledger take no timer from n8n, so that they stay plain TypeScript
 * (they run in tests, the bench and the worker thread alike).
 */
export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs fn after ms, without keeping the process alive: an idle ledger and the deadline of a request
 * must not hold n8n, or an `n8n execute`, open. n8n-workflow's sleep can be neither unref'd nor
 * cancelled. Returns the cancel function.
 */
export function unrefTimer(ms: number, fn: () => void): () => void {
	const timer = setTimeout(fn, ms).unref();
	return () => clearTimeout(timer);
}
