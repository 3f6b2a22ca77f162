import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { NodeHelpers, type INodeCredentialDescription, type INodeProperties, type INodePropertyOptions } from 'n8n-workflow';

import { AwsMarketplaceMetering } from '../../../../nodes/AwsMarketplaceMetering/AwsMarketplaceMetering.node';
import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';
import { runNode } from '../../../helpers/workflow';

const description = new AwsMarketplaceMetering().description;
const { properties } = description;

// Resource by resource, each operation with the action the nodes panel shows and the canvas names a new node after.
const ACTIONS: Record<string, Record<string, string>> = {
	customer: { resolveCustomer: 'Resolve a customer' },
	usage: { batchMeterUsage: 'Batch meter usage', meterUsage: 'Meter usage', registerUsage: 'Register usage' },
	ledger: {
		getMeteringReport: 'Get a metering report',
		meterOpenHours: 'Meter open hours now',
		reconcileBillingWithInvoices: 'Reconcile billing with invoices',
		recordUsage: 'Record usage',
	},
	license: { recordLicense: 'Record a license' },
	entitlement: { getEntitlements: 'Get entitlements' },
	agreement: {
		describeAgreement: 'Describe an agreement',
		getAgreementTerms: 'Get agreement terms',
		listAgreementCharges: 'List agreement charges',
		listAgreementInvoiceLineItems: 'List agreement invoice line items',
		searchAgreements: 'Search agreements',
	},
	agreementCancellationRequest: {
		acceptAgreementCancellationRequest: 'Accept a cancellation request',
		cancelAgreementCancellationRequest: 'Cancel a cancellation request',
		getAgreementCancellationRequest: 'Get a cancellation request',
		listAgreementCancellationRequests: 'List cancellation requests',
		rejectAgreementCancellationRequest: 'Reject a cancellation request',
		sendAgreementCancellationRequest: 'Send a cancellation request',
	},
	billingAdjustmentRequest: {
		batchCreateBillingAdjustmentRequest: 'Create billing adjustment requests',
		getBillingAdjustmentRequest: 'Get a billing adjustment request',
	},
};
// Versions 1 and 2 list these, as they always did.
const FLAT = ['Batch Meter Usage', 'Get Entitlements', 'Get Metering Report', 'Meter Open Hours Now', 'Meter Usage', 'Record Usage', 'Register Usage', 'Resolve Customer'];
const FLAT_VALUES = ['batchMeterUsage', 'getEntitlements', 'getMeteringReport', 'meterOpenHours', 'meterUsage', 'recordUsage', 'registerUsage', 'resolveCustomer'];

// What version 3 changed of the flat operations' fields (undefined: gone).
const CHANGED_IN_3: Record<string, Record<string, unknown>> = {
	batchMeterUsage: { usageAllocations: '' },
	recordUsage: { usageAllocations: '', eventId: '' },
	getMeteringReport: { closeAfterMinutes: undefined, returnAll: false, limit: 50 },
};

/** The parameters n8n gives a node of this version and these values: what the editor shows and execute() reads. */
const shown = (typeVersion: number, values: Record<string, unknown>) =>
	NodeHelpers.getNodeParameters(properties, values as never, true, false, { typeVersion }, description) ?? {};
const operationProperty = (matches: (property: INodeProperties) => boolean) => properties.filter((property) => property.name === 'operation' && matches(property));

