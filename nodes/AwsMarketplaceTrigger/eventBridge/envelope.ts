import type { IDataObject } from 'n8n-workflow';

import { parseAwsTime } from '../awsTime';
import { isAwsRegion } from '../regions';

/** An AWS Marketplace seller event as an EventBridge API destination posts it. */
export interface EventBridgeEvent {
	version: string;
	id: string;
	'detail-type': string;
	source: string;
	account: string;
	time: string;
	region: string;
	resources?: string[];
	detail: IDataObject;
}

/**
 * Where AWS Marketplace's seller events come from (Seller Guide, "Amazon EventBridge events"):
 * agreements, licenses, cancellations and billing adjustments from aws.agreement-marketplace,
 * disbursements from aws.marketplace. The Catalog API's events (aws.marketplacecatalog: Offer
 * Released, Change Set Succeeded…) are about listings, not subscriptions; the discovery, private
 * marketplace and deployment sources are buyers' and administrators'.
 */
export const SELLER_EVENT_SOURCES = ['aws.agreement-marketplace', 'aws.marketplace'];

/** "The maximum size for a PutEvents event entry is 256 KB": EventBridge delivers nothing larger. */
export const MAX_EVENT_BYTES = 256 * 1024;

const isObject = (value: unknown): value is IDataObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown) => typeof value === 'string' && value !== '';

// The envelope EventBridge puts around every event: each field and what it must be.
const ENVELOPE: Array<[field: string, mustBe: string, holds: (value: unknown) => boolean]> = [
	['version', 'a string', isText],
	['id', 'a string', isText],
	['detail-type', 'a string', isText],
	['source', 'a string', isText],
	['account', 'a 12-digit AWS account ID', (value) => typeof value === 'string' && /^\d{12}$/.test(value)],
	['time', 'a time in ISO 8601, UTC', (value) => parseAwsTime(value) !== undefined],
	['region', 'an AWS Region', isAwsRegion],
	['resources', 'a list of ARNs when present', (value) => value === undefined || (Array.isArray(value) && value.every(isText))],
	['detail', 'an object', isObject],
];

export type CheckedEvent = { event: EventBridgeEvent } | { problem: string };

/**
 * The body as an AWS Marketplace seller event, or the rule it breaks: EventBridge's envelope, or a
 * source that is not AWS Marketplace's (an EC2 state change, a catalog change set). The problem
 * names the rule, never the value the body carried.
 */
export function checkEvent(body: unknown): CheckedEvent {
	if (!isObject(body)) return { problem: 'The body is not an EventBridge event' };
	const broken = ENVELOPE.find(([field, , holds]) => !holds(body[field]));
	if (broken) return { problem: `The body is not an EventBridge event: "${broken[0]}" must be ${broken[1]}` };
	if (!SELLER_EVENT_SOURCES.includes(body.source as string)) {
		return { problem: `The event is not an AWS Marketplace seller event: its source must be ${SELLER_EVENT_SOURCES.join(' or ')}` };
	}
	return { event: body as unknown as EventBridgeEvent };
}
