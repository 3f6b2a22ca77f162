/** Pass/fail bookkeeping for a run of checks. */
export class Checks {
	private failures = 0;
	private passes = 0;

	check(description: string, ok: boolean, detail = ''): boolean {
		if (ok) this.passes++;
		else this.failures++;
		process.stdout.write(`${ok ? 'PASS' : 'FAIL'}  ${description}${!ok && detail ? `\n      ${detail}` : ''}\n`);
		return ok;
	}

	equal(description: string, actual: unknown, expected: unknown): boolean {
		const ok = JSON.stringify(actual) === JSON.stringify(expected);
		return this.check(description, ok, `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
	}

	get failed(): number {
		return this.failures;
	}

	summary(): string {
		return `${this.passes} passed, ${this.failures} failed`;
	}
}

/** A plain text table, columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string {
	const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
	const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
	return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}
