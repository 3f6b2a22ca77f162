import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { checkText, parseTimestamp, type StringRule } from '../batch';
import { fieldError } from './fields';

/** The Agreement Service model's constraints (marketplace-agreement 2020-03-01) on what the node sends. */
export const AGREEMENT_RULES = {
	agreementId: { label: 'Agreement ID', min: 1, max: 64, pattern: /^[A-Za-z0-9_/-]+$/, allowed: 'a-z A-Z 0-9 _ / -, such as agmt-…' },
	cancellationRequestId: {
		label: 'Cancellation Request ID',
		min: 1,
		max: 64,
		pattern: /^acr-[a-zA-Z0-9]+$/,
		allowed: 'acr- and letters or digits',
		mismatch: 'is not an agreement cancellation request ID',
	},
	billingAdjustmentRequestId: {
		label: 'Billing Adjustment Request ID',
		min: 1,
		max: 64,
		pattern: /^ba-[a-zA-Z0-9]+$/,
		allowed: 'ba- and letters or digits',
		mismatch: 'is not a billing adjustment request ID',
	},
	invoiceId: { label: 'Invoice ID', min: 1, max: 64, pattern: /^[A-Za-z0-9_/-]+$/, allowed: 'a-z A-Z 0-9 _ / -' },
	originalInvoiceId: { label: 'Original Invoice ID', min: 1, max: 255 },
	agreementType: { label: 'Agreement Type', min: 1, max: 64, pattern: /^[A-Za-z]+$/, allowed: 'letters, such as PurchaseAgreement' },
	acceptorAccountId: { label: 'Acceptor Account ID', pattern: /^[0-9]{12}$/, allowed: '12 digits' },
	/** A SearchAgreements filter value: one, and no '.' (so a time has no milliseconds). */
	filterValue: { label: 'Filter value', min: 1, max: 64, pattern: /^[A-Za-z0-9+:_-]+$/, allowed: 'a-z A-Z 0-9 + : _ -' },
	currencyCode: { label: 'Currency Code', min: 3, max: 3, pattern: /^[A-Z]+$/, allowed: 'capital letters, the invoice’s ISO 4217 code such as USD' },
	adjustmentAmount: {
		label: 'Adjustment Amount',
		min: 1,
		max: 64,
		pattern: /^[0-9]*(\.[0-9]{0,8})?$/,
		allowed: 'a decimal number with up to 8 decimals, such as 100.00',
		mismatch: 'is not a positive amount',
	},
	clientToken: { label: 'Client Token', min: 1, max: 64, pattern: /^[a-zA-Z0-9-]+$/, allowed: 'a-z A-Z 0-9 -' },
	rejectionReason: { label: 'Rejection Reason', min: 1, max: 2000 },
	cancellationReason: { label: 'Cancellation Reason', min: 1, max: 2000 },
	cancellationDescription: { label: 'Description', min: 1, max: 2000 },
	adjustmentDescription: { label: 'Description', min: 1, max: 500 },
} satisfies Record<string, StringRule>;

/** The field's text, trimmed and checked against its rule; the error names the field, the rule and the item. */
export function readText(ctx: IExecuteFunctions, itemIndex: number, parameter: string, rule: StringRule): string {
	return checkValue(ctx, itemIndex, ctx.getNodeParameter(parameter, itemIndex, '') as unknown, rule);
}

/** As readText, for a field that may stay empty. */
export function readOptionalText(ctx: IExecuteFunctions, itemIndex: number, parameter: string, rule: StringRule): string | undefined {
	const value = ctx.getNodeParameter(parameter, itemIndex, '') as unknown;
	return value === '' || value === undefined || value === null ? undefined : checkValue(ctx, itemIndex, value, rule);
}

export function checkValue(ctx: IExecuteFunctions, itemIndex: number, value: unknown, rule: StringRule): string {
	const checked = checkText(typeof value === 'string' ? value.trim() : value, rule, 'Invalid', rule.label);
	if (!checked.ok) throw fieldError(ctx, itemIndex, checked.error.message);
	return checked.value;
}

// What n8n's date picker gives: a date and time without a zone, meant in the workflow's time zone.
const WALL_TIME = /^(\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d)(?::(\d\d))?)?$/;

/** A point in time from a date field or an expression (ISO 8601, epoch, Date, Luxon DateTime). */
export function checkTime(ctx: IExecuteFunctions, itemIndex: number, value: unknown, label: string): Date {
	const wall = typeof value === 'string' ? WALL_TIME.exec(value.trim()) : null;
	const parsed = parseTimestamp(wall ? inTimeZone(wall.slice(1).map(Number), ctx.getTimezone()) : value, { label });
	if (!parsed.ok) throw fieldError(ctx, itemIndex, parsed.error.message);
	return parsed.value;
}

/** The instant a wall time (year, month, day, hour, minute, second) is in the time zone. */
function inTimeZone([year, month, day, hour = 0, minute = 0, second = 0]: number[], timeZone: string): Date {
	const asUtc = Date.UTC(year, month - 1, day, hour || 0, minute || 0, second || 0);
	const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
		.formatToParts(new Date(asUtc))
		.reduce<Record<string, number>>((all, part) => ({ ...all, [part.type]: Number(part.value) }), {});
	// The zone's offset at that moment; a wall time in a daylight saving gap or overlap lands within the hour.
	const offset = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - asUtc;
	return new Date(asUtc - offset);
}

/** A time as a SearchAgreements filter value: ISO 8601 in whole seconds, as its pattern allows no '.'. */
export const filterTime = (time: Date) => time.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The Agreement ID field every agreement operation starts with: the trigger's items and the search's carry it. */
export function agreementIdField(show: INodeProperties['displayOptions'], description: string): INodeProperties {
	return {
		displayName: 'Agreement ID',
		name: 'agreementId',
		type: 'string',
		required: true,
		default: '={{ $json.agreementId }}',
		placeholder: 'e.g. agmt-…',
		description,
		displayOptions: show,
	};
}
