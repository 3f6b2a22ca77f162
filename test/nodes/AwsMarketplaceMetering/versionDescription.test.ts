import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { NodeHelpers, type INodeProperties, type INodePropertyOptions } from 'n8n-workflow';

import { AwsMarketplaceMetering } from '../../../nodes/AwsMarketplaceMetering/AwsMarketplaceMetering.node';
import { emulatorCredential } from '../../helpers/credentials';
import { useEmulator } from '../../helpers/emulator';
import { runNode } from '../../helpers/workflow';

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
				if (FLAT_VALUES.includes(operation)) expect([operation, fields]).toEqual([operation, shown(2, { operation })]);
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
		const codex = JSON.parse(readFileSync(join(__dirname, '../../../nodes/AwsMarketplaceTrigger/AwsMarketplaceTrigger.node.json'), 'utf8')) as { alias: string[] };
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
