import type { LicenseArnSpelling } from './licenseArns';

/** An access key the emulator accepts. With a sessionToken, requests must carry it (temporary credentials). */
export interface EmulatorCredential {
	accessKeyId: string;
	secretAccessKey: string;
	sessionToken?: string;
	/** Who the key belongs to, as AWS names it in AccessDenied messages; default `arn:aws:iam::123456789012:user/<accessKeyId>`. */
	principalArn?: string;
	/** IAM actions refused to this key, e.g. ['aws-marketplace:BatchMeterUsage'], ['aws-marketplace:*'] or ['*']. */
	deniedActions?: string[];
	/**
	 * The compute the key's MeterUsage calls come from. 'agentcore': Amazon Bedrock AgentCore Runtime, where ClientToken
	 * is required and deduplicates, any number of reports per hour are billed and the timestamp is not rounded.
	 * Unset: an EC2 instance, ECS task or EKS pod (one report per dimension and hour).
	 */
	runtime?: 'agentcore';
}

/** A buyer subscribed to a product: new style (account ID + license ARN) or legacy (customer identifier). */
export interface EmulatorCustomer {
	customerAWSAccountId: string;
	customerIdentifier?: string;
	productCode: string;
	licenseArn?: string;
}

export interface EmulatorRegistrationToken {
	token: string;
	customerAWSAccountId: string;
	/** '' for new SaaS products, which identify buyers by account ID and license ARN only. */
	customerIdentifier?: string;
	productCode: string;
	licenseArn?: string;
	expired?: boolean;
}

export interface EmulatorProduct {
	productCode: string;
	dimensions: string[];
	/** saas: BatchMeterUsage only; ami: MeterUsage only; container: MeterUsage and RegisterUsage. Unset: any. */
	type?: 'saas' | 'ami' | 'container';
	/** MeterUsage and RegisterUsage answer CustomerNotEntitledException. */
	notEntitled?: boolean;
	/** RegisterUsage answers PlatformNotSupportedException. */
	platformNotSupported?: boolean;
	/** When the product's public key was rotated (ISO 8601): RegisterUsage answers carry it as PublicKeyRotationTimestamp. */
	publicKeyRotatedAt?: string;
}

/** An entitlement GetEntitlements answers: what a buyer of a contract product bought of one dimension. */
export interface EmulatorEntitlement {
	productCode: string;
	dimension: string;
	customerAWSAccountId?: string;
	/** Legacy products' customer identifier. */
	customerIdentifier?: string;
	licenseArn?: string;
	/** Exactly one member, by the dimension's type. */
	value: { IntegerValue?: number; DoubleValue?: number; BooleanValue?: boolean; StringValue?: string };
	/** ISO 8601: when the contract renews or ends. */
	expirationDate?: string;
}

/**
 * An agreement of the AWS Marketplace Agreement Service, seen by its proposer (the seller) and its acceptor (the
 * buyer), with what hangs off it. Times are ISO 8601 here and epoch seconds on the wire.
 */
export interface EmulatorAgreement {
	agreementId: string;
	/** The buyer's account. */
	acceptorAccountId: string;
	/** The seller's account; default 123456789012, the account of the emulator's default key. */
	proposerAccountId?: string;
	/** Default 'PurchaseAgreement'. */
	agreementType?: string;
	/** ACTIVE, ARCHIVED, CANCELLED, EXPIRED, RENEWED, REPLACED, ROLLED_BACK, SUPERSEDED or TERMINATED. */
	status: string;
	/** The agreement's resource: the product's ID (prod-…), not its product code. */
	productId: string;
	/** SaaSProduct, AmiProduct, ContainerProduct, ProfessionalServicesProduct or MachineLearningProduct. */
	productType: string;
	/** A configured product's code: the terms' dimensions must be among its dimensions. */
	productCode?: string;
	offerId: string;
	offerSetId?: string;
	acceptanceTime: string;
	startTime: string;
	/** None for pay-as-you-go agreements. */
	endTime?: string;
	/** Default acceptanceTime. */
	lastUpdateTime?: string;
	/** Default the agreement's own ID. */
	initialAgreementId?: string;
	/** The License Manager licenses of the agreement's entitlements. */
	licenseArns?: string[];
	estimatedCharges?: { currencyCode: string; agreementValue: string };
	endTimeBehavior?: { type: string; reasonCode?: string; renewalOfferId?: string };
	/** AcceptedTerm unions as AWS answers them ({ usageBasedPricingTerm: {...} }), with ISO 8601 dates. */
	terms?: Record<string, unknown>[];
	/** What the acceptor is charged (ListAgreementCharges). */
	charges?: EmulatorCharge[];
	/** The seller's invoices of the agreement, one line item group each (ListAgreementInvoiceLineItems). */
	invoices?: EmulatorInvoice[];
	cancellationRequests?: EmulatorCancellationRequest[];
	billingAdjustments?: EmulatorBillingAdjustment[];
}

