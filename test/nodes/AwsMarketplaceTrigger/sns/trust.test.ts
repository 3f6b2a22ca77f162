import { isSigningCertificateUrl, isSnsUrl, TEST_SNS_ORIGIN_VARIABLE } from '../../../../nodes/AwsMarketplaceTrigger/sns/trust';

describe('SNS URLs the trigger trusts', () => {
	const none = {};

	it.each([
		['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem', true],
		['https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-a.pem', true],
		['http://sns.us-east-1.amazonaws.com/SimpleNotificationService-a.pem', false],
		['https://sns.us-east-1.amazonaws.com.example.com/SimpleNotificationService-a.pem', false],
		['https://example.com/sns.us-east-1.amazonaws.com/a.pem', false],
		['https://sns.us-east-1.amazonaws.com:8443/a.pem', false],
		['https://user@sns.us-east-1.amazonaws.com/a.pem', false],
		['https://evil-sns.us-east-1.amazonaws.com/a.pem', false],
		['https://sns.us-east-1.amazonaws.com/a.pem.txt', false],
		['https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription', false],
		['not a url', false],
	])('certificate %s: %s', (url, trusted) => {
		expect(isSigningCertificateUrl(url, none)).toBe(trusted);
	});

	it('accepts a SubscribeURL on an SNS host, with its query', () => {
		expect(isSnsUrl('https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:1:t&Token=abc', none)).toBe(true);
		expect(isSnsUrl('https://169.254.169.254/latest/meta-data/', none)).toBe(false);
		expect(isSnsUrl(undefined, none)).toBe(false);
	});

	it('trusts the test origin only when the variable names it, and only that exact origin', () => {
		const env = { [TEST_SNS_ORIGIN_VARIABLE]: 'http://127.0.0.1:4010' };
		expect(isSigningCertificateUrl('http://127.0.0.1:4010/_emulator/sns/cert.pem', env)).toBe(true);
		expect(isSigningCertificateUrl('http://127.0.0.1:4011/_emulator/sns/cert.pem', env)).toBe(false);
		expect(isSigningCertificateUrl('http://127.0.0.1:4010/_emulator/sns/cert.pem', none)).toBe(false);
		expect(isSnsUrl('http://127.0.0.1:4010/x', { [TEST_SNS_ORIGIN_VARIABLE]: 'not a url' })).toBe(false);
	});
});
