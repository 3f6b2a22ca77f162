// Every AWS Region, as AWS lists them ("AWS Region billing codes"), by the domain its partition's
// endpoints use. Amazon SNS and EventBridge run in each. A Region AWS opens later is added here.
const DOMAINS: Record<string, string[]> = {
	'amazonaws.com': [
		'us-east-1',
		'us-east-2',
		'us-west-1',
		'us-west-2',
		'ca-central-1',
		'ca-west-1',
		'mx-central-1',
		'af-south-1',
		'ap-east-1',
		'ap-east-2',
		'ap-northeast-1',
		'ap-northeast-2',
		'ap-northeast-3',
		'ap-south-1',
		'ap-south-2',
		'ap-southeast-1',
		'ap-southeast-2',
		'ap-southeast-3',
		'ap-southeast-4',
		'ap-southeast-5',
		'ap-southeast-6',
		'ap-southeast-7',
		'eu-central-1',
		'eu-central-2',
		'eu-north-1',
		'eu-south-1',
		'eu-south-2',
		'eu-west-1',
		'eu-west-2',
		'eu-west-3',
		'il-central-1',
		'me-central-1',
		'me-south-1',
		'sa-east-1',
		// AWS GovCloud (US) shares the commercial domain.
		'us-gov-east-1',
		'us-gov-west-1',
	],
	'amazonaws.com.cn': ['cn-north-1', 'cn-northwest-1'],
};

const DOMAIN_BY_REGION = new Map(Object.entries(DOMAINS).flatMap(([domain, regions]) => regions.map((region) => [region, domain] as const)));

export const AWS_REGIONS = [...DOMAIN_BY_REGION.keys()];

export const isAwsRegion = (value: unknown): value is string => typeof value === 'string' && DOMAIN_BY_REGION.has(value);

/** A service's endpoint host in a Region: sns.us-east-1.amazonaws.com, sns.cn-north-1.amazonaws.com.cn. */
export const endpointHost = (service: string, region: string): string => `${service}.${region}.${DOMAIN_BY_REGION.get(region)}`;
