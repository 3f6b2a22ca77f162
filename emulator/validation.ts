// The request shapes of the Metering model (botocore meteringmarketplace 2016-01-14), of GetEntitlements
// (marketplace-entitlement 2017-01-11) and of the Agreement Service's operations (marketplace-agreement 2020-03-01,
// botocore 1.43), checked the way AWS's front end does: a JSON value of the wrong type is a SerializationException, a broken constraint a
// ValidationException listing every violation as "Value 'x' at 'a.1.member.b' failed to satisfy constraint: ...".
import { ServiceError } from './errors';

// The Agreement Service model's values, which the emulator's configuration is held to as well (agreementStore.ts).
export const INVOICE_TYPES = ['INVOICE', 'CREDIT_MEMO'];
export const CANCELLATION_REASONS = [
	'INCORRECT_TERMS_ACCEPTED',
	'REPLACING_AGREEMENT',
	'TEST_AGREEMENT',
	'ALTERNATIVE_PROCUREMENT_CHANNEL',
	'PRODUCT_DISCONTINUED',
	'UNINTENDED_RENEWAL',
	'BUYER_DISSATISFACTION',
	'OTHER',
];
export const CANCELLATION_STATUSES = ['PENDING_APPROVAL', 'APPROVED', 'REJECTED', 'CANCELLED', 'VALIDATION_FAILED'];
export const ADJUSTMENT_REASONS = [
	'INCORRECT_TERMS_ACCEPTED',
	'INCORRECT_METERING',
	'TEST_ENVIRONMENT_CHARGES',
	'ALTERNATIVE_PROCUREMENT_CHANNEL',
	'UNINTENDED_RENEWAL',
	'BUYER_DISSATISFACTION',
	'OTHER',
];

type Shape =
	| { type: 'string'; min?: number; max?: number; pattern?: string; enum?: string[] }
	| { type: 'integer'; min?: number; max?: number }
	| { type: 'boolean' }
	| { type: 'timestamp' }
	| { type: 'list'; member: Shape; min?: number; max?: number }
	| { type: 'map'; keys: string[]; value: Shape }
	| { type: 'structure'; members: Record<string, Shape>; required?: string[] };

const INT_MAX = 2147483647;
const productCode: Shape = { type: 'string', min: 0, max: 255, pattern: '^[-a-zA-Z0-9/=:_.@]*$' };
const usageDimension: Shape = { type: 'string', min: 1, max: 255, pattern: '[\\s\\S]+' };
const usageQuantity: Shape = { type: 'integer', min: 0, max: INT_MAX };
const tagText = (max: number): Shape => ({ type: 'string', min: 1, max, pattern: '^[a-zA-Z0-9+ -=._:\\/@]+$' });
const usageAllocations: Shape = {
	type: 'list',
	min: 1,
	max: 2500,
	member: {
		type: 'structure',
		required: ['AllocatedUsageQuantity'],
		members: {
			AllocatedUsageQuantity: usageQuantity,
			Tags: {
				type: 'list',
				min: 1,
				max: 5,
				member: { type: 'structure', required: ['Key', 'Value'], members: { Key: tagText(100), Value: tagText(256) } },
			},
		},
	},
};
const usageRecord: Shape = {
	type: 'structure',
	required: ['Timestamp', 'Dimension'],
	members: {
		Timestamp: { type: 'timestamp' },
		CustomerIdentifier: { type: 'string', min: 0, max: 255, pattern: '[\\s\\S]*' },
		Dimension: usageDimension,
		Quantity: usageQuantity,
		UsageAllocations: usageAllocations,
		CustomerAWSAccountId: { type: 'string', min: 1, max: 255, pattern: '^[0-9]+$' },
		LicenseArn: {
			type: 'string',
			pattern:
				'^arn:aws[a-zA-Z-]*:[A-Za-z0-9][A-Za-z0-9_/.-]{0,62}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9][A-Za-z0-9:_/+=,@.-]{0,1023}$',
		},
	},
};

