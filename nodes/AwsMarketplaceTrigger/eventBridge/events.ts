// The seller events AWS Marketplace sends to EventBridge (source aws.agreement-marketplace), as its
// seller guide lists them: the detail-type is "<name> - <role>", the role being the recipient's
// (Proposer, Manufacturer; buyers get Acceptor). A detail-type not listed here is event 'other'.

export interface EventType {
	/** The `event` field of the output, and the value in the Events parameter. */
	event: string;
	/** The detail-type without its role suffix. */
	detailType: string;
	description: string;
}

export const EVENT_TYPES: EventType[] = [
	{ event: 'agreementCreated', detailType: 'Purchase Agreement Created', description: 'A new, renewed (intent RENEW) or replacing (REPLACE) agreement' },
	{ event: 'agreementAmended', detailType: 'Purchase Agreement Amended', description: 'An agreement was amended (intent AMEND)' },
	{ event: 'agreementEnded', detailType: 'Purchase Agreement Ended', description: 'An agreement was cancelled, expired, terminated, renewed or replaced (see its status)' },
	{ event: 'licenseUpdated', detailType: 'License Updated', description: 'A license was provisioned or its entitlements changed: it can be metered' },
	{ event: 'licenseDeprovisioned', detailType: 'License Deprovisioned', description: 'A license is being revoked: send its final usage now' },
	{ event: 'agreementEnding', detailType: 'Purchase Agreement Ending', description: '180, 120, 90, 60 and 30 days before an agreement ends' },
	{ event: 'renewalTermsFinalized', detailType: 'Purchase Agreement Renewal Terms Finalized', description: 'The renewal price of a percentage-range offer is final' },
	{ event: 'renewalUpcoming', detailType: 'Purchase Agreement Renewal Upcoming', description: 'An agreement reached its renewal decision deadline and will renew' },
	{ event: 'agreementAdvisoryIssued', detailType: 'Purchase Agreement Advisory Issued', description: 'An advisory that might affect an agreement' },
	{ event: 'agreementAdvisoryResolved', detailType: 'Purchase Agreement Advisory Resolved', description: 'An advisory affecting an agreement was resolved' },
	{ event: 'cancellationRequestPendingApproval', detailType: 'Agreement Cancellation Request Pending Approval', description: 'A cancellation request awaits the buyer’s approval' },
	{ event: 'cancellationRequestApproved', detailType: 'Agreement Cancellation Request Approved', description: 'The buyer approved a cancellation request, or 7 days passed' },
	{ event: 'cancellationRequestRejected', detailType: 'Agreement Cancellation Request Rejected', description: 'The buyer rejected a cancellation request' },
	{ event: 'cancellationRequestCancelled', detailType: 'Agreement Cancellation Request Cancelled', description: 'The seller withdrew a cancellation request' },
	{ event: 'cancellationRequestValidationFailed', detailType: 'Agreement Cancellation Request Validation Failed', description: 'A cancellation request failed validation' },
	{ event: 'billingAdjustmentCompleted', detailType: 'Purchase Agreement Billing Adjustment Completed', description: 'A billing adjustment (refund) was processed' },
	{ event: 'billingAdjustmentFailed', detailType: 'Purchase Agreement Billing Adjustment Failed', description: 'A billing adjustment failed validation' },
];

export const OTHER_EVENT = 'other';

/** The subscription lifecycle a SaaS seller acts on; the Events parameter's default. */
export const LIFECYCLE_EVENTS = ['agreementCreated', 'agreementAmended', 'agreementEnded', 'licenseUpdated', 'licenseDeprovisioned'];

export type Role = 'proposer' | 'manufacturer' | 'acceptor';

const ROLE_SUFFIX = / - (Proposer|Manufacturer|Acceptor)$/;

/** Which event a detail-type is, and for which role. */
export function parseDetailType(detailType: string): { event: string; role: Role | null } {
	const suffix = ROLE_SUFFIX.exec(detailType);
	const name = suffix ? detailType.slice(0, suffix.index) : detailType;
	const known = EVENT_TYPES.find((type) => type.detailType === name);
	return {
		event: known?.event ?? OTHER_EVENT,
		role: suffix ? (suffix[1].toLowerCase() as Role) : null,
	};
}
