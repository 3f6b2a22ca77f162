import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import * as acceptAgreementCancellationRequest from './acceptAgreementCancellationRequest.operation';
import * as batchCreateBillingAdjustmentRequest from './batchCreateBillingAdjustmentRequest.operation';
import * as batchMeterUsage from './batchMeterUsage.operation';
import * as cancelAgreementCancellationRequest from './cancelAgreementCancellationRequest.operation';
import * as describeAgreement from './describeAgreement.operation';
import * as getAgreementCancellationRequest from './getAgreementCancellationRequest.operation';
import * as getAgreementTerms from './getAgreementTerms.operation';
import * as getBillingAdjustmentRequest from './getBillingAdjustmentRequest.operation';
import * as getEntitlements from './getEntitlements.operation';
import * as getMeteringReport from './getMeteringReport.operation';
import * as meterOpenHours from './meterOpenHours.operation';
import * as meterUsage from './meterUsage.operation';
import * as reconcileBillingWithInvoices from './reconcileBillingWithInvoices.operation';
import * as recordLicense from './recordLicense.operation';
import * as recordUsage from './recordUsage.operation';
import * as registerUsage from './registerUsage.operation';
import * as rejectAgreementCancellationRequest from './rejectAgreementCancellationRequest.operation';
import * as listAgreementCancellationRequests from './listAgreementCancellationRequests.operation';
import * as listAgreementCharges from './listAgreementCharges.operation';
import * as listAgreementInvoiceLineItems from './listAgreementInvoiceLineItems.operation';
import * as resolveCustomer from './resolveCustomer.operation';
import * as searchAgreements from './searchAgreements.operation';
import * as sendAgreementCancellationRequest from './sendAgreementCancellationRequest.operation';
import type { Services } from './services';

interface OperationModule {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, items: INodeExecutionData[], services: Services): Promise<INodeExecutionData[]>;
}

export interface Operation {
	/** The value saved in workflows: unique across resources, so an operation's fields show on it alone. */
	value: string;
	/** As the editor lists it: the API's own name for the call. */
	name: string;
	description: string;
	/** What the nodes panel shows, and the name a new node gets on the canvas. */
	action: string;
	/** The node version that added it; without one, every version has it. */
	since?: number;
	module: OperationModule;
}

export interface Resource {
	value: string;
	name: string;
	/** The operation a new node of this resource starts with. */
	default: string;
	operations: Operation[];
}

