/** How a run reports a failure of its own: what failed, and the detail (a stack). */
export type ReportFailure = (description: string, detail?: string) => void;

const printFailure: ReportFailure = (description, detail) => {
	process.stdout.write(`\nFAIL  ${description}${detail ? `\n${detail}` : ''}\n`);
};

/**
 * Runs a test script's `main` and exits with the code it returns. Fails (exit 1, which ends every process it started:
 * see installCleanup) when `main` throws, or when it has not finished within the time limit.
 */
export function runMain(timeLimitMs: number, main: () => Promise<number>, report: ReportFailure = printFailure): void {
	const watchdog = setTimeout(() => {
		report(`the run finished within ${timeLimitMs / 60_000} minutes`);
		process.exit(1);
	}, timeLimitMs);
	watchdog.unref();
	main().then(
		(code) => process.exit(code),
		(error: Error) => {
			report('the run completed', error.stack ?? error.message);
			process.exit(1);
		},
	);
}
