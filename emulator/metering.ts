// The four Metering operations on validated input: catalog checks, timestamp windows, usage allocations,
// and the billing store with its deduplication rules.
import { randomUUID } from 'node:crypto';

import type { Caller } from './credentials';
import { serviceError } from './errors';
import type { FaultInjector } from './faults';
import { type LicenseArnSpelling, licenseOf, spellLicenseArn } from './licenseArns';
import type { BilledUsage, EmulatorCustomer, EmulatorProduct, EmulatorRegistrationToken } from './types';
import type { UsageSigner } from './usageSigner';

interface Tag {
	Key: string;
	Value: string;
}
interface UsageAllocation {
	AllocatedUsageQuantity: number;
	Tags?: Tag[];
}
interface UsageRecord {
	Timestamp: number;
	Dimension: string;
	Quantity?: number;
	CustomerIdentifier?: string;
	CustomerAWSAccountId?: string;
	LicenseArn?: string;
	UsageAllocations?: UsageAllocation[];
}
interface BatchMeterUsageRequest {
	UsageRecords: UsageRecord[];
	ProductCode?: string;
}
interface MeterUsageRequest {
	ProductCode: string;
	Timestamp: number;
	UsageDimension: string;
	UsageQuantity?: number;
	DryRun?: boolean;
	UsageAllocations?: UsageAllocation[];
	ClientToken?: string;
}
interface RegisterUsageRequest {
	ProductCode: string;
	PublicKeyVersion: number;
	Nonce?: string;
}

export interface OperationResult {
	body: Record<string, unknown>;
	/** BatchMeterUsage: records left in UnprocessedRecords. */
	unprocessed?: number;
}

const HOUR = 3600_000;
const FUTURE_TOLERANCE_MS = 5 * 60_000;
/** BatchMeterUsage takes usage of the previous UTC month until this hour (UTC) of the 1st. */
const PREVIOUS_MONTH_GRACE_HOURS = 6;
/** The only public key version the emulator's products have. */
const PUBLIC_KEY_VERSION = 1;
const ALLOWED_OPERATIONS: Record<NonNullable<EmulatorProduct['type']>, string[]> = {
	saas: ['BatchMeterUsage'],
	ami: ['MeterUsage'],
	container: ['MeterUsage', 'RegisterUsage'],
};

const hourOf = (epochSeconds: number) => new Date(Math.floor((epochSeconds * 1000) / HOUR) * HOUR).toISOString();
const nonEmpty = (value: string | undefined) => (value ? value : undefined);

/** JSON with sorted keys: equal inputs give equal text whatever the key order. */
const canonicalJson = (value: unknown): string =>
	Array.isArray(value)
		? `[${value.map(canonicalJson).join(',')}]`
		: value !== null && typeof value === 'object'
			? `{${Object.keys(value)
					.sort()
					.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
					.join(',')}}`
			: JSON.stringify(value);

export interface MeteringSettings {
	products?: EmulatorProduct[];
	customers?: EmulatorCustomer[];
	registrationTokens?: EmulatorRegistrationToken[];
	batchWindowHours: number;
	meterUsageWindowHours: number;
	/** BatchMeterUsage record whose key already holds the same quantity: Success (same ID) or DuplicateRecord. */
	identicalResend?: 'success' | 'duplicateRecord';
	/** How ResolveCustomer spells the license ARNs it issues; unset: as configured. */
	licenseArnSpelling?: LicenseArnSpelling;
	/** BatchMeterUsage takes only the exact ARN issued (true), or any spelling of it (false). */
	exactLicenseArn: boolean;
}

/** One billing key: what was billed, and the parts of its key. */
export interface BillingEntry {
	usage: BilledUsage;
	product: string;
	customer: string;
	dimension: string;
}

export class MeteringService {
	/** By key `${productOrLicense}|${customer}|${dimension}|${hourIsoString}` (AgentCore Runtime reports: see billReport). */
	readonly billed = new Map<string, BillingEntry>();
	private readonly idempotency = new Map<string, { fingerprint: string; answer: Record<string, unknown> }>();
	private readonly products?: Map<string, EmulatorProduct>;
	private readonly allDimensions?: Set<string>;
	private readonly customersByLicense?: Map<string, EmulatorCustomer>;
	private readonly subscriptions?: Set<string>;
	private readonly tokens: Map<string, EmulatorRegistrationToken>;

