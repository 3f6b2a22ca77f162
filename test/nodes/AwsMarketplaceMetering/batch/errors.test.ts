import { classifyError, describeSendError, errorName } from '../../../../nodes/AwsMarketplaceMetering/batch';

function awsError(name: string, markers: { $fault?: 'client' | 'server'; $retryable?: object; status?: number } = {}, message = 'said'): Error {
	return Object.assign(new Error(message), { name, $fault: markers.$fault, $retryable: markers.$retryable, $metadata: { httpStatusCode: markers.status } });
}

describe('classifyError', () => {
	it.each([
		['InvalidUsageDimensionException', 'isolate'],
		['TimestampOutOfBoundsException', 'isolate'],
		['InvalidProductCodeException', 'rejectRequest'],
		['AccessDeniedException', 'fatal'],
		['ExpiredTokenException', 'fatal'],
		['ThrottlingException', 'transient'],
	])('%s by its name: %s', (name, kind) => {
		expect(classifyError(awsError(name, { $fault: 'client' }))).toBe(kind);
	});

	it('an HTTP 413 without a name is isolated', () => {
		expect(classifyError(awsError('UnknownError', { status: 413 }))).toBe('isolate');
	});

	it("an exception AWS adds later is classified by the SDK's markers", () => {
		expect(classifyError(awsError('NewRuleException', { $fault: 'client' }))).toBe('isolate');
		expect(classifyError(awsError('NewLimitException', { $fault: 'client', $retryable: { throttling: true } }))).toBe('transient');
		expect(classifyError(awsError('NewOutageException', { $fault: 'server' }))).toBe('transient');
		expect(classifyError(awsError('RequestThrottledException', { $fault: 'client' }))).toBe('transient');
		expect(classifyError(awsError('UnknownError', { $fault: 'client', status: 429 }))).toBe('transient');
		expect(classifyError(awsError('NewAuthException', { $fault: 'client', status: 403 }))).toBe('fatal');
	});

	it('a network error without markers is resent; the SDK\'s own timeout ends the run', () => {
		expect(classifyError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe('transient');
		expect(classifyError(awsError('TimeoutError', {}, 'Connection timed out after 5000 ms of inactivity'))).toBe('timeout');
	});
});

describe('describeSendError', () => {
	it("says what AWS said and what the engine did, and leaves AWS's advice to the node", () => {
		expect(describeSendError(awsError('InvalidUsageDimensionException', { $fault: 'client' }, 'bad dimension'))).toEqual({
			code: 'InvalidUsageDimensionException',
			message: 'AWS rejected this usage record (InvalidUsageDimensionException: bad dimension.)',
		});
		expect(describeSendError(awsError('AccessDeniedException', { $fault: 'client' }, 'denied')).message).toBe(
			'AWS refused the request (AccessDeniedException: denied.) Sending stopped: no further requests were made with these credentials.',
		);
	});

	it('names a network error by its code', () => {
		expect(errorName(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
	});
});
