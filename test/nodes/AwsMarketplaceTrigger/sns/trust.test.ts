import { isSigningCertificateUrl, isSnsUrl, TEST_SNS_ORIGIN_VARIABLE, testSnsOrigin } from '../../../../nodes/AwsMarketplaceTrigger/sns/trust';

describe('SNS URLs the trigger trusts', () => {
	const none = {};

	it.each([
		['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem', true],
		['https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-a.pem', true],
		['https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-a.pem', true],
		['https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-a.pem', true],
		['https://sns.us-east-1.amazonaws.com.cn/SimpleNotificationService-a.pem', false],
		['https://sns.cn-north-1.amazonaws.com/SimpleNotificationService-a.pem', false],
		['https://sns.nonexistent-region.amazonaws.com/SimpleNotificationService-a.pem', false],
		['https://sns-certificates.s3.amazonaws.com/SimpleNotificationService-a.pem', false],
		['https://sns.us-east-1.amazonaws.com.s3.amazonaws.com/SimpleNotificationService-a.pem', false],
		['http://sns.us-east-1.amazonaws.com/SimpleNotificationService-a.pem', false],
		['https://sns.us-east-1.amazonaws.com.example.com/SimpleNotificationService-a.pem', false],
		['https://example.com/sns.us-east-1.amazonaws.com/a.pem', false],
		['https://sns.us-east-1.amazonaws.com:8443/a.pem', false],
		['https://user@sns.us-east-1.amazonaws.com/a.pem', false],
		['https://evil-sns.us-east-1.amazonaws.com/a.pem', false],
		['https://sns.us-east-1.amazonaws.com/a.pem.txt', false],
		['https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription', false],
		['data:text/plain,-----BEGIN CERTIFICATE-----.pem', false],
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
		const env = { [TEST_SNS_ORIGIN_VARIABLE]: 'https://127.0.0.1:4010' };
		expect(isSigningCertificateUrl('https://127.0.0.1:4010/SimpleNotificationService-emulator.pem', env)).toBe(true);
		expect(isSigningCertificateUrl('https://127.0.0.1:4011/SimpleNotificationService-emulator.pem', env)).toBe(false);
		expect(isSigningCertificateUrl('http://127.0.0.1:4010/SimpleNotificationService-emulator.pem', env)).toBe(false);
		expect(isSigningCertificateUrl('https://127.0.0.1:4010/SimpleNotificationService-emulator.pem', none)).toBe(false);
	});

	it.each(['https://127.0.0.1:4010', 'https://127.8.9.10:4010/', 'https://localhost:4010', 'https://[::1]:4010', 'https://0x7f.1:4010'])('takes %s as a test origin', (origin) => {
		expect(testSnsOrigin({ [TEST_SNS_ORIGIN_VARIABLE]: origin })).toBe(new URL(origin).origin);
	});

	it.each([
		// Parsed as the scheme "localhost:", whose origin "null" every data: URL shares.
		'localhost:4010',
		'127.0.0.1:4010',
		'http://127.0.0.1:4010',
		'https://10.0.0.1:4010',
		'https://[::2]:4010',
		'https://127.0.0.1.nip.io:4010',
		'https://localhost.example.com',
		'https://127.0.0.1:4010/sns',
		'https://127.0.0.1:4010/?a=b',
		'https://user:secret@127.0.0.1:4010',
		'not a url',
	])('refuses %s as a test origin, when asked and when a URL would need it', (origin) => {
		const env = { [TEST_SNS_ORIGIN_VARIABLE]: origin };
		const refusal = `${TEST_SNS_ORIGIN_VARIABLE} must be an https origin on a loopback address`;
		expect(() => testSnsOrigin(env)).toThrow(refusal);
		expect(() => isSigningCertificateUrl('https://127.0.0.1:4010/SimpleNotificationService-emulator.pem', env)).toThrow(refusal);
		expect(isSigningCertificateUrl('data:text/plain,-----BEGIN CERTIFICATE-----.pem', env)).toBe(false);
	});

	it('has no test origin when the variable is unset or empty', () => {
		expect(testSnsOrigin(none)).toBeUndefined();
		expect(testSnsOrigin({ [TEST_SNS_ORIGIN_VARIABLE]: '' })).toBeUndefined();
	});
});
