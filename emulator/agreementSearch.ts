// SearchAgreements: the caller's agreements on the side PartyType names, filtered as AWS documents it (a proposer
// may combine any filters with AgreementType; an acceptor only the combinations AWS lists), sorted and paged.
import { DEFAULT_PAGE_SIZE, proposalSummary, proposerOf, seconds, validation, type AgreementStore, type Party } from './agreementStore';
import type { Caller } from './credentials';
import { pageOf } from './pages';
import type { EmulatorAgreement } from './types';

interface SearchAgreementsRequest {
	catalog?: string;
	filters?: Array<{ name?: string; values?: string[] }>;
	sort?: { sortBy?: string; sortOrder?: 'ASCENDING' | 'DESCENDING' };
	maxResults?: number;
	nextToken?: string;
}

type Time = 'endTime' | 'startTime' | 'lastUpdateTime';
const timeOf = (agreement: EmulatorAgreement, time: Time) => seconds(time === 'lastUpdateTime' ? (agreement.lastUpdateTime ?? agreement.acceptanceTime) : agreement[time]);

// "BeforeEndTime – a date used to filter agreements with a date before the endTime": read, as AWS's other
// Before/After filters are, as agreements ending before the date. An agreement without an end never matches.
const before = (time: Time) => (agreement: EmulatorAgreement, value: string) => (timeOf(agreement, time) ?? Infinity) < seconds(value)!;
const after = (time: Time) => (agreement: EmulatorAgreement, value: string) => (timeOf(agreement, time) ?? -Infinity) > seconds(value)!;
const DATE_FILTERS = new Set(['BeforeEndTime', 'AfterEndTime', 'BeforeStartTime', 'AfterStartTime', 'BeforeLastUpdateTime', 'AfterLastUpdateTime']);

const MATCHES: Record<string, (agreement: EmulatorAgreement, value: string) => boolean> = {
	AgreementType: (agreement, value) => (agreement.agreementType ?? 'PurchaseAgreement') === value,
	Status: (agreement, value) => agreement.status === value,
	ResourceIdentifier: (agreement, value) => agreement.productId === value,
	ResourceType: (agreement, value) => agreement.productType === value,
	AcceptorAccountId: (agreement, value) => agreement.acceptorAccountId === value,
	OfferId: (agreement, value) => agreement.offerId === value,
	OfferSetId: (agreement, value) => agreement.offerSetId === value,
	InitialAgreementId: (agreement, value) => (agreement.initialAgreementId ?? agreement.agreementId) === value,
	LicenseArn: (agreement, value) => (agreement.licenseArns ?? []).includes(value),
	EndTimeBehaviorType: (agreement, value) => agreement.endTimeBehavior?.type === value,
	EndTimeBehaviorReasonCode: (agreement, value) => agreement.endTimeBehavior?.reasonCode === value,
	BeforeEndTime: before('endTime'),
	AfterEndTime: after('endTime'),
	BeforeStartTime: before('startTime'),
	AfterStartTime: after('startTime'),
	BeforeLastUpdateTime: before('lastUpdateTime'),
	AfterLastUpdateTime: after('lastUpdateTime'),
};

// An acceptor's combinations, as AWS lists them: AgreementType with at most one of ACCEPTOR_ONE_OF, and Status or
// the end time (Status not with ResourceType).
const ACCEPTOR_ONE_OF = ['ResourceIdentifier', 'ResourceType', 'OfferId', 'OfferSetId'];
const ACCEPTOR_ALSO = ['Status', 'BeforeEndTime', 'AfterEndTime'];
const SORT_KEYS: Record<string, { time: Time; proposerOnly: boolean }> = {
	EndTime: { time: 'endTime', proposerOnly: false },
	StartTime: { time: 'startTime', proposerOnly: true },
	LastUpdateTime: { time: 'lastUpdateTime', proposerOnly: true },
};

