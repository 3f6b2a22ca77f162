import { NodeOperationError, type IDataObject, type IExecuteFunctions, type IWebhookFunctions } from 'n8n-workflow';

import type { LicenseChange, LicenseState } from '../shared/ledger';
import { canonicalLicenseArn } from '../shared/ledger/licenseArn';
import { getLedger, type LedgerChoice } from '../shared/openLedger';
import { parseAwsTime } from './awsTime';

// What each lifecycle event tells of a license: License Updated provisions it, License Deprovisioned
// revokes it; the agreement events carry no license, so they change every license of their agreement.
const LICENSE_STATES: Record<string, LicenseState> = { licenseUpdated: 'active', licenseDeprovisioned: 'ended' };
const AGREEMENT_STATES: Record<string, LicenseState> = { agreementCreated: 'active', agreementAmended: 'active' };

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The license change an event tells, at the event's own time; none for other events, an agreement
 * that ended by renewal or replacement (the subscription goes on), or a license ARN in no spelling of AWS's.
 */
export function licenseChangeOf(item: IDataObject): LicenseChange | undefined {
	const time = parseAwsTime(item.time);
	const event = item.event as string;
	if (time === undefined) return undefined;
	const common = { happenedAt: new Date(time), source: 'lifecycleEvent' as const, detail: text(item.detailType) };
	const agreementId = text(item.agreementId);
	if (LICENSE_STATES[event]) {
		const licenseArn = canonicalLicenseArn(text(item.licenseArn) ?? '');
		if (!licenseArn) return undefined;
		const fields = { agreementId, customerAWSAccountId: text(item.customerAWSAccountId), productCode: text(item.productCode) };
		return { licenseArn, state: LICENSE_STATES[event], ...common, ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value)) };
	}
	if (!agreementId) return undefined;
	if (AGREEMENT_STATES[event]) return { agreementId, state: AGREEMENT_STATES[event], ...common };
	if (event === 'agreementEnded' && item.isCancellation === true) return { agreementId, state: 'cancelling', ...common };
	return undefined;
}

/**
 * With a metering ledger and Keep Licenses Current in Ledger, records what the event tells of its
 * licenses, before the delivery is acknowledged: should the ledger fail, n8n answers 500 and
 * EventBridge delivers the event again (recording it twice changes nothing).
 */
export async function keepLicensesCurrent(this: IWebhookFunctions, item: IDataObject): Promise<void> {
	const choice = this.getNodeParameter('ledger', 'none') as LedgerChoice;
	if (choice === 'none' || this.getNodeParameter('recordLicenses', true) !== true) return;
	const change = licenseChangeOf(item);
	if (!change) return;
	try {
		// getLedger reads only the ledger credential, through the getCredentials webhooks share.
		const ledger = (await getLedger.call(this as unknown as IExecuteFunctions, choice))!;
		try {
			await ledger.recordLicenseChanges([change], { now: new Date() });
		} finally {
			await ledger.close();
		}
	} catch (error) {
		throw new NodeOperationError(this.getNode(), `Could not record the license change in the metering ledger: ${(error as Error).message}`);
	}
}
