import { checkTimestampWindow, parseTimestamp, truncateToHour } from '../../../../nodes/AwsMarketplaceMetering/batch';
import { HOUR, NOW } from './events';

const ISO = '2026-11-22T15:10:20.123Z';
const MS = Date.parse(ISO);

const parsed = (value: unknown) => {
	const checked = parseTimestamp(value);
	if (!checked.ok) throw new Error(checked.error.message);
	return checked.value.toISOString();
};
const problem = (value: unknown) => {
	const checked = parseTimestamp(value);
	if (checked.ok) throw new Error(`expected ${String(value)} to be rejected`);
	return checked.error;
};

describe('parseTimestamp', () => {
	it.each([
		['ISO 8601 with Z', ISO, ISO],
		['ISO 8601 with Z and tenths of a second', '2026-11-22T15:10:20.1Z', '2026-11-22T15:10:20.100Z'],
		['ISO 8601 with Z on a leap day', '2028-02-29T23:59:59Z', '2028-02-29T23:59:59.000Z'],
		['ISO 8601 with Z in a year below 100 (which Date.UTC would read as 19xx)', '0050-06-15T10:00:00Z', '0050-06-15T10:00:00.000Z'],
		['ISO 8601 with an offset', '2026-11-22T17:10:20.123+02:00', ISO],
		['ISO 8601 with a compact offset', '2026-11-22T10:10:20.123-0500', ISO],
		['ISO 8601 with an hour offset', '2026-11-22T16:10:20.123+01', ISO],
		['ISO 8601 with a space and lower-case z', '2026-11-22 15:10:20.123z', ISO],
		['ISO 8601 with nanoseconds', '2026-11-22T15:10:20.123456789Z', ISO],
		['ISO 8601 without seconds', '2026-11-22T15:10Z', '2026-11-22T15:10:00.000Z'],
		['a date only (UTC midnight)', '2026-11-22', '2026-11-22T00:00:00.000Z'],
		['epoch seconds', Math.floor(MS / 1000), '2026-11-22T15:10:20.000Z'],
		['epoch seconds with a fraction', MS / 1000, ISO],
		['epoch milliseconds', MS, ISO],
		['epoch seconds as text', String(Math.floor(MS / 1000)), '2026-11-22T15:10:20.000Z'],
		['epoch milliseconds as text', ` ${MS} `, ISO],
		['a Date', new Date(MS), ISO],
		['a Luxon DateTime', { isValid: true, toMillis: () => MS, toJSDate: () => new Date(MS), toISO: () => 'ignored' }, ISO],
		['an object with toJSDate only', { toJSDate: () => new Date(MS) }, ISO],
	])('reads %s', (_name, value, expected) => {
		expect(parsed(value)).toBe(expected);
	});

	it('tells seconds from milliseconds by magnitude', () => {
		// 1e11 seconds would be the year 5138; 1e11 milliseconds is 1973.
		expect(parsed(99_999_999_999)).toBe(new Date(99_999_999_999_000).toISOString());
		expect(parsed(100_000_000_000)).toBe('1973-03-03T09:46:40.000Z');
	});

	it.each([
		['missing', undefined, 'required', /^Timestamp is missing: use ISO 8601 with a time zone/],
		['empty', '', 'required', /^Timestamp is missing/],
		['no time zone', '2026-11-22T15:10:20', 'timeZone', /^Timestamp "2026-11-22T15:10:20" has no time zone: add Z or an offset such as \+02:00, the hour decides what AWS bills/],
		['free text', 'last tuesday', 'format', /^Timestamp "last tuesday" is not a date/],
		['RFC 2822', 'Sun, 22 Nov 2026 15:10:20 GMT', 'format', /is not a date/],
		['an impossible day', '2026-02-30T10:00:00Z', 'date', /^Timestamp "2026-02-30T10:00:00Z" is not a valid date/],
		['no leap day', '2027-02-29T10:00:00.000Z', 'date', /is not a valid date/],
		['an impossible minute', '2026-11-22T10:60:00Z', 'date', /is not a valid date/],
		['an impossible hour', '2026-11-22T24:00:00Z', 'date', /is not a valid date/],
		['an impossible offset', '2026-11-22T10:00:00+19:00', 'date', /is not a valid date/],
		['an invalid Date', new Date(NaN), 'date', /^Timestamp is an invalid date/],
		['an invalid Luxon DateTime', { isValid: false, invalidReason: 'unparsable', toMillis: () => NaN }, 'date', /^Timestamp is an invalid date \(unparsable\)/],
		['Infinity', Infinity, 'date', /^Timestamp Infinity is not a point in time/],
		['a number out of range', 1e20, 'date', /out of the range of dates/],
		['a boolean', true, 'type', /^Timestamp true is not a date/],
		['a plain object', { when: 'now' }, 'type', /^Timestamp is an object, not a date/],
	])('rejects %s', (_name, value, rule, message) => {
		expect(problem(value)).toEqual({ code: 'InvalidTimestamp', field: 'timestamp', rule, message: expect.stringMatching(message) });
	});
});

