/** "1 usage record", "3 usage records": a number with its noun, for messages a seller reads. */
export function count(n: number, noun: string): string {
	return `${n} ${n === 1 ? noun : `${noun}s`}`;
}