// The Agreement Service (awsJson 1.0, camelCase members).
const agreementId: Shape = { type: 'string', min: 1, max: 64, pattern: '[A-Za-z0-9_/-]+' };
const cancellationRequestId: Shape = { type: 'string', min: 1, max: 64, pattern: 'acr-[a-zA-Z0-9]+' };
const pageSize: Shape = { type: 'integer', min: 1, max: 50 };
const pageToken: Shape = { type: 'string', min: 0, max: 8192, pattern: '[a-zA-Z0-9+/=_-]+' };
const catalog: Shape = { type: 'string', min: 1, max: 64, pattern: '[a-zA-Z0-9.-]+' };
const agreementType: Shape = { type: 'string', min: 1, max: 64, pattern: '[A-Za-z]+' };
const cancellationRequest: Shape = {
	type: 'structure',
	required: ['agreementId', 'agreementCancellationRequestId'],
	members: { agreementId, agreementCancellationRequestId: cancellationRequestId },
};
const billingAdjustmentEntry: Shape = {
	type: 'structure',
	required: ['agreementId', 'originalInvoiceId', 'adjustmentAmount', 'currencyCode', 'adjustmentReasonCode', 'clientToken'],
	members: {
		agreementId,
		originalInvoiceId: { type: 'string', min: 1, max: 255 },
		adjustmentAmount: { type: 'string', pattern: '[0-9]*(\\.[0-9]{0,8})?' },
		currencyCode: { type: 'string', min: 3, max: 3, pattern: '[A-Z]+' },
		adjustmentReasonCode: {
			type: 'string',
			enum: ADJUSTMENT_REASONS,
		},
		description: { type: 'string', min: 1, max: 500 },
		clientToken: { type: 'string', min: 1, max: 64, pattern: '[a-zA-Z0-9-]+' },
	},
};
const AGREEMENT_SHAPES: Record<string, Shape> = {
	DescribeAgreement: { type: 'structure', required: ['agreementId'], members: { agreementId } },
	GetAgreementTerms: { type: 'structure', required: ['agreementId'], members: { agreementId, maxResults: pageSize, nextToken: pageToken } },
	SearchAgreements: {
		type: 'structure',
		members: {
			catalog,
			filters: {
				type: 'list',
				min: 1,
				max: 10,
				member: {
					type: 'structure',
					members: {
						name: { type: 'string', min: 1, max: 32, pattern: '[A-Za-z_]+' },
						values: { type: 'list', min: 1, max: 1, member: { type: 'string', min: 1, max: 64, pattern: '[A-Za-z0-9+:_-]+' } },
					},
				},
			},
			sort: {
				type: 'structure',
				members: { sortBy: { type: 'string', min: 1, max: 255, pattern: '[A-Za-z_]+' }, sortOrder: { type: 'string', enum: ['ASCENDING', 'DESCENDING'] } },
			},
			maxResults: pageSize,
			nextToken: pageToken,
		},
	},
	ListAgreementCharges: { type: 'structure', members: { catalog, agreementId, agreementType, maxResults: pageSize, nextToken: pageToken } },
	ListAgreementInvoiceLineItems: {
		type: 'structure',
		required: ['agreementId', 'groupBy'],
		members: {
			agreementId,
			groupBy: { type: 'string', enum: ['INVOICE_ID'] },
			invoiceId: agreementId,
			invoiceType: { type: 'string', enum: INVOICE_TYPES },
			invoiceBillingPeriod: {
				type: 'structure',
				required: ['month', 'year'],
				members: { month: { type: 'integer', min: 1, max: 12 }, year: { type: 'integer', min: 2023, max: 2050 } },
			},
			beforeIssuedTime: { type: 'timestamp' },
			afterIssuedTime: { type: 'timestamp' },
			maxResults: pageSize,
			nextToken: pageToken,
		},
	},
	SendAgreementCancellationRequest: {
		type: 'structure',
		required: ['agreementId', 'reasonCode'],
		members: {
			agreementId,
			reasonCode: {
				type: 'string',
				enum: CANCELLATION_REASONS,
			},
			clientToken: { type: 'string', min: 1, max: 64, pattern: '[a-zA-Z0-9-]+' },
			description: { type: 'string', min: 1, max: 2000, pattern: '.+' },
		},
	},
	CancelAgreementCancellationRequest: {
		type: 'structure',
		required: ['agreementId', 'agreementCancellationRequestId', 'cancellationReason'],
		members: { agreementId, agreementCancellationRequestId: cancellationRequestId, cancellationReason: { type: 'string', min: 1, max: 2000 } },
	},
	ListAgreementCancellationRequests: {
		type: 'structure',
		required: ['partyType'],
		members: {
			partyType: { type: 'string', min: 1, max: 32, pattern: '[A-Za-z]+' },
			agreementId,
			status: { type: 'string', enum: CANCELLATION_STATUSES },
			agreementType,
			catalog,
			maxResults: pageSize,
			nextToken: pageToken,
		},
	},
	GetAgreementCancellationRequest: cancellationRequest,
	AcceptAgreementCancellationRequest: cancellationRequest,
	RejectAgreementCancellationRequest: {
		type: 'structure',
		required: ['agreementId', 'agreementCancellationRequestId', 'rejectionReason'],
		members: { agreementId, agreementCancellationRequestId: cancellationRequestId, rejectionReason: { type: 'string', min: 1, max: 2000 } },
	},
	BatchCreateBillingAdjustmentRequest: {
		type: 'structure',
		required: ['billingAdjustmentRequestEntries'],
		members: { billingAdjustmentRequestEntries: { type: 'list', member: billingAdjustmentEntry } },
	},
	GetBillingAdjustmentRequest: {
		type: 'structure',
		required: ['agreementId', 'billingAdjustmentRequestId'],
		members: { agreementId, billingAdjustmentRequestId: { type: 'string', min: 1, max: 64, pattern: 'ba-[a-zA-Z0-9]+' } },
	},
};

