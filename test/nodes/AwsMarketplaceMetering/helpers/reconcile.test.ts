import { compareMonths, format, trialEnd, units } from '../../../../nodes/AwsMarketplaceMetering/helpers/reconcile';

describe('reconcile: the comparison', () => {
	it('prices exactly, to 10 decimals', () => {
		expect(format(units('0.0015') * 3n)).toBe('0.0045');
		expect(format(units('4.00') * 5n - units('20'))).toBe('0.00');
		expect(format(units('-12.5'))).toBe('-12.50');
		expect(() => units('1,5')).toThrow('"1,5" is not a decimal amount');
	});

	it('ends a free trial after its days, weeks, months or years; an unknown duration has no end', () => {
		const start = new Date('2026-01-31T12:00:00Z');
		expect(trialEnd(start, 'P30D')?.toISOString()).toBe('2026-03-02T12:00:00.000Z');
		expect(trialEnd(start, 'P2W')?.toISOString()).toBe('2026-02-14T12:00:00.000Z');
		expect(trialEnd(start, 'P1Y')?.toISOString()).toBe('2027-01-31T12:00:00.000Z');
		expect(trialEnd(start, 'PT5H')).toBeUndefined();
		expect(trialEnd(start, undefined)).toBeUndefined();
	});

	it('counts a dimension without a rate at 0, and a difference within the tolerance as a match', () => {
		const hour = (iso: string, dimension: string, quantity: number) => ({ hour: new Date(iso), dimension, quantity });
		const months = compareMonths(
			[hour('2026-01-05T00:00:00Z', 'users', 3), hour('2026-01-06T00:00:00Z', 'seats', 9), hour('2026-02-01T00:00:00Z', 'users', 1)],
			[{ invoiceId: 'i-1', invoiceType: 'INVOICE', billingPeriod: '2026-01', amount: '3.005', currencyCode: 'USD' }],
			{ rates: new Map([['users', '1.00']]) },
			'0.01',
		);
		expect(months.map((month) => [month.billingPeriod, month.expectedAmount, month.kind ?? null])).toEqual([
			['2026-01', '3.00', null],
			['2026-02', '1.00', 'missing'],
		]);
		expect(months[0].dimensions).toEqual([
			{ dimension: 'seats', billedQuantity: 9, freeTrialQuantity: 0, rate: null, amount: '0.00' },
			{ dimension: 'users', billedQuantity: 3, freeTrialQuantity: 0, rate: '1.00', amount: '3.00' },
		]);
	});
});
