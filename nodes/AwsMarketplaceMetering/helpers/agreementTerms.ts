import type { AcceptedTerm, RateCardItem } from '@aws-sdk/client-marketplace-agreement';
import type { IDataObject } from 'n8n-workflow';

import { plain } from './agreementItems';

const iso = (date: Date | undefined) => date?.toISOString() ?? null;

/**
 * An agreement's accepted terms in the shape a workflow asks about: is there a free trial, which dimensions, at which
 * rates, what the buyer bought, how long the agreement is valid, whether it renews; and AWS's terms as they are.
 * Lifecycle events carry identifiers only: this is where the terms come from.
 */
export function termsItem(agreementId: string, terms: AcceptedTerm[]): IDataObject {
	const trial = terms.find((term) => term.freeTrialPricingTerm)?.freeTrialPricingTerm;
	const validity = terms.find((term) => term.validityTerm)?.validityTerm;
	const renewal = terms.find((term) => term.renewalTerm)?.renewalTerm;
	const rates = terms.flatMap(ratesOf);
	const purchased = terms.flatMap(purchasedOf);
	const grants = (trial?.grants ?? []).map((grant) => ({ dimension: grant.dimensionKey ?? '', maxQuantity: grant.maxQuantity ?? null }));
	const dimensions = [...rates, ...purchased, ...grants].map((entry) => entry.dimension).filter(Boolean);
	return {
		agreementId,
		// In the words of AWS's SNS subscription message, isFreeTrialTermPresent.
		isFreeTrialTermPresent: trial !== undefined,
		freeTrial: trial ? { duration: trial.duration ?? null, grants } : null,
		termTypes: terms.map(typeOf),
		dimensions: [...new Set(dimensions)].sort(),
		rates,
		purchased,
		validity: validity
			? { agreementDuration: validity.agreementDuration ?? null, agreementStartDate: iso(validity.agreementStartDate), agreementEndDate: iso(validity.agreementEndDate) }
			: null,
		autoRenew: renewal?.configuration?.enableAutoRenew ?? null,
		terms: terms.map(plain),
	};
}

/** The unit price of each dimension: pay-as-you-go rates, and contract rates per selector (a contract duration). */
function ratesOf(term: AcceptedTerm): IDataObject[] {
	const rate = (item: RateCardItem, type: string, currencyCode: string | undefined, selector?: string) => ({
		dimension: item.dimensionKey ?? '',
		price: item.price ?? null,
		currencyCode: currencyCode ?? null,
		term: type,
		...(selector ? { selector } : {}),
	});
	const usage = term.usageBasedPricingTerm;
	if (usage) return (usage.rateCards ?? []).flatMap((card) => (card.rateCard ?? []).map((item) => rate(item, typeOf(term), usage.currencyCode)));
	const contract = term.configurableUpfrontPricingTerm;
	if (contract) {
		return (contract.rateCards ?? []).flatMap((card) => (card.rateCard ?? []).map((item) => rate(item, typeOf(term), contract.currencyCode, card.selector?.value)));
	}
	return [];
}

/** What the buyer bought: the units of a contract's configuration, a fixed price's grants (no maximum: unlimited). */
function purchasedOf(term: AcceptedTerm): IDataObject[] {
	const configuration = term.configurableUpfrontPricingTerm?.configuration;
	if (configuration) {
		return (configuration.dimensions ?? []).map((dimension) => ({
			dimension: dimension.dimensionKey ?? '',
			quantity: dimension.dimensionValue ?? null,
			term: typeOf(term),
			selector: configuration.selectorValue ?? null,
		}));
	}
	return (term.fixedUpfrontPricingTerm?.grants ?? []).map((grant) => ({ dimension: grant.dimensionKey ?? '', quantity: grant.maxQuantity ?? null, term: typeOf(term) }));
}

/** The term's own type (UsageBasedPricingTerm…), else the name of its union member. */
function typeOf(term: AcceptedTerm): string {
	const [name, value] = term.$unknown ?? Object.entries(term).find(([, member]) => member !== undefined) ?? ['', undefined];
	const type = (value as { type?: unknown } | undefined)?.type;
	return typeof type === 'string' ? type : name;
}