/** The Agreement Service operations the emulator serves. */
export const AGREEMENT_OPERATIONS = new Set(Object.keys(AGREEMENT_SHAPES));

export const REQUEST_SHAPES: Record<string, Shape> = {
	BatchMeterUsage: {
		type: 'structure',
		required: ['UsageRecords'],
		members: { UsageRecords: { type: 'list', min: 0, max: 25, member: usageRecord }, ProductCode: productCode },
	},
	MeterUsage: {
		type: 'structure',
		required: ['ProductCode', 'Timestamp', 'UsageDimension'],
		members: {
			ProductCode: productCode,
			Timestamp: { type: 'timestamp' },
			UsageDimension: usageDimension,
			UsageQuantity: usageQuantity,
			DryRun: { type: 'boolean' },
			UsageAllocations: usageAllocations,
			ClientToken: { type: 'string', min: 1, max: 64 },
		},
	},
	RegisterUsage: {
		type: 'structure',
		required: ['ProductCode', 'PublicKeyVersion'],
		members: {
			ProductCode: productCode,
			PublicKeyVersion: { type: 'integer', min: 1, max: INT_MAX },
			Nonce: { type: 'string', max: 255, pattern: '[\\s\\S]*' },
		},
	},
	ResolveCustomer: {
		type: 'structure',
		required: ['RegistrationToken'],
		members: { RegistrationToken: { type: 'string', pattern: '[\\s\\S]+' } },
	},
	GetEntitlements: {
		type: 'structure',
		required: ['ProductCode'],
		members: {
			ProductCode: { type: 'string', min: 1, max: 255 },
			Filter: {
				type: 'map',
				keys: ['CUSTOMER_IDENTIFIER', 'DIMENSION', 'CUSTOMER_AWS_ACCOUNT_ID', 'LICENSE_ARN'],
				value: { type: 'list', min: 1, member: { type: 'string' } },
			},
			NextToken: { type: 'string', pattern: '\\S+' },
			MaxResults: { type: 'integer', min: 1, max: 25 },
		},
	},
	...AGREEMENT_SHAPES,
};

const patterns = new Map<string, RegExp>();
// Java's Matcher.matches(): the whole value must match.
const fullMatch = (pattern: string) => {
	let regex = patterns.get(pattern);
	if (!regex) patterns.set(pattern, (regex = new RegExp(`^(?:${pattern})$`)));
	return regex;
};

const memberPath = (parent: string, name: string) => {
	const member = name.charAt(0).toLowerCase() + name.slice(1);
	return parent ? `${parent}.${member}` : member;
};

const shown = (value: unknown): string => {
	if (value === null || value === undefined) return 'null';
	const text = typeof value === 'string' ? value : Array.isArray(value) ? `[${value.map((item) => JSON.stringify(item)).join(', ')}]` : String(value);
	return `'${text.length > 300 ? `${text.slice(0, 300)}...` : text}'`;
};

const jsonKind = (value: unknown) =>
	Array.isArray(value) ? 'START_ARRAY' : value === null ? 'VALUE_NULL' : typeof value === 'object' ? 'START_OBJECT' : typeof value === 'string' ? 'VALUE_STRING' : typeof value === 'number' ? 'VALUE_NUMBER' : 'VALUE_BOOLEAN';

const TARGET: Record<Shape['type'], string> = {
	string: 'a String',
	integer: 'an Integer',
	boolean: 'a Boolean',
	timestamp: 'a Timestamp',
	list: 'a List',
	map: 'a Map',
	structure: 'a Structure',
};

interface Findings {
	serialization: string[];
	constraints: string[];
}

