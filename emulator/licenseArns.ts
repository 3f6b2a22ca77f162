// AWS's documents disagree on how a license ARN is spelled: License Manager writes
// arn:aws:license-manager::<account>:license:l-…, the Resolve Customer documentation …:license/l-…, and the
// EventBridge events aws:license-manager:<region>:<account>:l-…. The emulator can play each reading.

/** How ResolveCustomer spells the license ARNs it issues. */
export type LicenseArnSpelling = 'license:' | 'license/';

export const LICENSE_ARN_SPELLINGS: readonly LicenseArnSpelling[] = ['license:', 'license/'];

const LICENSE_ARN = /^(?:arn:)?(aws[a-zA-Z-]*):license-manager:[a-z0-9-]*:([0-9]{12}):(?:license[:/])?(l-[0-9a-zA-Z]+)$/;

/** The license an ARN names in any of AWS's spellings (partition, account, license ID); undefined if none. */
export function licenseOf(arn: string): string | undefined {
	const parts = LICENSE_ARN.exec(arn);
	return parts ? `${parts[1]}:${parts[2]}:${parts[3]}` : undefined;
}

/** The ARN in the given spelling; as configured without one (or if it is no license ARN). */
export function spellLicenseArn(arn: string, spelling: LicenseArnSpelling | undefined): string {
	const parts = spelling && LICENSE_ARN.exec(arn);
	return parts ? `arn:${parts[1]}:license-manager::${parts[2]}:license${spelling === 'license:' ? ':' : '/'}${parts[3]}` : arn;
}
