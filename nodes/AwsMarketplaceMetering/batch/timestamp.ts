import { HOUR_MS, MAX_RECORD_AGE_HOURS, PREVIOUS_MONTH_GRACE_HOURS, deadlineOf, hourOf } from '../../shared/ledger/hours';
import { describeValue, fail, isAbsent, ok } from './rules';
import type { Checked } from './types';

const FORMS = 'ISO 8601 with a time zone (2026-11-22T10:00:00Z), epoch seconds or milliseconds, or a date';
// Date, then optionally time and zone; 'T' or a space between them.
const ISO_8601 =
	/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
// Epoch values at or above this are milliseconds: 1e11 seconds is the year 5138, 1e11 ms is 1973.
const MILLISECONDS_FROM = 1e11;

interface TimestampRule {
	label?: string;
	field?: string;
}

/**
 * When the usage happened: ISO 8601 strings (with a time zone, as the hour decides the bill),
 * epoch seconds or milliseconds (numbers or numeric strings, told apart by magnitude), a Date,
 * or a Luxon DateTime (duck-typed).
 */
export function parseTimestamp(value: unknown, rule: TimestampRule = {}): Checked<Date> {
	// The common form first, before the error helpers below are built.
	if (typeof value === 'string') {
		const utc = parseUtcIso(value);
		if (utc !== undefined) return ok(new Date(utc));
	}
	const { label = 'Timestamp', field = 'timestamp' } = rule;
	const problem = (check: string, text: string) => fail<Date>('InvalidTimestamp', field, check, `${label} ${text}: use ${FORMS}`);
	if (isAbsent(value)) return problem('required', 'is missing');
	if (value instanceof Date) return validDate(value.getTime(), () => problem('date', 'is an invalid date'));
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) return problem('date', `${value} is not a point in time`);
		return validDate(fromEpoch(value), () => problem('date', `${value} is out of the range of dates`));
	}
	if (typeof value === 'string') {
		const text = value.trim();
		if (/^\d+(\.\d+)?$/.test(text)) {
			return validDate(fromEpoch(Number(text)), () => problem('date', `${describeValue(value)} is out of the range of dates`));
		}
		const utc = parseUtcIso(text);
		if (utc !== undefined) return ok(new Date(utc));
		return parseIso(text, () => describeValue(value), problem);
	}
	if (typeof value === 'object' && value !== null) return fromDateTime(value as DateTimeLike, problem);
	return problem('type', `${describeValue(value)} is not a date`);
}

interface DateTimeLike {
	isValid?: boolean;
	invalidReason?: string | null;
	toJSDate?: () => Date;
	toMillis?: () => number;
}

function fromDateTime(value: DateTimeLike, problem: (check: string, text: string) => Checked<Date>): Checked<Date> {
	if (typeof value.toMillis !== 'function' && typeof value.toJSDate !== 'function') {
		return problem('type', `is ${describeValue(value)}, not a date`);
	}
	if (value.isValid === false) return problem('date', `is an invalid date (${value.invalidReason ?? 'unknown reason'})`);
	const millis = typeof value.toMillis === 'function' ? value.toMillis() : value.toJSDate!().getTime();
	return validDate(millis, () => problem('date', 'is an invalid date'));
}

function fromEpoch(value: number): number {
	return Math.abs(value) >= MILLISECONDS_FROM ? value : value * 1000;
}

function validDate(millis: number, otherwise: () => Checked<Date>): Checked<Date> {
	const date = new Date(millis);
	return Number.isNaN(date.getTime()) ? otherwise() : ok(date);
}

// The form toISOString() and most APIs give, read digit by digit without the general parser (or
// Date.parse, which costs more than the rest of an event's checks): undefined when a part is out of
// range, such as 02-30, which the general parser then refuses.
const UTC_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,3})?Z$/;

function parseUtcIso(text: string): number | undefined {
	if (!UTC_ISO.test(text)) return undefined;
	const year = digits(text, 0, 4);
	const month = digits(text, 5, 7);
	const day = digits(text, 8, 10);
	const hour = digits(text, 11, 13);
	const minute = digits(text, 14, 16);
	const second = digits(text, 17, 19);
	// Up to three digits after "ss." (at 19), then Z.
	const fraction = text.length - 21;
	const ms = fraction > 0 ? digits(text, 20, 20 + fraction) * 10 ** (3 - fraction) : 0;
	if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
	if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, ms);
	// Date.UTC reads the years 0 to 99 as 1900 to 1999.
	return new Date(Date.UTC(2000, 0, 1, hour, minute, second, ms)).setUTCFullYear(year, month - 1, day);
}

/** The number the decimal digits of text from `from` up to `to` (not included) write. */
function digits(text: string, from: number, to: number): number {
	let value = 0;
	for (let index = from; index < to; index++) value = value * 10 + text.charCodeAt(index) - 48;
	return value;
}