	constructor(
		private readonly settings: MeteringSettings,
		private readonly faults: FaultInjector,
		private readonly signer: UsageSigner,
	) {
		if (settings.products) {
			this.products = new Map(settings.products.map((product) => [product.productCode, product]));
			this.allDimensions = new Set(settings.products.flatMap((product) => product.dimensions));
		}
		if (settings.customers) {
			// By the ARN as issued, or (any spelling accepted) by the license it names.
			this.customersByLicense = new Map(
				settings.customers
					.filter((customer) => customer.licenseArn)
					.map((customer) => {
						const issued = { ...customer, licenseArn: spellLicenseArn(customer.licenseArn!, settings.licenseArnSpelling) };
						return [this.licenseKey(issued.licenseArn), issued];
					}),
			);
			this.subscriptions = new Set(
				settings.customers.flatMap((customer) => [
					`${customer.productCode}|account:${customer.customerAWSAccountId}`,
					...(customer.customerIdentifier ? [`${customer.productCode}|identifier:${customer.customerIdentifier}`] : []),
				]),
			);
		}
		this.tokens = new Map((settings.registrationTokens ?? []).map((token) => [token.token, token]));
	}

	/** What a LicenseArn is looked up by: the exact string, or the license it names in any spelling. */
	private licenseKey(arn: string): string {
		return this.settings.exactLicenseArn ? arn : (licenseOf(arn) ?? arn);
	}

	/** The customer holding the license a record's LicenseArn names, as issued. */
	private licenseHolder(arn: string): EmulatorCustomer | undefined {
		return this.customersByLicense?.get(this.licenseKey(arn));
	}

	reset(): void {
		this.billed.clear();
		this.idempotency.clear();
	}

	handle(operation: string, body: unknown, caller: Caller, now: Date): OperationResult {
		switch (operation) {
			case 'BatchMeterUsage':
				return this.batchMeterUsage(body as BatchMeterUsageRequest, now);
			case 'MeterUsage':
				return { body: this.meterUsage(body as MeterUsageRequest, caller, now) };
			case 'RegisterUsage':
				return { body: this.registerUsage(body as RegisterUsageRequest, now) };
			default:
				return { body: this.resolveCustomer(body as { RegistrationToken: string }) };
		}
	}