export interface EmulatorCharge {
	id: string;
	amount: string;
	currencyCode: string;
	/** Default 1. */
	revision?: number;
	time?: string;
	purchaseOrderReference?: string;
}

export interface EmulatorInvoice {
	invoiceId: string;
	/** INVOICE or CREDIT_MEMO. */
	invoiceType: string;
	/** Before tax. */
	amount: string;
	/** The most that billing adjustments may refund of it, in all. */
	maxAdjustmentAmount: string;
	currencyCode: string;
	billingPeriod: { month: number; year: number };
	issuedTime: string;
	/** Default Amazon Web Services, Inc. */
	invoicingEntity?: { legalName: string; branchName?: string };
}

export interface EmulatorCancellationRequest {
	agreementCancellationRequestId: string;
	reasonCode: string;
	description?: string;
	/** PENDING_APPROVAL, APPROVED, REJECTED, CANCELLED or VALIDATION_FAILED. */
	status: string;
	statusMessage?: string;
	createdAt: string;
	updatedAt?: string;
	/** The client token it was sent with: the same token again answers this request. */
	clientToken?: string;
}

export interface EmulatorBillingAdjustment {
	billingAdjustmentRequestId: string;
	originalInvoiceId: string;
	adjustmentAmount: string;
	currencyCode: string;
	adjustmentReasonCode: string;
	description?: string;
	/** PENDING, COMPLETED or VALIDATION_FAILED. */
	status: string;
	statusMessage?: string;
	createdAt: string;
	updatedAt?: string;
	/** The client token it was created with: the same token again answers this request. */
	clientToken?: string;
}

/** Failures injected into metering operations, GetEntitlements and the Agreement Service (never into STS or the admin endpoints). */
export interface EmulatorFaults {
	/** Added to every metering response. */
	latencyMs?: number;
	/** 0..1: fraction of requests answered ThrottlingException (400). */
	throttleRate?: number;
	/** Requests per second per operation (sliding 1 s window); beyond it: ThrottlingException. */
	quotaPerSecond?: number;
	/** 0..1: fraction answered InternalServiceErrorException (500). */
	serverErrorRate?: number;
	/** 0..1: fraction whose connection is destroyed after the request was processed: the answer is lost. */
	dropRate?: number;
	/** 0..1: fraction of BatchMeterUsage records returned in UnprocessedRecords (not metered). */
	unprocessedRate?: number;
	/** Accept requests and never answer them (nothing is processed). */
	hang?: boolean;
}

export interface EmulatorOptions {
	/** Default '127.0.0.1'. */
	host?: string;
	/** Default 0: a free port. */
	port?: number;
	/** The port of `snsOrigin` on 127.0.0.1; default 0: a free port. */
	snsPort?: number;
	/** Default 'us-east-1'; the SigV4 credential scope must name it. */
	region?: string;
	/** Default: [DEFAULT_TEST_CREDENTIAL]. */
	credentials?: EmulatorCredential[];
	/** Unset: open mode, every customer is subscribed to every product and any license ARN is valid. */
	customers?: EmulatorCustomer[];
	/** Unset: open mode, any product code and any dimension. */
	products?: EmulatorProduct[];
	registrationTokens?: EmulatorRegistrationToken[];
	/** What GetEntitlements answers, in this order; default none (every answer an empty list). */
	entitlements?: EmulatorEntitlement[];
	/** What the Agreement Service answers; default none. */
	agreements?: EmulatorAgreement[];
	/**
	 * How old a BatchMeterUsage record may be, in hours; default 24 (a record this old or older is rejected). Whatever
	 * the window, usage of the previous UTC month is accepted only until 06:00 UTC on the 1st.
	 */
	batchWindowHours?: number;
	/** How old a MeterUsage timestamp may be; default 6. */
	meterUsageWindowHours?: number;
	/**
	 * Operations answered `DisabledApiException` ("The API is disabled in the Region.") once the caller is
	 * authenticated and authorized, e.g. ['BatchMeterUsage']; default none.
	 */
	disabledOperations?: string[];
	/**
	 * BatchMeterUsage record whose billing key already holds the same quantity: 'success' (default, the model's
	 * idempotency: Success with the same MeteringRecordId) or 'duplicateRecord' (Status DuplicateRecord, no
	 * MeteringRecordId, as some AWS guidance says). Either way it is billed once.
	 */
	identicalResend?: 'success' | 'duplicateRecord';
	/**
	 * How ResolveCustomer spells the license ARNs it issues (AWS's documents disagree): 'license:'
	 * (arn:aws:license-manager::<account>:license:l-…, as License Manager writes it) or 'license/' (…:license/l-…,
	 * as the ResolveCustomer documentation writes it); default: as configured in `customers` and `registrationTokens`.
	 */
	licenseArnSpelling?: LicenseArnSpelling;
	/**
	 * Whether BatchMeterUsage takes only the exact license ARN ResolveCustomer issued (default true; any other
	 * spelling is InvalidLicenseException, as for an unknown license), or any of AWS's spellings of an issued
	 * license (false), billed under the issued one.
	 */
	exactLicenseArn?: boolean;
	/** Largest request body, in bytes, before HTTP 413 RequestEntityTooLargeException; default 1 MiB. */
	maxRequestBytes?: number;
	faults?: EmulatorFaults;
	/** Seed of the fault randomness; default 1. */
	seed?: number;
	/**
	 * The service's business clock: timestamp windows, session expiry, log times, RegisterUsage's iat; default the
	 * system clock. SigV4 request dates are always checked against the system clock, which clients sign with.
	 */
	now?: () => Date;
	/** RSA private key that signs RegisterUsage answers; one of 2048 bits is generated if absent. */
	privateKeyPem?: string;
	/** Spelling of the RegisterUsage JWT's claims: ProductCode, PublicKeyVersion, Nonce (default) or productCode, publicKeyVersion, nonce. */
	signatureClaims?: 'PascalCase' | 'camelCase';
}

