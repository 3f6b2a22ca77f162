// The metering ledger's interface and data: plain TypeScript, no n8n, AWS SDK or database driver.
// Quantities are exact decimals, passed as decimal text ('12', '0.25'); hours are UTC hour starts.

export type Customer = { CustomerAWSAccountId: string } | { CustomerIdentifier: string };

export interface Tag {
	Key: string;
	Value: string;
}

/** One allocation of a usage event; tagSet is the canonical identity of its tags ('' when untagged). */
export interface EventAllocation {
	quantity: string;
	tags?: Tag[];
	tagSet: string;
}

/** One usage event, validated by the caller. */
export interface LedgerUsageEvent {
	/** Counted once: the same ID again answers `duplicateEvent`. */
	eventId?: string;
	productCode: string;
	/** Absent for legacy customers: the product code then owns the usage. In the canonical spelling (canonicalLicenseArn). */
	licenseArn?: string;
	/** The full ARN spelling the usage came with, when not the canonical one: sent if the license's issued ARN is unknown. */
	licenseArnAsGiven?: string;
	customer: Customer;
	dimension: string;
	quantity: string;
	/** When the usage happened. */
	timestamp: Date;
	allocations?: EventAllocation[];
}

/** expired: the event cannot be billed in its own month's window; it is not kept. */
export type RecordResult = 'recorded' | 'duplicateEvent' | 'afterFinalReport' | 'expired';

export interface RecordOptions {
	now: Date;
	/** Usage this many hours or more after its hour has expired (default, and at most, AWS's 24). */
	maxRecordAgeHours?: number;
	/**
	 * The seller's terms allow billing late usage later: usage past its deadline goes to the hour in
	 * progress, and usage of a month whose hours were all sent to the next month, instead of expiring.
	 */
	billLateUsageLater?: boolean;
}

export interface RecordAnswer {
	result: RecordResult;
	/** The key the event is counted in; absent when it expired. */
	keyId?: number;
	/** The hour the event is counted in; when it expired, its own hour. */
	hour: Date;
	/** The event's own hour, when that hour could no longer take it. */
	carriedFrom?: Date;
	/** expired, and recorded by billLateUsageLater: the deadline of the event's own hour. */
	deadline?: Date;
	/**
	 * expired: why. 'deadline': its hour's deadline had passed; 'monthSent': its hour was sent and no
	 * later hour of its month can take it. recorded: billed outside its own window, by billLateUsageLater.
	 */
	late?: 'deadline' | 'monthSent';
}

/**
 * open: accumulating. sending: claimed, quantity frozen, an execution holds the lease. ready: frozen,
 * waiting to be sent again. billed / notBilled / expired: final.
 */
export type KeyState = 'open' | 'sending' | 'ready' | 'billed' | 'notBilled' | 'expired';

/** AWS's deduplication key: license (or product code), customer, dimension and hour. */
export interface UsageKey {
	keyId: number;
	productCode: string;
	licenseArn?: string;
	customer: Customer;
	dimension: string;
	hour: Date;
	/** AWS refuses the record from this instant on. */
	deadline: Date;
}

export interface SummedAllocation {
	tagSet: string;
	tags?: Tag[];
	quantity: string;
}

/** What `build` is given for a key claimed for the first time. */
export interface KeyUsage extends UsageKey {
	/** The sum of its events. */
	quantity: string;
	/** Allocations summed by tag set, when any event had allocations (untagged events under tagSet ''). */
	allocations?: SummedAllocation[];
	events: number;
}

/** A usage allocation as AWS takes it. */
export interface UsageAllocation {
	AllocatedUsageQuantity: number;
	Tags?: Tag[];
}

/** The record to send, frozen for every later attempt; or why the key cannot be billed. */
export type BuiltRecord =
	| { ok: true; quantity: number; allocations?: UsageAllocation[] }
	| { ok: false; code: string; reason: string };

/** Synchronous and without side effects: it runs inside the claim's transaction, which PostgreSQL may run again after a conflict. */
export type BuildRecord = (usage: KeyUsage) => BuiltRecord;

export interface FinalReport {
	licenseArns?: string[];
	/** AWS account IDs or customer identifiers. */
	customers?: string[];
}

/** Zero usage for the idle hours of a product's active licenses: the dimensions to report. */
export interface ZeroUsage {
	productCode: string;
	dimensions: string[];
}

export interface ClaimOptions {
	now: Date;
	/** Who holds the lease, e.g. the execution's ID. */
	claimant: string;
	/** Minutes an hour stays open for late usage after it ends. */
	closeAfterMinutes: number;
	/** How long the claimed keys are this claimant's: it renews the lease while it works on them. */
	leaseMs: number;
	limit?: number;
	/** Also claims the not yet closed hours of these, up to the hour in progress; later usage is never sent. */
	final?: FinalReport;
	/**
	 * First creates a key of quantity 0 for every closed hour, still within AWS's window, of every active
	 * license of these products that has none, from the license's start until it stopped being active
	 * or its final report: each is then claimed and sent as any key, once.
	 */
	zeroUsage?: ZeroUsage[];
}

export interface ClaimedKey extends UsageKey {
	/** The license ARN's spelling to send (frozen at the first claim): as issued, else as first given, else licenseArn. */
	sentLicenseArn?: string;
	quantity: number;
	allocations?: UsageAllocation[];
	events: number;
	/** Attempts before this one: more than 0 means an earlier attempt may have reached AWS. */
	priorAttempts: number;
}

export interface ExpiredKey extends UsageKey {
	quantity: string;
	events: number;
	priorAttempts: number;
}

