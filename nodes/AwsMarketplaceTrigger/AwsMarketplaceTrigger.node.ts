import type { INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { testLedgerCredential } from '../shared/openLedger';
import { webhookMethods } from './activation';
import { EVENT_TYPES, LIFECYCLE_EVENTS, OTHER_EVENT } from './eventBridge/events';
import { README_URL, TRIGGER_DOCS_URL } from './docs';
import { receive } from './receive';

export class AwsMarketplaceTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AWS Marketplace Trigger',
		name: 'awsMarketplaceTrigger',
		icon: { light: 'file:awsMarketplaceTrigger.svg', dark: 'file:awsMarketplaceTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ($parameter["events"] || []).length + (($parameter["events"] || []).length === 1 ? " event type" : " event types") }}',
		description: 'Starts the workflow on AWS Marketplace subscription events: agreements, licenses, cancellations',
		eventTriggerDescription: 'Waiting for an AWS Marketplace event',
		// n8n's panel would say to make the event happen in AWS Marketplace, which a seller cannot do at will.
		triggerPanel: {
			header: 'Send an event to the Test URL',
			executionsHelp: {
				inactive: `While you build the workflow, click “Execute step” (in n8n 1.x “Listen for test event”) and send an AWS Marketplace event to the Test URL with your credential’s API-key header: the <a href="${README_URL}" target="_blank">README</a> has a ready curl command with a sample License Updated event. Once the workflow is published, EventBridge delivers real events to the Production URL.`,
				active: `The workflow is published: EventBridge delivers AWS Marketplace events to the Production URL and each starts an execution. To try a change, click “Execute step” and send the README’s sample event to the Test URL.`,
			},
		},
		activationMessage: 'EventBridge can now deliver AWS Marketplace events to the production URL.',
		defaults: { name: 'AWS Marketplace Trigger' },
		inputs: [],
		// Plain 'main' rather than NodeConnectionTypes, which n8n 1.x's n8n-workflow lacks.
		outputs: ['main'],
		credentials: [
			// Nothing to test the API key against: the trigger only compares it with the requests' header.
			{ name: 'awsMarketplaceWebhookApi', required: true },
			{
				name: 'awsMarketplaceMeteringLedgerApi',
				displayName: 'Ledger Credential',
				required: true,
				testedBy: 'awsMarketplaceMeteringLedgerApiTest',
				// A `hide` condition: n8n's editor would put the credentials above a parameter a `show` condition names.
				displayOptions: { hide: { ledger: ['none', 'embedded'] } },
			},
		],
		// An empty responseData: n8n otherwise answers a started run with the literal text "firstEntryJson".
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '', path: 'webhook' }],
		properties: [
			{
				displayName: `Make the production URL the endpoint of an EventBridge API destination in us-east-1, with a rule on the default event bus for source aws.agreement-marketplace and a connection whose API key is this credential’s. <a href="${TRIGGER_DOCS_URL}" target="_blank">The setup</a>; to try it now, the <a href="${README_URL}" target="_blank">README</a>’s curl command sends a sample event to the Test URL.`,
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				// Sorted by name, as n8n lists options (the lint rule for it cannot see a list built here).
				options: [
					...EVENT_TYPES.map(({ event, detailType, description }) => ({ name: detailType, value: event, description })),
					{ name: 'Other', value: OTHER_EVENT, description: 'An AWS Marketplace detail-type this node does not know yet, never another service’s event' },
				].sort((a, b) => a.name.localeCompare(b.name)),
				default: [...LIFECYCLE_EVENTS],
				description:
					'The events that start the workflow, whatever the role (Proposer or Manufacturer). Others are answered 200 and ignored; your EventBridge rule decides which are sent at all.',
			},
			{
				displayName: 'Metering Ledger',
				name: 'ledger',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'None',
						value: 'none',
						description: 'Remember the last 1000 deliveries in the workflow and in this n8n process',
					},
					{
						name: 'Embedded',
						value: 'embedded',
						description: 'Remember deliveries for 7 days in the embedded metering ledger: one n8n instance, not queue mode',
					},
					{
						name: 'PostgreSQL',
						value: 'postgres',
						description: 'Remember deliveries for 7 days in the shared metering ledger: every n8n instance and worker',
					},
				],
				default: 'none',
				description:
					'Where repeated deliveries are recognized: EventBridge delivers at least once, and a repeat is answered 200 without starting the workflow again',
			},
			{
				displayName: 'Keep Licenses Current in Ledger',
				name: 'recordLicenses',
				type: 'boolean',
				default: true,
				description:
					'Whether to record in the metering ledger what License Updated, License Deprovisioned and Purchase Agreement Created, Amended and Ended (a cancellation) tell of each license, whichever events start the workflow: Batch Meter Usage then knows who is subscribed, for zero usage in idle hours. Each change counts at the event’s own time, so a late or repeated event never reverts a newer state.',
				displayOptions: { show: { ledger: ['embedded', 'postgres'] } },
			},
			{
				displayName: 'Accept SNS Messages (Legacy)',
				name: 'acceptSns',
				type: 'boolean',
				default: false,
				description:
					'Whether to also accept the legacy AWS Marketplace SNS topics through an HTTPS subscription: the subscription is confirmed and each message’s SNS signature verified',
			},
			{
				displayName: 'SNS Topic ARNs',
				name: 'snsTopicArns',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'e.g. arn:aws:sns:us-east-1:123456789012:aws-mp-subscription-notification-abc123',
				description:
					'The AWS Marketplace topics to accept, comma-separated. Any SNS topic’s message carries a valid signature, so messages of other topics are refused.',
				displayOptions: { show: { acceptSns: [true] } },
			},
		],
	};

	methods = { credentialTest: { awsMarketplaceMeteringLedgerApiTest: testLedgerCredential } };

	webhookMethods = webhookMethods;

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receive.call(this);
	}
}