describe('Version 3: the operations grouped under resources', () => {
	it('is the version new nodes get', () => {
		expect([description.version, description.defaultVersion]).toEqual([[1, 2, 3], 3]);
	});

	it('lists each resource’s operations with their actions, as n8n’s nodes panel reads them (resource, then operation of that resource and version)', () => {
		const resources = properties.find((property) => property.name === 'resource')!;
		expect(resources.displayOptions?.show?.['@version']).toEqual([3]);
		const listed = Object.fromEntries(
			(resources.options as INodePropertyOptions[]).map(({ value }) => {
				const [operations] = operationProperty((property) => Boolean(property.displayOptions?.show?.resource?.includes(value)));
				expect(operations.displayOptions?.show?.['@version']).toEqual([3]);
				return [value, Object.fromEntries((operations.options as INodePropertyOptions[]).map((option) => [option.value, option.action]))];
			}),
		);
		expect(listed).toEqual(ACTIONS);
	});

	it('reaches every operation under its resource, with the fields it has in version 2 if it has one', () => {
		for (const [resource, operations] of Object.entries(ACTIONS)) {
			for (const operation of Object.keys(operations)) {
				const { resource: _resource, ...fields } = shown(3, { resource, operation });
				expect(Object.keys(fields).length).toBeGreaterThan(1);
				if (FLAT_VALUES.includes(operation)) expect([operation, fields]).toEqual([operation, { ...shown(2, { operation }), ...CHANGED_IN_3[operation] }]);
			}
		}
	});

	it('starts a new node on Usage, Batch Meter Usage, as versions 1 and 2 start', () => {
		expect(shown(3, {})).toMatchObject({ resource: 'usage', operation: 'batchMeterUsage' });
		expect(shown(2, {})).toMatchObject({ operation: 'batchMeterUsage' });
		expect(shown(2, {}).resource).toBeUndefined();
	});

	it('guards the operations that cannot be undone with a switch that is off and takes no expression', () => {
		for (const [operation, name] of [
			['batchCreateBillingAdjustmentRequest', 'confirmRefund'],
			['acceptAgreementCancellationRequest', 'confirmCancellation'],
			['sendAgreementCancellationRequest', 'confirmCancellationRequest'],
		]) {
			const guard = properties.filter((property) => property.name === name);
			expect(guard).toEqual([expect.objectContaining({ type: 'boolean', default: false, noDataExpression: true, displayOptions: { show: { operation: [operation] } } })]);
			expect(shown(3, { resource: operation.startsWith('batch') ? 'billingAdjustmentRequest' : 'agreementCancellationRequest', operation })[name]).toBe(false);
		}
	});

	it('keeps the flat list of versions 1 and 2', () => {
		const [flat] = operationProperty((property) => property.displayOptions?.show?.resource === undefined);
		expect(flat.displayOptions?.show?.['@version']).toEqual([1, 2]);
		expect((flat.options as INodePropertyOptions[]).map((option) => [option.name, option.value])).toEqual(FLAT.map((name, index) => [name, FLAT_VALUES[index]]));
	});

	it('names each operation once: the subtitle shows the name the list shows', () => {
		for (const { options } of operationProperty(() => true)) {
			for (const { name, value } of options as INodePropertyOptions[]) expect(description.subtitle).toContain(`${String(value)}: "${name}"`);
		}
	});

	it('lets the trigger be found by “metering” too', () => {
		const codex = JSON.parse(readFileSync(join(__dirname, '../../../../nodes/AwsMarketplaceTrigger/AwsMarketplaceTrigger.node.json'), 'utf8')) as { alias: string[] };
		expect(codex.alias).toContain('Metering');
	});
});

describe('Version 3 through n8n’s engine', () => {
	const emulator = useEmulator({ registrationTokens: [{ token: 'token-1', customerAWSAccountId: '111122223333', productCode: 'prod-saas' }] });

	it('runs an operation of its resource', async () => {
		const { outputs, error } = await runNode({
			parameters: { resource: 'customer', operation: 'resolveCustomer', registrationToken: 'token-1' },
			credentials: emulatorCredential(emulator()),
			typeVersion: 3,
		});
		expect(error).toBeUndefined();
		expect(outputs[0][0].json).toMatchObject({ customerAWSAccountId: '111122223333', productCode: 'prod-saas' });
	});

	it('refuses an operation saved under another resource, sending nothing', async () => {
		emulator().reset();
		const { error } = await runNode({
			parameters: { resource: 'usage', operation: 'resolveCustomer', registrationToken: 'token-1' },
			credentials: emulatorCredential(emulator()),
			typeVersion: 3,
		});
		expect(error?.message).toBe('The operation "resolveCustomer" is not one of the resource "usage"');
		expect(emulator().log).toEqual([]);
	});
});

