import type { IDataObject } from 'n8n-workflow';

import { canonicalLicenseArn } from '../../shared/ledger/licenseArn';
import type { EventBridgeEvent } from './envelope';
import { parseDetailType } from './events';

// An end that continues the subscription under another agreement.
const CONTINUING_STATUSES = new Set(['RENEWED', 'REPLACED']);

const isObject = (value: unknown): value is IDataObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The string at `path` inside `value`, or null. */
function text(value: unknown, ...path: string[]): string | null {
	let current = value;
	for (const key of path) current = isObject(current) ? current[key] : undefined;
	return typeof current === 'string' && current !== '' ? current : null;
}

/**
 * AWS's license events spell the ARN unlike Resolve Customer (no `arn:`, a Region, no `license:`
 * part): the canonical spelling, which Batch Meter Usage takes and the ledger keys on; anything
 * else with the `arn:` it lacks.
 */
export function licenseArn(arn: string | null): string | null {
	if (arn === null) return null;
	return canonicalLicenseArn(arn) ?? (/^aws(-[a-z]+)*:/.test(arn) ? `arn:${arn}` : arn);
}

/** The license's own ID (l-…), in every spelling of its ARN. */
export function licenseId(arn: string | null): string | null {
	return /[:/](l-[0-9a-zA-Z]+)$/.exec(arn ?? '')?.[1] ?? null;
}

/** The delivery's identity for deduplication: AWS's requestId (else the event id), per detail-type. */
export function deliveryKey(event: EventBridgeEvent): string {
	return `${event['detail-type']}|${text(event.detail, 'requestId') ?? event.id}`;
}

/**
 * One output item per event: what the event says, in the same fields whatever its type (null when
 * the event does not carry them), and the event itself as `raw`. Agreement, license, cancellation
 * and billing events name the same things in different places.
 */
export function normalizeEvent(event: EventBridgeEvent): IDataObject {
	const { event: name, role } = parseDetailType(event['detail-type']);
	const { detail } = event;
	const status = text(detail, 'agreement', 'status');
	const autoRenewal = isObject(detail.agreement) ? detail.agreement.autoRenewalEnabled : undefined;
	return {
		source: 'eventBridge',
		event: name,
		role,
		detailType: event['detail-type'],
		eventId: text(event, 'id'),
		requestId: text(detail, 'requestId'),
		time: text(event, 'time'),
		agreementId: text(detail, 'agreement', 'id'),
		previousAgreementId: text(detail, 'agreement', 'previousAgreementId'),
		intent: text(detail, 'agreement', 'intent'),
		status,
		isCancellation: name === 'agreementEnded' && !CONTINUING_STATUSES.has(status ?? ''),
		licenseArn: licenseArn(text(detail, 'license', 'arn')),
		licenseId: licenseId(text(detail, 'license', 'arn')),
		productCode: text(detail, 'product', 'code'),
		productId: text(detail, 'product', 'id') ?? text(detail, 'agreement', 'productId'),
		offerId: text(detail, 'offer', 'id') ?? text(detail, 'agreement', 'offerId'),
		customerAWSAccountId: text(detail, 'acceptor', 'accountId') ?? text(detail, 'agreement', 'acceptorId'),
		proposerAccountId: text(detail, 'proposer', 'accountId') ?? text(detail, 'agreement', 'proposerId'),
		resaleAuthorizationId: text(detail, 'resaleAuthorization', 'id'),
		acceptanceTime: text(detail, 'agreement', 'acceptanceTime'),
		startTime: text(detail, 'agreement', 'startTime'),
		endTime: text(detail, 'agreement', 'endTime'),
		autoRenewalEnabled: typeof autoRenewal === 'boolean' ? autoRenewal : null,
		cancellationRequest: isObject(detail.agreementCancellationRequest) ? detail.agreementCancellationRequest : null,
		billingAdjustment: isObject(detail.billingAdjustmentRequest) ? detail.billingAdjustmentRequest : null,
		raw: event as unknown as IDataObject,
	};
}