function parseIso(text: string, shown: () => string, problem: (check: string, text: string) => Checked<Date>): Checked<Date> {
	const match = ISO_8601.exec(text);
	if (!match) return problem('format', `${shown()} is not a date`);
	const [, year, month, day, hour, minute, second, fraction = '', zone] = match;
	if (hour !== undefined && zone === undefined) {
		return problem('timeZone', `${shown()} has no time zone: add Z or an offset such as +02:00, the hour decides what AWS bills`);
	}
	const y = Number(year);
	const mo = Number(month);
	const d = Number(day);
	const h = hour === undefined ? 0 : Number(hour);
	const mi = minute === undefined ? 0 : Number(minute);
	const s = second === undefined ? 0 : Number(second);
	const offset = zoneOffsetMinutes(zone);
	if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59 || offset === undefined) {
		return problem('date', `${shown()} is not a valid date`);
	}
	const ms = fraction.length >= 3 ? Number(fraction.slice(0, 3)) : Number(fraction.padEnd(3, '0'));
	return validDate(Date.UTC(y, mo - 1, d, h, mi, s, ms) - offset * 60_000, () => problem('date', `${shown()} is out of the range of dates`));
}

function daysInMonth(year: number, month: number): number {
	if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
	return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function zoneOffsetMinutes(zone: string | undefined): number | undefined {
	if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
	const digits = zone.slice(1).replace(':', '');
	const hours = Number(digits.slice(0, 2));
	const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
	if (hours > 18 || minutes > 59) return undefined;
	return (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/** The start of the UTC hour: AWS deduplicates per hour, so a rerun then sends the same record. */
export function truncateToHour(date: Date): Date {
	return new Date(hourOf(date));
}

export interface TimestampWindow {
	now: Date;
	maxRecordAgeHours: number;
	maxFutureSkewMinutes: number;
	/** false: the future only; the ledger judges the deadline once it has recognized events it saw before. */
	checkDeadline?: boolean;
	label?: string;
	field?: string;
}

/**
 * AWS rejects a whole request over one record outside its window, so check before sending. The
 * deadline is judged on the timestamp sent (09:59 truncated to 09:00 is an hour older), the future
 * on when the usage happened. Past its deadline a record is Expired: it can no longer be billed.
 */
export function checkTimestampWindow(happened: Date, sent: Date, window: TimestampWindow): Checked<Date> {
	return timestampWindowFailure(happened.getTime(), sent.getTime(), window) ?? ok(sent);
}

/** checkTimestampWindow on times in milliseconds: the failure, or undefined when the record is in the window. */
export function timestampWindowFailure(happened: number, sent: number, window: TimestampWindow): Checked<never> | undefined {
	const { now, maxRecordAgeHours, maxFutureSkewMinutes } = window;
	const future = happened - now.getTime();
	if (future > maxFutureSkewMinutes * 60_000) {
		return fail(
			'TimestampOutOfWindow',
			window.field ?? 'timestamp',
			'future',
			`${window.label ?? 'Timestamp'} ${shownTimes(happened, sent)} is ${formatDuration(future)} in the future: AWS accepts usage up to now (allowing ${maxFutureSkewMinutes} minutes of clock skew)`,
		);
	}
	if (window.checkDeadline !== false && now.getTime() >= deadlineOf(sent, maxRecordAgeHours)) {
		return fail('Expired', window.field ?? 'timestamp', 'deadline', expiredMessage(`${window.label ?? 'Timestamp'} ${shownTimes(happened, sent)}`, sent, maxRecordAgeHours));
	}
	return undefined;
}

function shownTimes(happened: number, sent: number): string {
	const iso = (time: number) => new Date(time).toISOString();
	return happened === sent ? iso(sent) : `${iso(happened)} (sent as ${iso(sent)})`;
}

/** Why usage is not billed past its deadline, naming the deadline and the rule that set it. */
export function expiredMessage(what: string, time: number, maxRecordAgeHours = MAX_RECORD_AGE_HOURS): string {
	const deadline = deadlineOf(time, maxRecordAgeHours);
	const rule =
		deadline < time + maxRecordAgeHours * HOUR_MS
			? `last month's usage is accepted only until ${String(PREVIOUS_MONTH_GRACE_HOURS).padStart(2, '0')}:00 UTC on the 1st`
			: `usage is accepted until ${maxRecordAgeHours} hours after its time`;
	return `Not billed: ${what} is past its deadline, ${new Date(deadline).toISOString()} (${rule})`;
}

function formatDuration(ms: number): string {
	if (ms < 60_000) return `${Math.ceil(ms / 1000)} seconds`;
	const minutes = Math.round(ms / 60_000);
	if (minutes < 60) return `${minutes} minutes`;
	const hours = Math.floor(minutes / 60);
	return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} hours`;
}