export function searchAgreements(store: AgreementStore, body: unknown, caller: Caller): Record<string, unknown> {
	const request = body as SearchAgreementsRequest;
	if (request.catalog !== undefined && request.catalog !== 'AWSMarketplace') throw validation('INVALID_CATALOG', `Catalog ${request.catalog} is not supported.`);
	const filters = readFilters(request);
	const party = filters.get('PartyType');
	if (party === undefined) throw validation('MISSING_PARTY_TYPE', 'The PartyType filter is required: Proposer or Acceptor.');
	if (party !== 'Proposer' && party !== 'Acceptor') throw validation('INVALID_PARTY_TYPE', `PartyType ${party} is not Proposer or Acceptor.`);
	filters.delete('PartyType');
	if (!filters.has('AgreementType')) throw validation('INVALID_FILTERS', 'The AgreementType filter is required.');
	if (party === 'Acceptor' && !acceptorSupports([...filters.keys()])) {
		throw validation('UNSUPPORTED_FILTERS', `An acceptor cannot combine the filters ${[...filters.keys()].join(', ')}.`);
	}
	const order = sortOf(request, party);
	const matching = store
		.ofCaller(caller)
		.filter((found) => found.party === party && [...filters].every(([name, value]) => MATCHES[name](found.agreement, value)))
		.map((found) => found.agreement)
		.sort(order);
	const { page, nextToken } = pageOf(matching, {
		token: request.nextToken,
		size: request.maxResults ?? DEFAULT_PAGE_SIZE,
		query: [request.catalog, [...filters, ['PartyType', party]].sort(), request.sort ?? null],
		invalidToken: () => validation('INVALID_NEXT_TOKEN', 'The nextToken is not valid for this request.'),
	});
	return { agreementViewSummaries: page.map(viewSummary), ...(nextToken ? { nextToken } : {}) };
}

/** The filters by name, each with its one value (the model allows one). */
function readFilters(request: SearchAgreementsRequest): Map<string, string> {
	const filters = new Map<string, string>();
	for (const { name, values } of request.filters ?? []) {
		if (name === undefined) throw validation('MISSING_FILTER_NAME', 'A filter has no name.');
		if (!values?.length) throw validation('MISSING_FILTER_VALUES', `The filter ${name} has no value.`);
		if (name !== 'PartyType' && !(name in MATCHES)) throw validation('INVALID_FILTER_NAME', `${name} is not a filter of SearchAgreements.`);
		if (filters.has(name)) throw validation('INVALID_FILTERS', `The filter ${name} is given twice.`);
		if (DATE_FILTERS.has(name) && Number.isNaN(Date.parse(values[0]))) throw validation('INVALID_FILTER_VALUES', `${name} ${values[0]} is not a date.`);
		filters.set(name, values[0]);
	}
	return filters;
}

function acceptorSupports(names: string[]): boolean {
	const one = names.filter((name) => ACCEPTOR_ONE_OF.includes(name));
	const others = names.filter((name) => name !== 'AgreementType' && !ACCEPTOR_ONE_OF.includes(name));
	return one.length <= 1 && others.every((name) => ACCEPTOR_ALSO.includes(name)) && !(one[0] === 'ResourceType' && names.includes('Status'));
}

/** EndTime by default, ascending; agreements without the time last, then by ID so that pages are stable. */
function sortOf(request: SearchAgreementsRequest, party: Party): (a: EmulatorAgreement, b: EmulatorAgreement) => number {
	const sortBy = request.sort?.sortBy ?? 'EndTime';
	const key = SORT_KEYS[sortBy];
	if (!key || (key.proposerOnly && party !== 'Proposer')) throw validation('INVALID_SORT_BY', `The agreements cannot be sorted by ${sortBy} for ${party}.`);
	const direction = request.sort?.sortOrder === 'DESCENDING' ? -1 : 1;
	return (a, b) => {
		const [x, y] = [timeOf(a, key.time), timeOf(b, key.time)];
		if (x === y) return a.agreementId.localeCompare(b.agreementId);
		if (x === undefined || y === undefined) return x === undefined ? 1 : -1;
		return (x - y) * direction;
	};
}

function viewSummary(agreement: EmulatorAgreement): Record<string, unknown> {
	return {
		agreementId: agreement.agreementId,
		acceptanceTime: seconds(agreement.acceptanceTime),
		startTime: seconds(agreement.startTime),
		...(agreement.endTime ? { endTime: seconds(agreement.endTime) } : {}),
		lastUpdateTime: timeOf(agreement, 'lastUpdateTime'),
		agreementType: agreement.agreementType ?? 'PurchaseAgreement',
		acceptor: { accountId: agreement.acceptorAccountId },
		proposer: { accountId: proposerOf(agreement) },
		proposalSummary: proposalSummary(agreement),
		status: agreement.status,
		entitlements: (agreement.licenseArns ?? []).map((licenseArn) => ({ licenseArn })),
		initialAgreementId: agreement.initialAgreementId ?? agreement.agreementId,
		...(agreement.endTimeBehavior
			? { endTimeBehaviorType: agreement.endTimeBehavior.type, ...(agreement.endTimeBehavior.reasonCode ? { endTimeBehaviorReasonCode: agreement.endTimeBehavior.reasonCode } : {}) }
			: {}),
	};
}