// Version 3 groups the operations by what a seller works on, each resource served by one AWS API or by the ledger:
// the customer a registration token names and the usage reported (Metering API), the metering ledger and the
// licenses it keeps (no AWS call of their own), a contract's entitlements (Entitlement Service), agreements, their cancellation requests and billing
// adjustment requests (Agreement Service, as its API names them). One flat list mixed them, and the Agreement
// Service's ten operations would have doubled it.
export const RESOURCES: Resource[] = [
	{
		value: 'customer',
		name: 'Customer',
		default: 'resolveCustomer',
		operations: [
			{
				value: 'resolveCustomer',
				name: 'Resolve Customer',
				description: 'Turn a SaaS registration token into the customer’s account, product and license',
				action: 'Resolve a customer',
				module: resolveCustomer,
			},
		],
	},
	{
		value: 'usage',
		name: 'Usage',
		default: 'batchMeterUsage',
		operations: [
			{
				value: 'batchMeterUsage',
				name: 'Batch Meter Usage',
				description: 'Report SaaS usage records, batched, aggregated and retried',
				action: 'Batch meter usage',
				module: batchMeterUsage,
			},
			{
				value: 'meterUsage',
				name: 'Meter Usage',
				description: 'Report hourly usage of an AMI or container product from the buyer’s compute',
				action: 'Meter usage',
				module: meterUsage,
			},
			{
				value: 'registerUsage',
				name: 'Register Usage',
				description: 'Check a paid container product’s entitlement at task or pod start',
				action: 'Register usage',
				module: registerUsage,
			},
		],
	},
	{
		value: 'ledger',
		name: 'Metering Ledger',
		default: 'recordUsage',
		operations: [
			{
				value: 'getMeteringReport',
				name: 'Get Metering Report',
				description: 'Read what the metering ledger holds and sent, per customer, dimension and hour',
				action: 'Get a metering report',
				module: getMeteringReport,
			},
			{
				value: 'meterOpenHours',
				name: 'Meter Open Hours Now',
				description: 'Send the final usage of cancelled licenses or customers at once, and every closed hour of others in the ledger',
				action: 'Meter open hours now',
				module: meterOpenHours,
			},
			{
				value: 'reconcileBillingWithInvoices',
				name: 'Reconcile Billing with Invoices',
				description: 'Compare what the metering ledger billed an agreement’s buyer with AWS’s invoices, month by month',
				action: 'Reconcile billing with invoices',
				since: 3,
				module: reconcileBillingWithInvoices,
			},
			{
				value: 'recordUsage',
				name: 'Record Usage',
				description: 'Store usage events in the metering ledger, to be sent once their hour has closed',
				action: 'Record usage',
				module: recordUsage,
			},
		],
	},
	{
		value: 'license',
		name: 'License',
		default: 'recordLicense',
		operations: [
			{
				value: 'recordLicense',
				name: 'Record License',
				description: 'Keep a license and its state in the metering ledger, for zero usage in its idle hours',
				action: 'Record a license',
				since: 3,
				module: recordLicense,
			},
		],
	},
	{
		value: 'entitlement',
		name: 'Entitlement',
		default: 'getEntitlements',
		operations: [
			{
				value: 'getEntitlements',
				name: 'Get Entitlements',
				description: 'Read what customers of a contract product bought, per dimension, and until when',
				action: 'Get entitlements',
				module: getEntitlements,
			},
		],
	},
	{
		value: 'agreement',
		name: 'Agreement',
		default: 'describeAgreement',
		operations: [
			{
				value: 'describeAgreement',
				name: 'Describe Agreement',
				description: 'Read an agreement’s parties, product, offer, status and dates',
				action: 'Describe an agreement',
				since: 3,
				module: describeAgreement,
			},
			{
				value: 'getAgreementTerms',
				name: 'Get Agreement Terms',
				description: 'Read the terms a buyer accepted: free trial, dimensions, rates, validity, renewal',
				action: 'Get agreement terms',
				since: 3,
				module: getAgreementTerms,
			},
			{
				value: 'listAgreementCharges',
				name: 'List Agreement Charges',
				description: 'List what the buyer of an agreement is charged (the buyer’s operation)',
				action: 'List agreement charges',
				since: 3,
				module: listAgreementCharges,
			},
			{
				value: 'listAgreementInvoiceLineItems',
				name: 'List Agreement Invoice Line Items',
				description: 'List the invoices of an agreement, with the amount a billing adjustment may refund',
				action: 'List agreement invoice line items',
				since: 3,
				module: listAgreementInvoiceLineItems,
			},
			{
				value: 'searchAgreements',
				name: 'Search Agreements',
				description: 'Find agreements by product, offer, buyer, status or time',
				action: 'Search agreements',
				since: 3,
				module: searchAgreements,
			},
		],
	},
	{
		value: 'agreementCancellationRequest',
		name: 'Agreement Cancellation Request',
		default: 'getAgreementCancellationRequest',
		operations: [
			{
				value: 'acceptAgreementCancellationRequest',
				name: 'Accept Agreement Cancellation Request',
				description: 'As the buyer, accept a seller’s request to cancel the agreement, which cancels it',
				action: 'Accept a cancellation request',
				since: 3,
				module: acceptAgreementCancellationRequest,
			},
			{
				value: 'cancelAgreementCancellationRequest',
				name: 'Cancel Agreement Cancellation Request',
				description: 'As the seller, withdraw a request to cancel that the buyer has not answered',
				action: 'Cancel a cancellation request',
				since: 3,
				module: cancelAgreementCancellationRequest,
			},
			{
				value: 'getAgreementCancellationRequest',
				name: 'Get Agreement Cancellation Request',
				description: 'Read a cancellation request’s status, reason and times (seller or buyer)',
				action: 'Get a cancellation request',
				since: 3,
				module: getAgreementCancellationRequest,
			},
			{
				value: 'listAgreementCancellationRequests',
				name: 'List Agreement Cancellation Requests',
				description: 'List the cancellation requests this account sent as seller, or received as buyer',
				action: 'List cancellation requests',
				since: 3,
				module: listAgreementCancellationRequests,
			},
			{
				value: 'rejectAgreementCancellationRequest',
				name: 'Reject Agreement Cancellation Request',
				description: 'As the buyer, reject a seller’s request to cancel the agreement, giving a reason',
				action: 'Reject a cancellation request',
				since: 3,
				module: rejectAgreementCancellationRequest,
			},
			{
				value: 'sendAgreementCancellationRequest',
				name: 'Send Agreement Cancellation Request',
				description: 'As the seller, ask the buyer to cancel an agreement (asks for confirmation)',
				action: 'Send a cancellation request',
				since: 3,
				module: sendAgreementCancellationRequest,
			},
		],
	},
	{
		value: 'billingAdjustmentRequest',
		name: 'Billing Adjustment Request',
		default: 'getBillingAdjustmentRequest',
		operations: [
			{
				value: 'batchCreateBillingAdjustmentRequest',
				name: 'Batch Create Billing Adjustment Request',
				description: 'Refund buyers part or all of an invoice (asks for confirmation)',
				action: 'Create billing adjustment requests',
				since: 3,
				module: batchCreateBillingAdjustmentRequest,
			},
			{
				value: 'getBillingAdjustmentRequest',
				name: 'Get Billing Adjustment Request',
				description: 'Read a refund’s amount, invoice, reason and status',
				action: 'Get a billing adjustment request',
				since: 3,
				module: getBillingAdjustmentRequest,
			},
		],
	},
];

export const OPERATIONS: Operation[] = RESOURCES.flatMap((resource) => resource.operations);

/** The operations with a Metering Ledger parameter. */
export const LEDGER_OPERATIONS = OPERATIONS.filter((operation) => operation.module.description.some((property) => property.name === 'ledger')).map(
	(operation) => operation.value,
);

/** The resource of each operation. */
export const RESOURCE_OF = new Map(RESOURCES.flatMap((resource) => resource.operations.map((operation) => [operation.value, resource.value])));

/** The operation's name, as the nodes panel shows it, on the node in the canvas: n8n evaluates this per node. */
export const SUBTITLE = `={{ { ${OPERATIONS.map((operation) => `${operation.value}: ${JSON.stringify(operation.name)}`).join(', ')} }[$parameter["operation"]] }}`;