	private batchMeterUsage(request: BatchMeterUsageRequest, now: Date): OperationResult {
		const productCode = nonEmpty(request.ProductCode);
		if (productCode) this.requireProduct(productCode, 'BatchMeterUsage');
		// Request-level exceptions first: one bad record rejects the whole batch.
		/** The product of the request's first license record: every record must be for one product. */
		let licensedProduct: { productCode: string; licenseArn: string } | undefined;
		for (const record of request.UsageRecords) {
			if (!nonEmpty(record.CustomerIdentifier) === !nonEmpty(record.CustomerAWSAccountId)) {
				throw serviceError(
					'InvalidCustomerIdentifierException',
					'Each usage record needs exactly one of CustomerIdentifier and CustomerAWSAccountId.',
				);
			}
			checkAllocations(record.UsageAllocations, record.Quantity ?? 0);
			this.checkBatchTimestamp(record.Timestamp, now);
			let product = productCode;
			if (record.LicenseArn) {
				const customer = this.licenseHolder(record.LicenseArn);
				if (this.customersByLicense && !customer) {
					throw serviceError('InvalidLicenseException', `License ${record.LicenseArn} is not a license granted for your product.`);
				}
				if (customer) {
					const account = nonEmpty(record.CustomerAWSAccountId);
					if (account !== undefined && account !== customer.customerAWSAccountId) {
						throw serviceError(
							'InvalidLicenseException',
							`License ${record.LicenseArn} does not belong to the customer AWS account ${account}: send the LicenseArn that ResolveCustomer returned for this account.`,
						);
					}
					if (productCode && customer.productCode !== productCode) {
						throw serviceError(
							'InvalidLicenseException',
							`License ${record.LicenseArn} is a license of product '${customer.productCode}', not of the request's product '${productCode}'.`,
						);
					}
					licensedProduct ??= { productCode: customer.productCode, licenseArn: record.LicenseArn };
					if (customer.productCode !== licensedProduct.productCode) {
						throw serviceError(
							'InvalidLicenseException',
							`The request mixes licenses of several products ('${licensedProduct.productCode}' for ${licensedProduct.licenseArn}, '${customer.productCode}' for ${record.LicenseArn}): send each product's usage in a request of its own.`,
						);
					}
				}
				product = customer?.productCode ?? product;
			} else if (!productCode) {
				throw serviceError('InvalidProductCodeException', 'A usage record without LicenseArn needs the request’s ProductCode.');
			}
			this.checkDimension(product, record.Dimension);
		}

		const results: Record<string, unknown>[] = [];
		const unprocessed: UsageRecord[] = [];
		for (const record of request.UsageRecords) {
			const usageRecord = echo(record);
			if (this.faults.drawUnprocessed()) {
				unprocessed.push(usageRecord);
				continue;
			}
			if (!this.isSubscribed(record, productCode)) {
				results.push({ UsageRecord: usageRecord, Status: 'CustomerNotSubscribed' });
				continue;
			}
			const customer = nonEmpty(record.CustomerIdentifier) ?? record.CustomerAWSAccountId!;
			const keysBefore = this.billed.size;
			// Billed under the license as issued, whichever of its spellings the record used.
			const owner = record.LicenseArn ? (this.licenseHolder(record.LicenseArn)?.licenseArn ?? record.LicenseArn) : productCode!;
			const billed = this.bill(owner, customer, record.Dimension, record.Timestamp, record.Quantity ?? 0);
			// No new key although billed: the key already held this very quantity.
			const identicalResend = billed !== undefined && this.billed.size === keysBefore;
			results.push(
				billed && !(identicalResend && this.settings.identicalResend === 'duplicateRecord')
					? { UsageRecord: usageRecord, MeteringRecordId: billed.meteringRecordId, Status: 'Success' }
					: { UsageRecord: usageRecord, Status: 'DuplicateRecord' },
			);
		}
		return { body: { Results: results, UnprocessedRecords: unprocessed }, unprocessed: unprocessed.length };
	}

	private meterUsage(request: MeterUsageRequest, caller: Caller, now: Date): Record<string, unknown> {
		const agentCore = caller.runtime === 'agentcore';
		// On AgentCore Runtime the ClientToken is what deduplicates, so a request without one cannot be accepted.
		if (agentCore && request.ClientToken === undefined) {
			throw serviceError('ValidationException', 'ClientToken is required for MeterUsage from Amazon Bedrock AgentCore Runtime.');
		}
		const product = this.requireProduct(request.ProductCode, 'MeterUsage');
		if (product?.notEntitled) throw serviceError('CustomerNotEntitledException', 'The customer does not have a valid subscription for this product.');
		this.checkDimension(request.ProductCode, request.UsageDimension);
		this.checkTimestamp(request.Timestamp, this.settings.meterUsageWindowHours, now);
		const quantity = request.UsageQuantity ?? 0;
		checkAllocations(request.UsageAllocations, quantity);

		// Idempotency is per caller: the same ClientToken with the same input answers the stored result.
		const { ClientToken: clientToken, ...input } = request;
		const tokenKey = clientToken === undefined ? undefined : `${caller.accessKeyId}|${clientToken}`;
		const fingerprint = canonicalJson(input);
		const stored = tokenKey === undefined ? undefined : this.idempotency.get(tokenKey);
		if (stored) {
			if (stored.fingerprint !== fingerprint) {
				throw serviceError('IdempotencyConflictException', 'The ClientToken is being used for multiple requests.', 409);
			}
			return stored.answer;
		}
		// The caller's key stands for the compute. An EC2 instance, ECS task or EKS pod: one report per hour and dimension;
		// AgentCore Runtime: every new ClientToken is a report of its own.
		const billed = agentCore
			? this.billReport(request, caller.accessKeyId, quantity)
			: this.bill(request.ProductCode, caller.accessKeyId, request.UsageDimension, request.Timestamp, quantity);
		if (!billed) {
			throw serviceError(
				'DuplicateRequestException',
				'A metering record has already been emitted by the same EC2 instance, ECS task, or EKS pod for the given {usageDimension, timestamp} with a different usageQuantity.',
			);
		}
		const answer = { MeteringRecordId: billed.meteringRecordId };
		if (tokenKey !== undefined) this.idempotency.set(tokenKey, { fingerprint, answer });
		return answer;
	}

