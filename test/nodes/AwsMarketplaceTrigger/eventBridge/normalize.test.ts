import { hasApiKey } from '../../../../nodes/AwsMarketplaceTrigger/eventBridge/apiKey';
import { parseDetailType } from '../../../../nodes/AwsMarketplaceTrigger/eventBridge/events';
import { deliveryKey, licenseArn, licenseId } from '../../../../nodes/AwsMarketplaceTrigger/eventBridge/normalize';

describe('EventBridge details', () => {
	it('compares the API key header whatever its case, and refuses an empty configured key', () => {
		expect(hasApiKey({ 'x-api-key': 'secret' }, { headerName: 'X-API-Key', apiKey: 'secret' })).toBe(true);
		expect(hasApiKey({ 'x-api-key': 'secret' }, { headerName: 'x-api-key', apiKey: 'Secret' })).toBe(false);
		expect(hasApiKey({ 'x-api-key': '' }, { headerName: 'x-api-key', apiKey: '' })).toBe(false);
		expect(hasApiKey({}, { headerName: 'x-api-key', apiKey: 'secret' })).toBe(false);
	});

	it('restores the arn: prefix AWS’s example omits, in every partition, and leaves full ARNs alone', () => {
		expect(licenseArn('aws:license-manager:us-east-1:123456789012:l-1')).toBe('arn:aws:license-manager::123456789012:license:l-1');
		expect(licenseArn('arn:aws:license-manager::123456789012:license/l-1')).toBe('arn:aws:license-manager::123456789012:license:l-1');
		expect(licenseArn('aws-cn:license-manager:cn-north-1:1:l-1')).toBe('arn:aws-cn:license-manager:cn-north-1:1:l-1');
		expect(licenseArn('aws-us-gov:license-manager::1:license:l-1')).toBe('arn:aws-us-gov:license-manager::1:license:l-1');
		expect(licenseArn('arn:aws:license-manager::1:license:l-1')).toBe('arn:aws:license-manager::1:license:l-1');
		expect(licenseArn(null)).toBeNull();
	});

	it('reads the license ID out of either ARN shape', () => {
		expect(licenseId('aws:license-manager:us-east-1:123456789012:l-e52ca6f38bf84d0fafb8802ca15ac11x')).toBe('l-e52ca6f38bf84d0fafb8802ca15ac11x');
		expect(licenseId('arn:aws:license-manager::123456789012:license:l-0123abcd')).toBe('l-0123abcd');
		expect(licenseId('arn:aws:license-manager::123456789012:license/l-0123abcd')).toBe('l-0123abcd');
		expect(licenseId('arn:aws:s3:::bucket')).toBeNull();
		expect(licenseId(null)).toBeNull();
	});

	it('reads the role from the detail-type, and knows no role for a bare one', () => {
		expect(parseDetailType('Purchase Agreement Created - Manufacturer')).toEqual({ event: 'agreementCreated', role: 'manufacturer' });
		expect(parseDetailType('Purchase Agreement Created - Acceptor')).toEqual({ event: 'agreementCreated', role: 'acceptor' });
		expect(parseDetailType('License Updated')).toEqual({ event: 'licenseUpdated', role: null });
		expect(parseDetailType('Offer Released')).toEqual({ event: 'other', role: null });
	});

	it('keys a delivery by detail-type and requestId, else the event id', () => {
		const envelope = { version: '0', id: 'e', 'detail-type': 'A - Proposer', source: 'aws.agreement-marketplace', account: '123456789012', time: '2024-08-30T21:36:03Z', region: 'us-east-1' };
		expect(deliveryKey({ ...envelope, detail: { requestId: 'r' } })).toBe('A - Proposer|r');
		expect(deliveryKey({ ...envelope, detail: {} })).toBe('A - Proposer|e');
	});
});
