import type { IDataObject } from 'n8n-workflow';

import { CONSTRAINTS, checkLicenseArn, checkProductCode, checkText } from '../batch';
import type { License, LicenseAnswer } from '../../shared/ledger';

/** A license as the ledger holds it, times in ISO 8601; what the ledger does not know is null. */
export function licenseJson(license: License): IDataObject {
	return {
		licenseArn: license.licenseArn,
		licenseId: license.licenseId,
		customerAWSAccountId: license.customerAWSAccountId ?? null,
		customerIdentifier: license.customerIdentifier ?? null,
		productCode: license.productCode ?? null,
		agreementId: license.agreementId ?? null,
		state: license.state,
		stateChangedAt: license.stateChangedAt.toISOString(),
		stateSource: license.stateSource,
		startedAt: license.startedAt?.toISOString() ?? null,
		endedAt: license.endedAt?.toISOString() ?? null,
		issuedLicenseArn: license.issuedLicenseArn ?? null,
	};
}

/** The answer for one license: what the change did, and the license as it now is. */
export function licenseAnswerJson(answer: LicenseAnswer): IDataObject {
	return { licenseResult: answer.result, ...(answer.licenses[0] ? licenseJson(answer.licenses[0]) : {}) };
}

/**
 * The fields of a license change as a seller or AWS gives them, checked by AWS's rules: the license
 * ARN in any of AWS's spellings (as given), optional account ID and product code.
 * Throws the rule a field breaks.
 */
export function checkLicenseFields(fields: { licenseArn: unknown; customerAWSAccountId?: unknown; productCode?: unknown }): {
	licenseArn: string;
	customerAWSAccountId?: string;
	productCode?: string;
} {
	const text = (value: unknown) => (typeof value === 'string' ? value.trim() : value);
	const given = (value: unknown) => value !== undefined && value !== null && text(value) !== '';
	const arn = checkLicenseArn(text(fields.licenseArn));
	if (!arn.ok) throw new Error(arn.error.message);
	// As given: the ledger matches on the canonical spelling and keeps a full ARN as the one AWS issued.
	const result: { licenseArn: string; customerAWSAccountId?: string; productCode?: string } = { licenseArn: text(fields.licenseArn) as string };
	if (given(fields.customerAWSAccountId)) {
		const account = checkText(text(fields.customerAWSAccountId), CONSTRAINTS.customerAWSAccountId, 'InvalidCustomerAWSAccountId', 'customerAWSAccountId');
		if (!account.ok) throw new Error(account.error.message);
		result.customerAWSAccountId = account.value;
	}
	if (given(fields.productCode)) {
		const product = checkProductCode(text(fields.productCode));
		if (!product.ok) throw new Error(product.error.message);
		result.productCode = product.value;
	}
	return result;
}
