// STS over the awsQuery protocol (form-encoded POST, XML answers): AssumeRole issues temporary credentials the
// emulator then accepts; GetCallerIdentity names the signer.
import { randomUUID } from 'node:crypto';

import type { Caller, CredentialStore } from './credentials';
import { ServiceError } from './errors';

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

/** STS names the authentication and validation failures differently from awsJson services. */
const STS_CODES: Record<string, { code: string; status: number }> = {
	UnrecognizedClientException: { code: 'InvalidClientTokenId', status: 403 },
	InvalidSignatureException: { code: 'SignatureDoesNotMatch', status: 403 },
	IncompleteSignatureException: { code: 'IncompleteSignature', status: 400 },
	MissingAuthenticationTokenException: { code: 'MissingAuthenticationToken', status: 403 },
	ExpiredTokenException: { code: 'ExpiredTokenException', status: 400 },
	AccessDeniedException: { code: 'AccessDenied', status: 403 },
	ValidationException: { code: 'ValidationError', status: 400 },
};

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);

/** A tiny XML writer for nested elements of text. */
type XmlTree = { [element: string]: string | number | XmlTree };
const xml = (tree: XmlTree): string =>
	Object.entries(tree)
		.map(([name, value]) => `<${name}>${typeof value === 'object' ? xml(value) : escapeXml(String(value))}</${name}>`)
		.join('');

const document = (operation: string, result: XmlTree, requestId: string) =>
	`<${operation}Response xmlns="${NAMESPACE}">${xml({ [`${operation}Result`]: result, ResponseMetadata: { RequestId: requestId } })}</${operation}Response>\n`;

/** The STS form of an error: its code, HTTP status and XML body. */
export function stsError(error: ServiceError, requestId: string): { code: string; status: number; xml: string } {
	const { code, status } = STS_CODES[error.type] ?? { code: error.type, status: error.status };
	const type = status >= 500 ? 'Receiver' : 'Sender';
	return {
		code,
		status,
		xml: `<ErrorResponse xmlns="${NAMESPACE}">${xml({ Error: { Type: type, Code: code, Message: error.message }, RequestId: requestId })}</ErrorResponse>\n`,
	};
}

function validationError(params: URLSearchParams): string[] {
	const errors: string[] = [];
	const check = (name: string, required: boolean, min: number, max: number, pattern?: RegExp) => {
		const value = params.get(name);
		const path = name.charAt(0).toLowerCase() + name.slice(1);
		if (value === null) {
			if (required) errors.push(`Value null at '${path}' failed to satisfy constraint: Member must not be null`);
			return;
		}
		const fail = (constraint: string) => errors.push(`Value '${value}' at '${path}' failed to satisfy constraint: ${constraint}`);
		if (value.length < min) fail(`Member must have length greater than or equal to ${min}`);
		if (value.length > max) fail(`Member must have length less than or equal to ${max}`);
		if (pattern && !pattern.test(value)) fail(`Member must satisfy regular expression pattern: ${pattern.source.slice(1, -1)}`);
	};
	check('RoleArn', true, 20, 2048);
	check('RoleSessionName', true, 2, 64, /^[\w+=,.@-]*$/);
	check('ExternalId', false, 2, 1224, /^[\w+=,.@:/-]*$/);
	const duration = params.get('DurationSeconds');
	if (duration !== null && !(/^\d+$/.test(duration) && +duration >= 900 && +duration <= 43200)) {
		errors.push(`Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`);
	}
	return errors;
}

export class StsService {
	constructor(private readonly credentials: CredentialStore) {}

	/** Answers one STS action as XML, or throws a ServiceError (awsJson-style type, mapped by stsError). */
	handle(action: string, params: URLSearchParams, caller: Caller, now: Date, requestId: string): string {
		if (action === 'GetCallerIdentity') {
			this.credentials.authorize(caller, 'sts:GetCallerIdentity');
			const account = caller.principalArn.split(':')[4];
			return document('GetCallerIdentity', { Arn: caller.principalArn, UserId: caller.accessKeyId, Account: account }, requestId);
		}
		if (action !== 'AssumeRole') throw new ServiceError('InvalidAction', `Could not find operation ${action} for version 2011-06-15`);

		const errors = validationError(params);
		if (errors.length) {
			throw new ServiceError('ValidationException', `${errors.length} validation error${errors.length === 1 ? '' : 's'} detected: ${errors.join('; ')}`, 400, errors);
		}
		const roleArn = params.get('RoleArn')!;
		const role = ROLE_ARN.exec(roleArn);
		if (!role) throw new ServiceError('ValidationException', `${roleArn} is invalid`, 400, [`RoleArn '${roleArn}' is not an IAM role ARN`]);
		this.credentials.authorize(caller, 'sts:AssumeRole', roleArn);

		const [, partition, account, roleName] = role;
		const sessionName = params.get('RoleSessionName')!;
		const principalArn = `arn:${partition}:sts::${account}:assumed-role/${roleName}/${sessionName}`;
		const expiresAt = now.getTime() + Number(params.get('DurationSeconds') ?? 3600) * 1000;
		const issued = this.credentials.issue(principalArn, expiresAt);
		const roleId = `AROA${randomUUID().replace(/-/g, '').slice(0, 17).toUpperCase()}`;
		return document(
			'AssumeRole',
			{
				Credentials: {
					AccessKeyId: issued.accessKeyId,
					SecretAccessKey: issued.secretAccessKey,
					SessionToken: issued.sessionToken,
					Expiration: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
				},
				AssumedRoleUser: { AssumedRoleId: `${roleId}:${sessionName}`, Arn: principalArn },
				PackedPolicySize: 0,
			},
			requestId,
		);
	}
}
