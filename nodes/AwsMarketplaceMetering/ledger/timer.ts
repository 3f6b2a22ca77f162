/**
 * Runs fn after ms, without keeping the process alive: an idle ledger and the deadline of a request
 * must not hold n8n, or an `n8n execute`, open. n8n-workflow's sleep can be neither unref'd nor
 * cancelled. Returns the cancel function.
 */
export function unrefTimer(ms: number, fn: () => void): () => void {
	// eslint-disable-next-line no-restricted-globals -- self-hosted only; the reason is above
	const timer = setTimeout(fn, ms).unref();
	// eslint-disable-next-line no-restricted-globals -- the timer set above
	return () => clearTimeout(timer);
}