// n8n's editor keeps a hidden parameter's value until the page is reloaded: a field that shows or hides on a parameter
// its operation may hide vanished for a value the seller no longer saw (Source, under a Metering Ledger set to None).
describe('What the editor shows', () => {
	const CONTEXT = new Set(['operation', 'resource', '@version']);
	const RESOURCE_OF = Object.fromEntries(Object.entries(ACTIONS).flatMap(([resource, operations]) => Object.keys(operations).map((operation) => [operation, resource])));
	const contextOf = (typeVersion: number, operation: string) => (typeVersion >= 3 ? { resource: RESOURCE_OF[operation], operation } : { operation });
	const displayed = (property: INodeProperties | INodeCredentialDescription, values: Record<string, unknown>, typeVersion = 3, root = values) =>
		NodeHelpers.displayParameter(values as never, property, { typeVersion } as never, description, root as never);
	const conditionKeys = (property: INodeProperties) =>
		Object.keys({ ...property.displayOptions?.show, ...property.displayOptions?.hide }).map((key) => key.replace(/^\//, ''));

	it('shows a field only while every parameter it shows or hides on is in sight', () => {
		// The parameters fields show or hide on, with the values they offer.
		const choices = (name: string) => [
			...new Set(
				properties
					.filter((property) => property.name === name)
					.flatMap((property) => (property.type === 'boolean' ? [true, false] : ((property.options ?? []) as INodePropertyOptions[]).map((choice) => choice.value))),
			),
		];
		const broken = new Set<string>();
		for (const typeVersion of [1, 2, 3]) {
			for (const operation of typeVersion >= 3 ? Object.keys(RESOURCE_OF) : FLAT_VALUES) {
				const relevant = properties.filter((property) => displayed(property, contextOf(typeVersion, operation), typeVersion) || conditionKeys(property).some((key) => !CONTEXT.has(key)));
				const fields = relevant.flatMap((property) => [
					{ property, parent: undefined as INodeProperties | undefined },
					...(property.type === 'collection' ? ((property.options ?? []) as INodeProperties[]).map((child) => ({ property: child, parent: property })) : []),
				]);
				const controllers = [...new Set(fields.flatMap(({ property }) => conditionKeys(property)).filter((key) => !CONTEXT.has(key)))];
				let combinations: Array<Record<string, unknown>> = [contextOf(typeVersion, operation)];
				for (const name of controllers) combinations = combinations.flatMap((values) => choices(name).map((value) => ({ ...values, [name]: value })));
				for (const values of combinations) {
					const inSight = (name: string) => properties.some((property) => property.name === name && displayed(property, values, typeVersion));
					for (const { property, parent } of fields) {
						const visible = parent ? displayed(parent, values, typeVersion) && displayed(property, {}, typeVersion, values) : displayed(property, values, typeVersion);
						if (!visible) continue;
						for (const key of conditionKeys(property)) if (!CONTEXT.has(key) && !inSight(key)) broken.add(`version ${typeVersion}, ${operation}: ${property.name} shows on ${key}, hidden`);
					}
				}
			}
		}
		expect([...broken]).toEqual([]);
	});

	const option = (name: string) => ((properties.find((property) => property.name === 'options' && property.displayOptions?.show?.operation?.includes('batchMeterUsage'))!.options ?? []) as INodeProperties[]).find((child) => child.name === name)!;
	const batchOptions = (values: Record<string, unknown>) =>
		['aggregate', 'truncateToHour', 'maxRecordAgeHours', 'output', 'billLateUsageLater', 'deriveEventIds', 'unbilledAsErrors'].filter((name) =>
			displayed(option(name), {}, 3, { resource: 'usage', operation: 'batchMeterUsage', ...values }),
		);

	it('offers Batch Meter Usage’s options only where they apply', () => {
		expect(batchOptions({ ledger: 'none', source: 'inputItems' })).toEqual(['aggregate', 'truncateToHour', 'maxRecordAgeHours', 'output', 'unbilledAsErrors']);
		// The ledger sums each hour itself and answers per input item.
		expect(batchOptions({ ledger: 'embedded', source: 'inputItems' })).toEqual(['maxRecordAgeHours', 'billLateUsageLater', 'deriveEventIds', 'unbilledAsErrors']);
		// Nothing is read from the input.
		expect(batchOptions({ ledger: 'postgres', source: 'ledger' })).toEqual(['unbilledAsErrors']);
	});

	it('keeps Source in sight under every Metering Ledger, and says when Usage in the Ledger lacks one', () => {
		const shownNames = (values: Record<string, unknown>) => Object.keys(shown(3, { resource: 'usage', operation: 'batchMeterUsage', ...values }));
		expect(shownNames({ ledger: 'none' })).toEqual(expect.arrayContaining(['source', 'inputMode', 'quantity']));
		expect(shownNames({ ledger: 'none', source: 'ledger' })).toEqual(expect.arrayContaining(['source', 'sourceNeedsLedgerNotice']));
		expect(shownNames({ ledger: 'none', source: 'ledger' })).not.toContain('inputMode');
		expect(shownNames({ ledger: 'embedded', source: 'ledger' })).not.toContain('sourceNeedsLedgerNotice');
	});

	it('starts the optional mappings empty from version 3 on; versions 1 and 2 keep reading the item’s fields', () => {
		for (const [resource, operation] of [
			['usage', 'batchMeterUsage'],
			['ledger', 'recordUsage'],
		]) {
			expect(shown(3, { resource, operation, ledger: 'embedded' })).toMatchObject({ usageAllocations: '', eventId: '' });
			for (const typeVersion of [1, 2]) {
				expect(shown(typeVersion, { operation, ledger: 'embedded' })).toMatchObject({ usageAllocations: '={{ $json.usageAllocations }}', eventId: '={{ $json.eventId }}' });
			}
		}
	});

	it('gives Get Metering Report a Return All and a Limit in sight from version 3 on, and no Hour Closes After', () => {
		const report = shown(3, { resource: 'ledger', operation: 'getMeteringReport' });
		expect(report).toMatchObject({ returnAll: false, limit: 50 });
		expect(report).not.toHaveProperty('closeAfterMinutes');
		const filters = properties.filter((property) => property.name === 'filters' && property.displayOptions?.show?.operation?.includes('getMeteringReport'));
		const filterNames = (typeVersion: number) => filters.filter((property) => displayed(property, { operation: 'getMeteringReport' }, typeVersion)).flatMap((property) => (property.options as INodeProperties[]).map((child) => child.name));
		expect(filterNames(3)).not.toContain('limit');
		// Saved nodes of versions 1 and 2 keep their Limit among the Filters, and their Hour Closes After.
		expect(filterNames(2)).toContain('limit');
		expect(shown(2, { operation: 'getMeteringReport' })).toMatchObject({ closeAfterMinutes: 10 });
		expect(shown(2, { operation: 'getMeteringReport' })).not.toHaveProperty('returnAll');
	});

	it('puts the credentials first for every operation: no `show` condition, which n8n’s editor would place them by', () => {
		for (const credential of description.credentials ?? []) expect([credential.name, credential.displayOptions?.show]).toEqual([credential.name, undefined]);
	});

	it('asks for the PostgreSQL ledger’s credential exactly where that ledger is chosen, even with a ledger left over from another operation', () => {
		const ledgerCredential = description.credentials!.find((credential) => credential.name === 'awsMarketplaceMeteringLedgerApi')!;
		const meteringCredential = description.credentials!.find((credential) => credential.name === 'awsMarketplaceMeteringApi')!;
		// The operations that show a Metering Ledger.
		const ledgerOperations = Object.keys(RESOURCE_OF).filter((operation) => properties.some((property) => property.name === 'ledger' && displayed(property, contextOf(3, operation))));
		expect(ledgerOperations).toEqual(expect.arrayContaining(['batchMeterUsage', 'getMeteringReport', 'meterOpenHours', 'recordUsage']));
		for (const operation of Object.keys(RESOURCE_OF)) {
			for (const ledger of ['none', 'embedded', 'postgres']) {
				const values = { ...contextOf(3, operation), ledger };
				expect([operation, ledger, displayed(ledgerCredential, values)]).toEqual([operation, ledger, ledger === 'postgres' && ledgerOperations.includes(operation)]);
			}
			expect([operation, displayed(meteringCredential, contextOf(3, operation))]).toEqual([operation, !['recordUsage', 'getMeteringReport', 'recordLicense'].includes(operation)]);
		}
	});

	it('labels the credentials short enough to read in the panel', () => {
		expect(description.credentials!.map((credential) => credential.displayName)).toEqual(['AWS Credential', 'Ledger Credential']);
	});
});
