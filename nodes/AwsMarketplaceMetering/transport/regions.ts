// The Regions AWS lists for the Metering API ("Supported AWS Regions for the AWS Marketplace Metering API"), labelled
// the way n8n's own AWS credential labels them. AWS lists cn-northwest-1 for Batch Meter Usage and the GovCloud (US)
// Regions for Meter Usage from EC2; ca-west-1, which that page does not list, stays for credentials that use it.
const REGIONS: Array<[code: string, place: string]> = [
	['us-east-1', 'US East (N. Virginia)'],
	['us-east-2', 'US East (Ohio)'],
	['us-west-1', 'US West (N. California)'],
	['us-west-2', 'US West (Oregon)'],
	['af-south-1', 'Africa (Cape Town)'],
	['ap-east-1', 'Asia Pacific (Hong Kong)'],
	['ap-northeast-1', 'Asia Pacific (Tokyo)'],
	['ap-northeast-2', 'Asia Pacific (Seoul)'],
	['ap-northeast-3', 'Asia Pacific (Osaka)'],
	['ap-south-1', 'Asia Pacific (Mumbai)'],
	['ap-south-2', 'Asia Pacific (Hyderabad)'],
	['ap-southeast-1', 'Asia Pacific (Singapore)'],
	['ap-southeast-2', 'Asia Pacific (Sydney)'],
	['ap-southeast-3', 'Asia Pacific (Jakarta)'],
	['ap-southeast-4', 'Asia Pacific (Melbourne)'],
	['ca-central-1', 'Canada (Central)'],
	['ca-west-1', 'Canada West (Calgary)'],
	['eu-central-1', 'Europe (Frankfurt)'],
	['eu-central-2', 'Europe (Zurich)'],
	['eu-north-1', 'Europe (Stockholm)'],
	['eu-south-1', 'Europe (Milan)'],
	['eu-south-2', 'Europe (Spain)'],
	['eu-west-1', 'Europe (Ireland)'],
	['eu-west-2', 'Europe (London)'],
	['eu-west-3', 'Europe (Paris)'],
	['il-central-1', 'Israel (Tel Aviv)'],
	['me-central-1', 'Middle East (UAE)'],
	['me-south-1', 'Middle East (Bahrain)'],
	['sa-east-1', 'South America (São Paulo)'],
	['cn-northwest-1', 'China (Ningxia)'],
	['us-gov-east-1', 'US East (GovCloud)'],
	['us-gov-west-1', 'US West (GovCloud)'],
];

export const METERING_REGIONS = REGIONS.map(([value, place]) => ({ name: `${place} - ${value}`, value }));