	private registerUsage(request: RegisterUsageRequest, now: Date): Record<string, unknown> {
		const product = this.requireProduct(request.ProductCode, 'RegisterUsage');
		if (request.PublicKeyVersion !== PUBLIC_KEY_VERSION) {
			throw serviceError('InvalidPublicKeyVersionException', `Public Key version ${request.PublicKeyVersion} is invalid: the product has version ${PUBLIC_KEY_VERSION}.`);
		}
		if (product?.notEntitled) throw serviceError('CustomerNotEntitledException', 'The customer does not have a valid subscription for this product.');
		if (product?.platformNotSupported) {
			throw serviceError(
				'PlatformNotSupportedException',
				'AWS Marketplace does not support metering usage from the underlying platform. Currently, Amazon ECS, Amazon EKS, and AWS Fargate are supported.',
			);
		}
		const claims = {
			ProductCode: request.ProductCode,
			PublicKeyVersion: request.PublicKeyVersion,
			...(request.Nonce === undefined ? {} : { Nonce: request.Nonce }),
			iat: Math.floor(now.getTime() / 1000),
		};
		// AWS includes the rotation time only once the product's key was rotated.
		const rotatedAt = product?.publicKeyRotatedAt;
		return { ...(rotatedAt ? { PublicKeyRotationTimestamp: Date.parse(rotatedAt) / 1000 } : {}), Signature: this.signer.sign(claims) };
	}

	private resolveCustomer(request: { RegistrationToken: string }): Record<string, unknown> {
		const token = this.tokens.get(request.RegistrationToken);
		if (!token) throw serviceError('InvalidTokenException', 'Registration token is invalid.');
		if (token.expired) {
			throw serviceError(
				'ExpiredTokenException',
				'The registration token has expired. Redeem a registration token as soon as the buyer is redirected to your registration page.',
			);
		}
		return {
			CustomerIdentifier: token.customerIdentifier,
			CustomerAWSAccountId: token.customerAWSAccountId,
			ProductCode: token.productCode,
			LicenseArn: token.licenseArn && spellLicenseArn(token.licenseArn, this.settings.licenseArnSpelling),
		};
	}

	/** The product, when products are configured (undefined in open mode); unknown or of the wrong type: InvalidProductCodeException. */
	private requireProduct(productCode: string, operation: string): EmulatorProduct | undefined {
		if (!this.products) return undefined;
		const product = this.products.get(productCode);
		if (!product) throw serviceError('InvalidProductCodeException', `Product code '${productCode}' does not match a published product.`);
		if (product.type && !ALLOWED_OPERATIONS[product.type].includes(operation)) {
			throw serviceError('InvalidProductCodeException', `Product '${productCode}' is a ${product.type} product, which does not use ${operation}.`);
		}
		return product;
	}

	private checkDimension(productCode: string | undefined, dimension: string): void {
		if (!this.products || !this.allDimensions) return;
		const product = productCode === undefined ? undefined : this.products.get(productCode);
		const known = product ? product.dimensions.includes(dimension) : this.allDimensions.has(dimension);
		if (!known) {
			throw serviceError('InvalidUsageDimensionException', `The usage dimension '${dimension}' does not match one of the dimensions of the product.`);
		}
	}

	private checkTimestamp(epochSeconds: number, windowHours: number, now: Date): void {
		const age = now.getTime() - epochSeconds * 1000;
		if (age >= windowHours * HOUR || age < -FUTURE_TOLERANCE_MS) {
			throw serviceError(
				'TimestampOutOfBoundsException',
				`The timestamp ${new Date(epochSeconds * 1000).toISOString()} is out of the allowed range: within the last ${windowHours} hours.`,
			);
		}
	}

