// A license's ARN as AWS spells it in different places: Resolve Customer and License Manager
// (arn:aws:license-manager::<account>:license:l-…), the EventBridge license events (no `arn:`, a
// Region, no `license` part: aws:license-manager:us-east-1:<account>:l-…), and documents that write
// the resource `license/l-…`. The canonical spelling is the key the package matches licenses on;
// what goes to AWS is the spelling AWS issued (see sentLicenseArn), since AWS may key usage on it.

const LICENSE_ARN = /^(?:arn:)?(aws[a-zA-Z-]*):license-manager:[a-z0-9-]{0,63}:([0-9]{12}):(?:license[:/])?(l-[0-9a-zA-Z]{1,1000})$/;

/**
 * The one spelling of a license ARN the package matches licenses on (usage keys, license rows,
 * reports): arn:<partition>:license-manager::<account>:license:l-…; undefined for anything that is
 * not a License Manager license ARN in one of AWS's spellings.
 */
export function canonicalLicenseArn(arn: string): string | undefined {
	const parts = LICENSE_ARN.exec(arn.trim());
	return parts ? `arn:${parts[1]}:license-manager::${parts[2]}:license:${parts[3]}` : undefined;
}

/** The license's own ID (l-…), the same in every spelling of its ARN. */
export function licenseIdOf(arn: string): string | undefined {
	return LICENSE_ARN.exec(arn.trim())?.[3];
}

/**
 * The spelling to send to AWS when it differs from the canonical one: a full ARN (`arn:…`) as given,
 * which may be the one AWS issued. EventBridge's spelling without `arn:` is not an ARN AWS takes: undefined.
 */
export function givenLicenseArn(arn: string): string | undefined {
	const given = arn.trim();
	return given.startsWith('arn:') && given !== canonicalLicenseArn(given) && LICENSE_ARN.test(given) ? given : undefined;
}