export interface RequestLogEntry {
	/** Arrival time (ISO 8601) by the emulator's clock. */
	time: string;
	/** BatchMeterUsage | MeterUsage | RegisterUsage | ResolveCustomer | GetEntitlements | an Agreement Service operation | AssumeRole | GetCallerIdentity | Unknown */
	operation: string;
	/** 0 when the connection was dropped or hung. */
	httpStatus: number;
	/** The error's __type (or STS error code), 'Dropped' or 'Hung'. */
	errorType?: string;
	accessKeyId?: string;
	/** Whether the request carried X-Amz-Security-Token. */
	sessionToken: boolean;
	/** The connection it came on, numbered from 1 in order of arrival: requests of one keep-alive connection share it. */
	connection: number;
	/** The parsed request: JSON for metering and agreements, form fields for STS. */
	body?: unknown;
	/** Every model constraint the request broke. */
	validationErrors?: string[];
	/** BatchMeterUsage: usage records in the request. */
	records?: number;
	/** BatchMeterUsage: records returned in UnprocessedRecords. */
	unprocessed?: number;
}

export interface BilledUsage {
	quantity: number;
	meteringRecordId: string;
}

export interface MeteredQuantityFilter {
	/** Product code or license ARN. */
	product?: string;
	/** Customer identifier or account ID (BatchMeterUsage), caller access key ID (MeterUsage). */
	customer?: string;
	dimension?: string;
}

export interface EmulatorStats {
	/** Requests per operation and outcome: '200', the error type, 'Dropped' or 'Hung'. */
	requests: Record<string, Record<string, number>>;
	/**
	 * Billed usage per key `${productOrLicense}|${customer}|${dimension}|${hourIsoString}`. BatchMeterUsage keys by
	 * the record's LicenseArn (else the request's ProductCode) and its customer; MeterUsage by ProductCode and the
	 * caller's access key ID, which stands for the EC2 instance, ECS task or EKS pod. An AgentCore Runtime caller's
	 * reports are each billed apart, under `${product}|${accessKeyId}|${dimension}|${exactTimestamp}|${clientToken}`.
	 */
	billed: Record<string, BilledUsage>;
	/** Sum of billed quantities whose key parts match the filter. */
	meteredQuantity(filter?: MeteredQuantityFilter): number;
}

export interface Emulator {
	url: string;
	port: number;
	region: string;
	/** SPKI PEM of the key that signs RegisterUsage answers. */
	publicKeyPem: string;
	/**
	 * The HTTPS origin on 127.0.0.1 that stands in for https://sns.<region>.amazonaws.com: the
	 * signing certificate and SubscribeURL of the SNS messages the emulator posts.
	 */
	snsOrigin: string;
	/** The self-signed TLS certificate (PEM) of `snsOrigin`, for the clients that must trust it. */
	snsTlsCertificatePem: string;
	/** Every request, in arrival order (admin endpoints excluded). */
	log: RequestLogEntry[];
	stats(): EmulatorStats;
	/** Replaces the faults in force. */
	setFaults(faults: EmulatorFaults): void;
	/** Clears the log, stats, billed usage and idempotency state, and restarts the fault randomness. */
	reset(): void;
	/** From now on the key's requests answer ExpiredTokenException. */
	expireSessionToken(accessKeyId: string): void;
	/** Closes the server, destroying open (hung) connections. */
	stop(): Promise<void>;
}