export interface RefusedKey extends UsageKey {
	quantity: string;
	events: number;
	code: string;
	reason: string;
}

export interface Claim {
	claimed: ClaimedKey[];
	/** Keys whose deadline passed before they were billed. */
	expired: ExpiredKey[];
	/** Keys `build` refused: now notBilled. */
	refused: RefusedKey[];
}

export type Outcome =
	| { keyId: number; outcome: 'billed'; meteringRecordId: string | null }
	/** status: AWS's (CustomerNotSubscribed, DuplicateRecord) or the engine's (Rejected...). */
	| { keyId: number; outcome: 'notBilled'; status: string; reason: string }
	/** Back to ready with its frozen record, to be sent by a later claim. */
	| { keyId: number; outcome: 'retry'; error: string }
	| { keyId: number; outcome: 'expired'; reason: string };

export interface Settlement {
	settled: number[];
	/** Keys no longer sending under this claimant: another execution took over after the lease lapsed. */
	ignored: number[];
}

export interface Renewal {
	renewed: number[];
	/** Keys no longer sending under this claimant: its lease lapsed and another execution took them over, or they were settled. */
	lost: number[];
}

export interface ReportQuery {
	/** Hours from this one (inclusive). */
	from?: Date;
	/** Hours before this one (exclusive). */
	to?: Date;
	customerAWSAccountId?: string;
	customerIdentifier?: string;
	licenseArn?: string;
	productCode?: string;
	dimension?: string;
	states?: KeyState[];
	/** With closeAfterMinutes: an open key whose hour has closed reports as ready. */
	now?: Date;
	closeAfterMinutes?: number;
	/** Default 1000; null: every row. */
	limit?: number | null;
}

export interface ReportRow extends UsageKey {
	events: number;
	quantity: string;
	/** The frozen quantity, once claimed. */
	sentQuantity?: number;
	state: KeyState;
	status?: string;
	reason?: string;
	meteringRecordId?: string;
	/** When AWS's answer was recorded. */
	sentAt?: Date;
	attempts: number;
	lastError?: string;
	/** Hours whose late events came into this key. */
	carriedFrom: Date[];
	/** Hours this key's own late events went to. */
	carriedTo: Date[];
}

/** active: may be metered. cancelling: its agreement ended. ended: deprovisioned. */
export type LicenseState = 'active' | 'cancelling' | 'ended';

/** signUp: Resolve Customer. lifecycleEvent: the trigger. manual: Record License. */
export type LicenseSource = 'signUp' | 'lifecycleEvent' | 'manual';

/** A change of one license, or (agreementId without licenseArn) of every license of an agreement. */
export interface LicenseChange {
	/** In any of AWS's spellings: the ledger keeps the canonical one (canonicalLicenseArn). */
	licenseArn?: string;
	agreementId?: string;
	state: LicenseState;
	/** When it happened: the event's own time, not its arrival. */
	happenedAt: Date;
	source: LicenseSource;
	customerAWSAccountId?: string;
	customerIdentifier?: string;
	productCode?: string;
	/** What told it, such as the event's detail-type. */
	detail?: string;
}

export interface License {
	licenseArn: string;
	licenseId: string;
	customerAWSAccountId?: string;
	customerIdentifier?: string;
	productCode?: string;
	agreementId?: string;
	state: LicenseState;
	/** When the change that set the state happened, and where it came from. */
	stateChangedAt: Date;
	stateSource: LicenseSource;
	/** When it first became active. */
	startedAt?: Date;
	/** While not active: when it stopped being active. */
	endedAt?: Date;
	/** The ARN as AWS issued it (Resolve Customer's, else a full ARN given by hand): the spelling its usage is sent in. */
	issuedLicenseArn?: string;
}

/**
 * applied: the change is the license's newest, its state now. stale: a newer change stands (the
 * change is kept in the history). repeated: the same change was recorded before. kept: no license
 * of the agreement is known yet; the change applies to its licenses once they are recorded.
 */
export interface LicenseAnswer {
	result: 'applied' | 'stale' | 'repeated' | 'kept';
	/** The licenses concerned as they now are: one, or those of the agreement (none known yet: empty). */
	licenses: License[];
}

export interface LicenseQuery {
	/** Any spelling. */
	licenseArn?: string;
	agreementId?: string;
	customerAWSAccountId?: string;
	productCode?: string;
	states?: LicenseState[];
}

export interface MeteringLedger {
	/** One answer per event, in input order. */
	recordEvents(events: LedgerUsageEvent[], options: RecordOptions): Promise<RecordAnswer[]>;
	/** Expires what missed its deadline, then claims due keys, oldest hour first, freezing their records. */
	claim(options: ClaimOptions, build: BuildRecord): Promise<Claim>;
	settle(claimant: string, outcomes: Outcome[], options: { now: Date }): Promise<Settlement>;
	/** Extends the lease of these keys to now + leaseMs, those still sending under this claimant only. */
	renew(claimant: string, keyIds: number[], options: { now: Date; leaseMs: number }): Promise<Renewal>;
	report(query?: ReportQuery): Promise<ReportRow[]>;
	/** One answer per change, in input order; a change of the past never reverts a newer one. */
	recordLicenseChanges(changes: LicenseChange[], options: { now: Date }): Promise<LicenseAnswer[]>;
	licenses(query?: LicenseQuery): Promise<License[]>;
	/** True the first time this delivery ID is seen within keepDays (default 7). */
	rememberDelivery(deliveryId: string, options: { now: Date; keepDays?: number }): Promise<boolean>;
	close(): Promise<void>;
}
