import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';

import { readTemplate, templateErrors, type Template } from '../helpers/cloudformation';

const ROOT = join(__dirname, '..', '..');
const spec = loadAwsServiceSpecSync();
const template = readTemplate(join(ROOT, 'cloudformation', 'marketplace-events.yaml'));

/** The bash block of the AWS CLI setup, as the docs give it. */
const cli = readFileSync(join(ROOT, 'docs', 'trigger.md'), 'utf8').match(/### Set up with the AWS CLI[\s\S]*?```bash\n([\s\S]*?)```/)![1];

function resource(type: string): NonNullable<Template['Resources'][string]['Properties']> {
	const found = Object.values(template.Resources).filter((candidate) => candidate.Type === type);
	expect(found).toHaveLength(1);
	return found[0].Properties!;
}

describe('cloudformation/marketplace-events.yaml', () => {
	it("passes AWS's resource specification: types, properties, required properties, Ref and GetAtt targets", () => {
		expect(templateErrors(template, spec)).toEqual([]);
	});

	it('the check finds what CloudFormation would refuse', () => {
		const broken = structuredClone(template);
		broken.Resources.Rule.Properties!.Targets = [{ Id: 'n8n', Arn: { 'Fn::GetAtt': ['Destination', 'Url'] }, Retry: {} }];
		delete broken.Resources.Destination.Properties!.HttpMethod;
		broken.Resources.Connection.Properties!.AuthorizationType = 'API-KEY';
		broken.Resources.Queue = { Type: 'AWS::SQS::Queues' };
		expect(templateErrors(broken, spec)).toEqual([
			'Connection.AuthorizationType: API-KEY is not one of API_KEY, BASIC, OAUTH_CLIENT_CREDENTIALS',
			'Destination: HttpMethod is required',
			'Rule.Targets[0].Arn: AWS::Events::ApiDestination has no attribute Url',
			'Rule.Targets[0]: no property Retry',
			'Queue: no resource type AWS::SQS::Queues',
		]);
	});

	it('sets up what the AWS CLI commands set up', () => {
		const rule = resource('AWS::Events::Rule');
		const pattern = JSON.parse(cli.match(/put-rule .*--event-pattern '([\s\S]*?)'/)![1]);
		expect(rule.EventPattern).toEqual(pattern);
		const [target] = rule.Targets as Array<Record<string, unknown>>;
		const cliTarget = JSON.parse(cli.match(/--targets "(\[[\s\S]*?\])"/)![1].replace(/\\"/g, '"').replace(/"\$\w+"/g, '"ref"'));
		expect(target.RetryPolicy).toEqual(cliTarget[0].RetryPolicy);
		expect(resource('AWS::Events::Connection').AuthParameters).toMatchObject({ ApiKeyAuthParameters: { ApiKeyName: cli.match(/"ApiKeyName\\":\\"([^\\]+)/)![1] } });
		const destination = resource('AWS::Events::ApiDestination');
		expect(destination.HttpMethod).toBe(cli.match(/--http-method (\w+)/)![1]);
		expect(String(destination.InvocationRateLimitPerSecond)).toBe(cli.match(/--invocation-rate-limit-per-second (\d+)/)![1]);
		expect(String(resource('AWS::SQS::Queue').MessageRetentionPeriod)).toBe(cli.match(/MessageRetentionPeriod=(\d+)/)![1]);
	});
});