	/** BatchMeterUsage's window, and usage of the previous UTC month only until 06:00 UTC on the 1st. */
	private checkBatchTimestamp(epochSeconds: number, now: Date): void {
		this.checkTimestamp(epochSeconds, this.settings.batchWindowHours, now);
		const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
		const graceEnd = monthStart + PREVIOUS_MONTH_GRACE_HOURS * HOUR;
		if (epochSeconds * 1000 < monthStart && now.getTime() >= graceEnd) {
			throw serviceError(
				'TimestampOutOfBoundsException',
				`The timestamp ${new Date(epochSeconds * 1000).toISOString()} is out of the allowed range: usage of the previous month is accepted until ${new Date(graceEnd).toISOString()}.`,
			);
		}
	}

	private isSubscribed(record: UsageRecord, productCode: string | undefined): boolean {
		if (!this.subscriptions) return true;
		const identifier = nonEmpty(record.CustomerIdentifier);
		if (record.LicenseArn) {
			const customer = this.licenseHolder(record.LicenseArn);
			return identifier ? customer?.customerIdentifier === identifier : customer?.customerAWSAccountId === record.CustomerAWSAccountId;
		}
		return this.subscriptions.has(identifier ? `${productCode}|identifier:${identifier}` : `${productCode}|account:${record.CustomerAWSAccountId}`);
	}

	/** An AgentCore Runtime report, billed on its own under its exact timestamp and ClientToken: quantities add up. */
	private billReport(request: MeterUsageRequest, customer: string, quantity: number): BilledUsage {
		const { ProductCode: product, UsageDimension: dimension } = request;
		const usage = { quantity, meteringRecordId: randomUUID() };
		const key = `${product}|${customer}|${dimension}|${new Date(request.Timestamp * 1000).toISOString()}|${request.ClientToken}`;
		this.billed.set(key, { usage, product, customer, dimension });
		return usage;
	}

	/** First quantity wins: the same one again is the same record, another one is not billed (undefined). */
	private bill(product: string, customer: string, dimension: string, timestamp: number, quantity: number): BilledUsage | undefined {
		const key = `${product}|${customer}|${dimension}|${hourOf(timestamp)}`;
		const existing = this.billed.get(key)?.usage;
		if (!existing) {
			const usage = { quantity, meteringRecordId: randomUUID() };
			this.billed.set(key, { usage, product, customer, dimension });
			return usage;
		}
		return existing.quantity === quantity ? existing : undefined;
	}
}

/** Allocated quantities must add up to the record's quantity, each allocation with its own set of tags. */
function checkAllocations(allocations: UsageAllocation[] | undefined, quantity: number): void {
	if (!allocations) return;
	const tagSets = new Set<string>();
	let sum = 0;
	for (const allocation of allocations) {
		sum += allocation.AllocatedUsageQuantity;
		const tags = allocation.Tags ?? [];
		if (new Set(tags.map((tag) => tag.Key)).size !== tags.length) {
			throw serviceError('InvalidTagException', 'A usage allocation has the same tag key more than once.');
		}
		const tagSet = canonicalJson(tags.map((tag) => [tag.Key, tag.Value]).sort());
		if (tagSets.has(tagSet)) throw serviceError('InvalidUsageAllocationsException', `Two usage allocations have the same set of tags: ${tagSet}.`);
		tagSets.add(tagSet);
	}
	if (sum !== quantity) {
		throw serviceError('InvalidUsageAllocationsException', `The allocated usage quantities add up to ${sum}, not to the usage quantity ${quantity}.`);
	}
}

const RECORD_MEMBERS = ['Timestamp', 'CustomerIdentifier', 'Dimension', 'Quantity', 'UsageAllocations', 'CustomerAWSAccountId', 'LicenseArn'] as const;

/** The usage record as the service returns it in Results and UnprocessedRecords: its model members only. */
function echo(record: UsageRecord): UsageRecord {
	const copy: Record<string, unknown> = {};
	for (const member of RECORD_MEMBERS) if (record[member] !== undefined && record[member] !== null) copy[member] = record[member];
	return copy as unknown as UsageRecord;
}
