// GetEntitlements of the AWS Marketplace Entitlement Service on validated input: the configured entitlements,
// filtered as AWS describes it (any value of a key, every key), in pages that NextToken continues.
import { serviceError } from './errors';
import { pageOf } from './pages';
import type { EmulatorEntitlement } from './types';

type FilterName = 'CUSTOMER_IDENTIFIER' | 'CUSTOMER_AWS_ACCOUNT_ID' | 'LICENSE_ARN' | 'DIMENSION';

interface GetEntitlementsRequest {
	ProductCode: string;
	Filter?: Partial<Record<FilterName, string[]>>;
	NextToken?: string;
	MaxResults?: number;
}

/** The page size when the request names none. */
export const DEFAULT_MAX_RESULTS = 25;

const FILTERED_MEMBER: Record<FilterName, keyof EmulatorEntitlement> = {
	CUSTOMER_IDENTIFIER: 'customerIdentifier',
	CUSTOMER_AWS_ACCOUNT_ID: 'customerAWSAccountId',
	LICENSE_ARN: 'licenseArn',
	DIMENSION: 'dimension',
};
const VALUE_MEMBERS = ['IntegerValue', 'DoubleValue', 'BooleanValue', 'StringValue'] as const;

export class EntitlementService {
	private readonly entitlements: EmulatorEntitlement[];

	/** `productCodes`: the known products when products are configured; others are InvalidParameterException. */
	constructor(
		entitlements: EmulatorEntitlement[] = [],
		private readonly productCodes?: Set<string>,
	) {
		entitlements.forEach(checkEntitlement);
		this.entitlements = entitlements;
	}

	/** `body` has passed the model's validation. */
	getEntitlements(body: unknown): Record<string, unknown> {
		const request = body as GetEntitlementsRequest;
		if (this.productCodes && !this.productCodes.has(request.ProductCode)) {
			throw serviceError('InvalidParameterException', `Product code '${request.ProductCode}' does not match a product of this seller.`);
		}
		const filter = request.Filter ?? {};
		if (filter.CUSTOMER_IDENTIFIER && filter.CUSTOMER_AWS_ACCOUNT_ID) {
			throw serviceError('InvalidParameterException', 'CUSTOMER_IDENTIFIER and CUSTOMER_AWS_ACCOUNT_ID are mutually exclusive: filter on one or the other.');
		}
		const matching = this.entitlements.filter(
			(entitlement) =>
				entitlement.productCode === request.ProductCode &&
				Object.entries(filter).every(([key, values]) => values.includes(String(entitlement[FILTERED_MEMBER[key as FilterName]] ?? ''))),
		);
		const { page, nextToken } = pageOf(matching, {
			token: request.NextToken,
			size: request.MaxResults ?? DEFAULT_MAX_RESULTS,
			query: queryOf(request),
			invalidToken: () => serviceError('InvalidParameterException', 'The NextToken is not valid for this request.'),
		});
		return { Entitlements: page.map(answer), ...(nextToken ? { NextToken: nextToken } : {}) };
	}
}

/** A configuration error at start rather than a malformed answer later. */
function checkEntitlement(entitlement: EmulatorEntitlement, index: number): void {
	const set = VALUE_MEMBERS.filter((member) => entitlement.value?.[member] !== undefined);
	if (set.length !== 1) throw new Error(`entitlements[${index}].value must set exactly one of ${VALUE_MEMBERS.join(', ')}`);
	if (entitlement.expirationDate !== undefined && Number.isNaN(Date.parse(entitlement.expirationDate))) {
		throw new Error(`entitlements[${index}].expirationDate is not an ISO 8601 date: ${entitlement.expirationDate}`);
	}
}

function answer(entitlement: EmulatorEntitlement): Record<string, unknown> {
	return {
		ProductCode: entitlement.productCode,
		Dimension: entitlement.dimension,
		...(entitlement.customerIdentifier ? { CustomerIdentifier: entitlement.customerIdentifier } : {}),
		...(entitlement.customerAWSAccountId ? { CustomerAWSAccountId: entitlement.customerAWSAccountId } : {}),
		...(entitlement.licenseArn ? { LicenseArn: entitlement.licenseArn } : {}),
		Value: entitlement.value,
		// awsJson timestamps are epoch seconds.
		...(entitlement.expirationDate ? { ExpirationDate: Date.parse(entitlement.expirationDate) / 1000 } : {}),
	};
}

/** What a NextToken belongs to: the product and the filters, in any key and value order. */
function queryOf(request: GetEntitlementsRequest): unknown {
	const filter = Object.entries(request.Filter ?? {})
		.map(([key, values]) => [key, [...values].sort()])
		.sort(([a], [b]) => String(a).localeCompare(String(b)));
	return [request.ProductCode, filter];
}
