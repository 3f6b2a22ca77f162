// Reconciliation of what the metering ledger billed with what AWS invoiced, per billing month. Plain TypeScript: the
// operation reads the ledger, the terms and the invoices, and hands them here.
//
// AWS's invoice line items (ListAgreementInvoiceLineItems) carry one amount per invoice and billing month, no
// dimension or quantity: the ledger's billed quantities are priced at the agreement's usage rates, hours of a free
// trial at 0, and the month's amount compared with the month's invoices.

/** Amounts are exact: decimal text in 1e-10 units (rates such as 0.0015 per unit, quantities whole). */
const SCALE = 10n ** 10n;

export interface BilledHour {
	hour: Date;
	dimension: string;
	quantity: number;
	licenseArn?: string;
}

export interface Pricing {
	/** The unit price of each dimension, as decimal text. */
	rates: Map<string, string>;
	currencyCode?: string;
	/** Usage before this instant is the free trial's. */
	freeUntil?: Date;
}

export interface InvoiceGroup {
	invoiceId: string;
	invoiceType: string;
	/** YYYY-MM. */
	billingPeriod: string;
	amount: string;
	currencyCode?: string;
}

export type DifferenceKind = 'missing' | 'extra' | 'differentAmount';

export interface DimensionBilled {
	dimension: string;
	billedQuantity: number;
	freeTrialQuantity: number;
	rate: string | null;
	amount: string;
}

export interface MonthComparison {
	billingPeriod: string;
	/** What the ledger billed, priced: null when a dimension has no rate. */
	expectedAmount: string;
	invoicedAmount: string;
	/** Invoiced less expected. */
	difference: string;
	creditMemoAmount: string;
	invoiceIds: string[];
	creditMemoIds: string[];
	licenseArns: string[];
	dimensions: DimensionBilled[];
	/** Absent when the month matches within the tolerance. */
	kind?: DifferenceKind;
}

/** YYYY-MM of a UTC instant. */
export const monthOf = (time: Date) => time.toISOString().slice(0, 7);

/** One comparison per month that has billed usage or an invoice, oldest first. */
export function compareMonths(billed: BilledHour[], invoices: InvoiceGroup[], pricing: Pricing, tolerance: string): MonthComparison[] {
	const months = new Set([...billed.map((usage) => monthOf(usage.hour)), ...invoices.map((invoice) => invoice.billingPeriod)]);
	const limit = units(tolerance);
	return [...months].sort().map((month) => {
		const usage = billed.filter((entry) => monthOf(entry.hour) === month);
		const dimensions = priceDimensions(usage, pricing);
		const ofMonth = invoices.filter((invoice) => invoice.billingPeriod === month);
		const invoiced = ofMonth.filter((invoice) => invoice.invoiceType === 'INVOICE');
		const creditMemos = ofMonth.filter((invoice) => invoice.invoiceType === 'CREDIT_MEMO');
		const expected = dimensions.reduce((sum, dimension) => sum + units(dimension.amount), 0n);
		const invoicedAmount = invoiced.reduce((sum, invoice) => sum + units(invoice.amount), 0n);
		const difference = invoicedAmount - expected;
		return {
			billingPeriod: month,
			expectedAmount: format(expected),
			invoicedAmount: format(invoicedAmount),
			difference: format(difference),
			creditMemoAmount: format(creditMemos.reduce((sum, invoice) => sum + units(invoice.amount), 0n)),
			invoiceIds: invoiced.map((invoice) => invoice.invoiceId),
			creditMemoIds: creditMemos.map((invoice) => invoice.invoiceId),
			licenseArns: [...new Set(usage.flatMap((entry) => (entry.licenseArn ? [entry.licenseArn] : [])))].sort(),
			dimensions,
			...kindOf(expected, invoiced.length > 0, invoicedAmount, difference, limit),
		};
	});
}

/**
 * missing: the ledger billed usage worth more than the tolerance and AWS invoiced nothing for the month (revenue
 * lost); extra: AWS invoiced the month and the ledger billed nothing chargeable (billed twice, or by something else);
 * differentAmount: both, differing by more than the tolerance.
 */
function kindOf(expected: bigint, hasInvoice: boolean, invoiced: bigint, difference: bigint, limit: bigint): { kind?: DifferenceKind } {
	if (!hasInvoice) return expected > limit ? { kind: 'missing' } : {};
	if (expected === 0n) return invoiced > limit ? { kind: 'extra' } : {};
	return (difference < 0n ? -difference : difference) > limit ? { kind: 'differentAmount' } : {};
}

function priceDimensions(usage: BilledHour[], pricing: Pricing): DimensionBilled[] {
	const names = [...new Set(usage.map((entry) => entry.dimension))].sort();
	return names.map((dimension) => {
		const own = usage.filter((entry) => entry.dimension === dimension);
		const free = own.filter((entry) => pricing.freeUntil !== undefined && entry.hour < pricing.freeUntil);
		const billedQuantity = own.reduce((sum, entry) => sum + entry.quantity, 0);
		const freeTrialQuantity = free.reduce((sum, entry) => sum + entry.quantity, 0);
		const rate = pricing.rates.get(dimension) ?? null;
		const amount = rate === null ? 0n : BigInt(billedQuantity - freeTrialQuantity) * units(rate);
		return { dimension, billedQuantity, freeTrialQuantity, rate, amount: format(amount) };
	});
}

/** The end of a free trial that started at `start` and lasts an ISO 8601 duration of days, weeks, months or years. */
export function trialEnd(start: Date, duration: string | undefined): Date | undefined {
	const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(duration ?? '');
	if (!match || match.slice(1).every((part) => part === undefined)) return undefined;
	const [years, months, weeks, days] = match.slice(1).map((part) => Number(part ?? 0));
	const end = new Date(start);
	end.setUTCFullYear(end.getUTCFullYear() + years, end.getUTCMonth() + months, end.getUTCDate() + weeks * 7 + days);
	return end;
}

/** A decimal text in 1e-10 units; the model's amounts and rates are plain decimals. */
export function units(amount: string): bigint {
	const match = /^(-)?(\d*)(?:\.(\d*))?$/.exec(amount.trim());
	if (!match || (match[2] === '' && !match[3])) throw new Error(`"${amount}" is not a decimal amount`);
	const fraction = (match[3] ?? '').padEnd(10, '0').slice(0, 10);
	const value = BigInt(match[2] || '0') * SCALE + BigInt(fraction);
	return match[1] ? -value : value;
}

/** Units as decimal text, at least two decimals: 12.5 → "12.50", 0.0015 → "0.0015". */
export function format(value: bigint): string {
	const sign = value < 0n ? '-' : '';
	const digits = (value < 0n ? -value : value).toString().padStart(11, '0');
	const fraction = digits.slice(-10).replace(/0+$/, '').padEnd(2, '0');
	return `${sign}${digits.slice(0, -10)}.${fraction}`;
}
