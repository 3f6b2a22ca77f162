// What both demos print: the customers by name, the hours, the emulator's billing and the metering report.
import type { Emulator } from '../../emulator';
import { EXAMPLE_CUSTOMERS } from '../e2e/lib/examples';
import { table } from '../e2e/lib/table';

type Json = Record<string, unknown>;

export const hourText = (hour: unknown) => String(hour).slice(0, 16).replace('T', ' ');

export const customerName = (licenseArn: unknown) =>
	Object.values(EXAMPLE_CUSTOMERS).find((customer) => customer.licenseArn === licenseArn)?.name ?? String(licenseArn);

/** One line for a usage event Record Usage answered: "e-1: Recorded in 2026-11-22 17:00". */
export function recordedLine(result: Json): string {
	const where = result.status === 'Recorded' || result.status === 'DuplicateEvent' ? ` in ${hourText(result.hour)}` : '';
	const carried = result.status === 'Recorded' && result.carriedFrom ? `, carried from ${hourText(result.carriedFrom)}, already sent` : '';
	return `    ${String(result.eventId)}: ${String(result.status)}${where}${carried}${result.error ? `: ${String(result.error)}` : ''}`;
}

/** What the emulator billed, one row per product or license, customer, dimension and hour. */
export function billedTable(emulator: Emulator): string {
	const rows = Object.entries(emulator.stats().billed).map(([key, { quantity, meteringRecordId }]) => {
		const [product, customer, dimension, hour] = key.split('|');
		return [customerName(product), customer, dimension, hourText(hour), String(quantity), meteringRecordId];
	});
	return rows.length ? table(['Product / license', 'Customer', 'Dimension', 'Hour (UTC)', 'Quantity', 'Metering record ID'], rows) : '(nothing)';
}

/** The requests the emulator answered, per operation and answer. */
export function requestsTable(emulator: Emulator): string {
	const rows = Object.entries(emulator.stats().requests).flatMap(([operation, outcomes]) => Object.entries(outcomes).map(([outcome, count]) => [operation, outcome, String(count)]));
	return table(['Operation', 'Answer', 'Requests'], rows);
}

/** Get Metering Report's items as a table; with `lateUsage`, where late usage was carried from and to. */
export function reportTable(report: Json[], lateUsage = false): string {
	const rows = report.map((row) => [
		customerName(row.licenseArn),
		String(row.dimension),
		hourText(row.hour),
		String(row.events),
		String(row.quantity),
		String(row.state) + (row.status && row.status !== 'Success' ? ` (${String(row.status)})` : ''),
		row.sentQuantity === null ? '' : String(row.sentQuantity),
		...(lateUsage
			? [[...(row.carriedFrom as string[]).map((from) => `from ${hourText(from).slice(11)}`), ...(row.carriedTo as string[]).map((to) => `to ${hourText(to).slice(11)}`)].join(', ')]
			: []),
	]);
	return table(['Customer', 'Dimension', 'Hour (UTC)', 'Events', 'Quantity', 'State', 'Sent', ...(lateUsage ? ['Late usage'] : [])], rows);
}