describe('checkTimestampWindow', () => {
	const window = { now: new Date(NOW), maxRecordAgeHours: 6, maxFutureSkewMinutes: 5 };
	const check = (happened: string, truncate: boolean, options = window) => {
		const date = new Date(happened);
		return checkTimestampWindow(date, truncate ? truncateToHour(date) : date, options);
	};

	it('judges the age on the timestamp sent: 10:59 truncated to 10:00 is older than six hours at 16:30', () => {
		expect(check('2026-11-22T10:59:00Z', false).ok).toBe(true);
		const truncated = check('2026-11-22T10:59:00Z', true);
		expect(truncated).toMatchObject({
			ok: false,
			error: {
				code: 'Expired',
				rule: 'deadline',
				message:
					'Not billed: Timestamp 2026-11-22T10:59:00.000Z (sent as 2026-11-22T10:00:00.000Z) is past its deadline, 2026-11-22T16:00:00.000Z (usage is accepted until 6 hours after its time)',
			},
		});
		expect(check('2026-11-22T11:00:00Z', true).ok).toBe(true);
		// AWS refuses records "6 hours or more" old: the boundary itself is out.
		expect(check('2026-11-22T10:30:00.001Z', false).ok).toBe(true);
		expect(check('2026-11-22T10:30:00Z', false).ok).toBe(false);
	});

	it('takes BatchMeterUsage’s window of 24 hours, its boundary excluded', () => {
		const day = { ...window, maxRecordAgeHours: 24 };
		expect(check('2026-11-21T17:00:00Z', true, day).ok).toBe(true);
		expect(check('2026-11-21T16:30:00.001Z', false, day).ok).toBe(true);
		expect(check('2026-11-21T16:30:00Z', false, day)).toMatchObject({
			ok: false,
			error: { code: 'Expired', message: expect.stringMatching(/is past its deadline, 2026-11-22T16:30:00.000Z \(usage is accepted until 24 hours after its time\)$/) },
		});
		expect(check('2026-11-21T16:00:00Z', true, day).ok).toBe(false);
	});

	it('judges the future on when the usage happened, with the allowed clock skew', () => {
		expect(check('2026-11-22T16:34:59Z', true).ok).toBe(true);
		expect(check('2026-11-22T16:35:01Z', true)).toMatchObject({ ok: false, error: { rule: 'future' } });
		expect(check('2026-11-22T16:30:30Z', true, { ...window, maxFutureSkewMinutes: 0 })).toMatchObject({
			ok: false,
			error: { message: expect.stringMatching(/is 30 seconds in the future/) },
		});
	});

	it('accepts last month only until 06:00 UTC on the 1st', () => {
		const firstOfMonth = (time: string) => ({ ...window, now: new Date(time), maxRecordAgeHours: 24 });
		expect(check('2026-11-30T23:00:00Z', true, firstOfMonth('2026-12-01T05:59:00Z')).ok).toBe(true);
		expect(check('2026-11-30T23:00:00Z', true, firstOfMonth('2026-12-01T06:00:00Z'))).toMatchObject({
			ok: false,
			error: { code: 'Expired', message: expect.stringMatching(/past its deadline, 2026-12-01T06:00:00.000Z \(last month's usage is accepted only until 06:00 UTC on the 1st\)$/) },
		});
		expect(check('2026-12-01T00:00:00Z', true, firstOfMonth('2026-12-01T06:00:00Z')).ok).toBe(true);
		// 23:59 old, and 24:00 old, on the last day: the month's grace is the later deadline then.
		expect(check('2026-11-30T06:00:00Z', true, firstOfMonth('2026-12-01T05:59:00Z')).ok).toBe(true);
		expect(check('2026-11-30T06:00:00Z', true, firstOfMonth('2026-12-01T06:00:00Z'))).toMatchObject({ ok: false, error: { code: 'Expired' } });
	});

	it('leaves the deadline to the ledger when asked, and still refuses the future', () => {
		const ledger = { ...window, checkDeadline: false };
		expect(check('2026-10-01T00:00:00Z', true, ledger).ok).toBe(true);
		expect(check('2026-11-22T17:00:00Z', true, ledger)).toMatchObject({ ok: false, error: { rule: 'future' } });
	});

	it('names the configured field for other operations', () => {
		const old = new Date(NOW - 7 * HOUR);
		expect(checkTimestampWindow(old, old, { ...window, label: 'Usage Timestamp', field: 'usageTimestamp' })).toMatchObject({
			ok: false,
			error: { field: 'usageTimestamp', message: expect.stringMatching(/^Not billed: Usage Timestamp /) },
		});
	});
});
