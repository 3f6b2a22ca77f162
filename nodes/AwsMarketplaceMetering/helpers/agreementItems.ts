import type { AgreementViewSummary, DescribeAgreementOutput } from '@aws-sdk/client-marketplace-agreement';
import type { IDataObject } from 'n8n-workflow';

/**
 * An SDK answer as item JSON: dates as ISO 8601, an union member the SDK does not know ({ $unknown: [name, value] })
 * under its name, and without the SDK's $metadata.
 */
export function plain(value: unknown): IDataObject {
	return toJson(value) as IDataObject;
}

function toJson(value: unknown): unknown {
	if (value instanceof Date) return value.toISOString();
	if (Array.isArray(value)) return value.map(toJson);
	if (value === null || typeof value !== 'object') return value;
	const unknown = (value as { $unknown?: [string, unknown] }).$unknown;
	if (unknown) return { [unknown[0]]: toJson(unknown[1]) };
	const entries = Object.entries(value).filter(([key, member]) => key !== '$metadata' && member !== undefined);
	return Object.fromEntries(entries.map(([key, member]) => [key, toJson(member)]));
}

const iso = (date: Date | undefined) => date?.toISOString() ?? null;

/**
 * One agreement, as DescribeAgreement or SearchAgreements answers it: its common fields at the top, named as the
 * AWS Marketplace Trigger names them (the acceptor is the customer), AWS's answer as `raw`. `extra` goes before raw.
 */
export function agreementItem(agreement: DescribeAgreementOutput | AgreementViewSummary, extra: IDataObject = {}): IDataObject {
	const [resource] = agreement.proposalSummary?.resources ?? [];
	return {
		agreementId: agreement.agreementId ?? '',
		status: agreement.status ?? '',
		agreementType: agreement.agreementType ?? '',
		customerAWSAccountId: agreement.acceptor?.accountId ?? '',
		proposerAccountId: agreement.proposer?.accountId ?? '',
		productId: resource?.id ?? '',
		productType: resource?.type ?? '',
		offerId: agreement.proposalSummary?.offerId ?? '',
		acceptanceTime: iso(agreement.acceptanceTime),
		startTime: iso(agreement.startTime),
		// Pay-as-you-go agreements have no end.
		endTime: iso(agreement.endTime),
		initialAgreementId: agreement.initialAgreementId ?? null,
		...extra,
		raw: plain(agreement),
	};
}
