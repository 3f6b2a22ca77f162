import { FOREIGN_EVENTS } from '../../../../emulator/foreignEvents';
import { LIFECYCLE_EXAMPLES } from '../../../../emulator/lifecycleExamples';
import { checkEvent } from '../../../../nodes/AwsMarketplaceTrigger/eventBridge/envelope';

const LICENSE_UPDATED = LIFECYCLE_EXAMPLES['License Updated - Manufacturer'];
const problem = (body: unknown) => {
	const checked = checkEvent(body);
	return 'problem' in checked ? checked.problem : null;
};
const withField = (field: string, value: unknown) => ({ ...LICENSE_UPDATED, [field]: value });

describe('The EventBridge envelope of an AWS Marketplace seller event', () => {
	it('takes every documented seller event as it is', () => {
		for (const example of Object.values(LIFECYCLE_EXAMPLES)) expect(problem(example)).toBeNull();
	});

	it.each([
		['version', undefined, '"version" must be a string'],
		['id', undefined, '"id" must be a string'],
		['id', '', '"id" must be a string'],
		['detail-type', 7, '"detail-type" must be a string'],
		['source', undefined, '"source" must be a string'],
		['account', '12345678901', '"account" must be a 12-digit AWS account ID'],
		['account', '<ISV/CP account id>', '"account" must be a 12-digit AWS account ID'],
		['time', '2024-08-30 21:36:03', '"time" must be a time in ISO 8601, UTC'],
		['time', '2024-13-30T21:36:03Z', '"time" must be a time in ISO 8601, UTC'],
		['region', 'us-nowhere-1', '"region" must be an AWS Region'],
		['resources', 'arn:aws:aws-marketplace::aws:agreement:agmt-1', '"resources" must be a list of ARNs when present'],
		['resources', [1], '"resources" must be a list of ARNs when present'],
		['detail', undefined, '"detail" must be an object'],
		['detail', [], '"detail" must be an object'],
	])('refuses %s = %j: %s', (field, value, rule) => {
		expect(problem(withField(field, value))).toBe(`The body is not an EventBridge event: ${rule}`);
	});

	it('refuses what is no object at all', () => {
		for (const body of [undefined, 'text', [LICENSE_UPDATED], null]) expect(problem(body)).toBe('The body is not an EventBridge event');
	});

	it('takes an event without resources, an event in the China partition', () => {
		const { resources: _resources, ...withoutResources } = LICENSE_UPDATED;
		expect(problem(withoutResources)).toBeNull();
		expect(problem(withField('region', 'cn-northwest-1'))).toBeNull();
	});

	it('takes the sources of AWS Marketplace seller events only', () => {
		const notSellerEvent = 'The event is not an AWS Marketplace seller event: its source must be aws.agreement-marketplace or aws.marketplace';
		expect(problem(FOREIGN_EVENTS['EC2 Instance State-change Notification'])).toBe(notSellerEvent);
		expect(problem(FOREIGN_EVENTS['Offer Released'])).toBe(notSellerEvent);
		for (const source of ['aws.private-marketplace', 'aws.discovery-marketplace', 'aws.marketplace.evil', 'AWS.MARKETPLACE']) {
			expect(problem(withField('source', source))).toBe(notSellerEvent);
		}
		expect(problem(withField('source', 'aws.marketplace'))).toBeNull();
	});
});
