import { deadlineOf, firstLiveHour, hourOf } from '../../../../nodes/AwsMarketplaceMetering/ledger/hours';

const ms = (iso: string) => Date.parse(iso);

describe('usage hours', () => {
	it('starts at the UTC hour', () => {
		expect(hourOf(new Date('2026-03-10T10:59:59.999Z'))).toBe(ms('2026-03-10T10:00:00Z'));
		expect(hourOf(new Date('2026-03-10T10:00:00Z'))).toBe(ms('2026-03-10T10:00:00Z'));
	});

	it('has its deadline 24 hours after it starts', () => {
		expect(deadlineOf(ms('2026-03-10T10:00:00Z'))).toBe(ms('2026-03-11T10:00:00Z'));
		expect(deadlineOf(ms('2026-03-31T05:00:00Z'))).toBe(ms('2026-04-01T05:00:00Z'));
	});

	it("ends last month's hours at 06:00 UTC on the 1st, across years and leap days", () => {
		expect(deadlineOf(ms('2026-03-31T06:00:00Z'))).toBe(ms('2026-04-01T06:00:00Z'));
		expect(deadlineOf(ms('2026-03-31T23:00:00Z'))).toBe(ms('2026-04-01T06:00:00Z'));
		expect(deadlineOf(ms('2026-12-31T20:00:00Z'))).toBe(ms('2027-01-01T06:00:00Z'));
		expect(deadlineOf(ms('2028-02-29T12:00:00Z'))).toBe(ms('2028-03-01T06:00:00Z'));
	});

	it('finds the oldest hour still accepted', () => {
		expect(firstLiveHour(ms('2026-03-10T10:00:00Z'))).toBe(ms('2026-03-09T11:00:00Z'));
		expect(firstLiveHour(ms('2026-03-10T10:30:00Z'))).toBe(ms('2026-03-09T11:00:00Z'));
		expect(firstLiveHour(ms('2026-04-01T05:59:59Z'))).toBe(ms('2026-03-31T06:00:00Z'));
		expect(firstLiveHour(ms('2026-04-01T06:00:00Z'))).toBe(ms('2026-04-01T00:00:00Z'));
		expect(firstLiveHour(ms('2026-04-02T03:00:00Z'))).toBe(ms('2026-04-01T04:00:00Z'));
	});
});