function violation(found: Findings, value: unknown, path: string, constraint: string): void {
	found.constraints.push(`Value ${shown(value)} at '${path}' failed to satisfy constraint: ${constraint}`);
}

function wrongType(found: Findings, value: unknown, path: string, shape: Shape): void {
	found.serialization.push(`${jsonKind(value)} at '${path}' can not be converted to ${TARGET[shape.type]}`);
}

// Plain functions rather than per-call closures: this runs for every member of every request.
function check(value: unknown, shape: Shape, path: string, found: Findings): void {
	switch (shape.type) {
		case 'string':
			if (typeof value !== 'string') return wrongType(found, value, path, shape);
			if (shape.min !== undefined && value.length < shape.min) violation(found, value, path, `Member must have length greater than or equal to ${shape.min}`);
			if (shape.max !== undefined && value.length > shape.max) violation(found, value, path, `Member must have length less than or equal to ${shape.max}`);
			if (shape.pattern !== undefined && !fullMatch(shape.pattern).test(value)) violation(found, value, path, `Member must satisfy regular expression pattern: ${shape.pattern}`);
			if (shape.enum !== undefined && !shape.enum.includes(value)) violation(found, value, path, `Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
			return;
		case 'integer':
			if (typeof value !== 'number' || !Number.isInteger(value) || value > INT_MAX || value < -INT_MAX - 1) return wrongType(found, value, path, shape);
			if (shape.min !== undefined && value < shape.min) violation(found, value, path, `Member must have value greater than or equal to ${shape.min}`);
			if (shape.max !== undefined && value > shape.max) violation(found, value, path, `Member must have value less than or equal to ${shape.max}`);
			return;
		case 'boolean':
			if (typeof value !== 'boolean') wrongType(found, value, path, shape);
			return;
		case 'timestamp':
			// awsJson timestamps are epoch seconds, possibly fractional.
			if (typeof value !== 'number' || !Number.isFinite(value) || Number.isNaN(new Date(value * 1000).getTime())) wrongType(found, value, path, shape);
			return;
		case 'list':
			if (!Array.isArray(value)) return wrongType(found, value, path, shape);
			if (shape.min !== undefined && value.length < shape.min) violation(found, value, path, `Member must have length greater than or equal to ${shape.min}`);
			if (shape.max !== undefined && value.length > shape.max) violation(found, value, path, `Member must have length less than or equal to ${shape.max}`);
			for (let index = 0; index < value.length; index++) {
				const itemPath = `${path}.${index + 1}.member`;
				if (value[index] === null) found.serialization.push(`VALUE_NULL at '${itemPath}' can not be converted to ${TARGET[shape.member.type]}`);
				else check(value[index], shape.member, itemPath, found);
			}
			return;
		case 'map': {
			if (typeof value !== 'object' || value === null || Array.isArray(value)) return wrongType(found, value, path, shape);
			for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
				if (!shape.keys.includes(key)) {
					violation(found, key, path, `Map keys must satisfy constraint: [Member must satisfy enum value set: [${shape.keys.join(', ')}]]`);
				}
				if (member === null) found.serialization.push(`VALUE_NULL at '${path}.${key}' can not be converted to ${TARGET[shape.value.type]}`);
				else check(member, shape.value, `${path}.${key}`, found);
			}
			return;
		}
		case 'structure': {
			if (typeof value !== 'object' || value === null || Array.isArray(value)) return wrongType(found, value, path, shape);
			const object = value as Record<string, unknown>;
			for (const name of shape.required ?? []) {
				if (object[name] === undefined || object[name] === null) {
					found.constraints.push(`Value null at '${memberPath(path, name)}' failed to satisfy constraint: Member must not be null`);
				}
			}
			// Members the model does not know are ignored, as AWS does.
			for (const [name, member] of Object.entries(shape.members)) {
				if (object[name] !== undefined && object[name] !== null) check(object[name], member, memberPath(path, name), found);
			}
		}
	}
}

/** Checks a request against its operation's model shape; throws the error AWS would answer, with every finding. */
export function validateRequest(operation: string, body: unknown): void {
	const found: Findings = { serialization: [], constraints: [] };
	check(body, REQUEST_SHAPES[operation], '', found);
	if (found.serialization.length) {
		throw new ServiceError('SerializationException', found.serialization[0], 400, [...found.serialization, ...found.constraints]);
	}
	if (found.constraints.length) {
		const count = found.constraints.length;
		const message = `${count} validation error${count === 1 ? '' : 's'} detected: ${found.constraints.join('; ')}`;
		throw new ServiceError('ValidationException', message, 400, found.constraints);
	}
}
