// Events AWS documents that are not AWS Marketplace seller events, which a rule matching too much
// (or a sender with the API key) could forward to the trigger: it must start nothing for them.
import type { LifecycleEvent } from './lifecycleExamples';

export const FOREIGN_EVENTS: Record<string, LifecycleEvent> = {
	// Amazon EC2 User Guide, "State change events for Amazon EC2 instances", with the envelope's
	// version, which the example leaves out and EventBridge always sets.
	'EC2 Instance State-change Notification': {
		version: '0',
		id: '7bf73129-1428-4cd3-a780-95db273d1602',
		'detail-type': 'EC2 Instance State-change Notification',
		source: 'aws.ec2',
		account: '123456789012',
		time: '2021-11-11T21:29:54Z',
		region: 'us-east-1',
		resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890abcdef0'],
		detail: { 'instance-id': 'i-1234567890abcdef0', state: 'pending' },
	},
	// AWS Marketplace Seller Guide, "Amazon EventBridge events": the Catalog API's, about a listing.
	'Offer Released': {
		version: '0',
		id: '01234567-0123-0123-0123-0123456789ab',
		'detail-type': 'Offer Released',
		source: 'aws.marketplacecatalog',
		account: '123456789012',
		time: '2023-08-26T00:00:00Z',
		region: 'us-east-1',
		resources: ['arn:aws:aws-marketplace:us-east-1:123456789012:AWSMarketplace/Offer/offer-1234567890123'],
		detail: {
			requestId: '3d4c9f9b-b809-4f5e-9fac-a9ae98b05cbb',
			catalog: 'AWSMarketplace',
			offer: {
				id: 'offer-1234567890123',
				arn: 'arn:aws:catalog:us-east-1:123456789012:Offer/offer-1234567890123',
				name: 'Offer Name',
				expirationDate: '2025-08-26T00:00:00Z',
			},
			product: {
				id: 'bbbbaaaa-abcd-1111-abcd-666666666666',
				arn: 'arn:aws:aws-marketplace:us-east-1:123456789012:AWSMarketplace/SaaSProduct/bbbbaaaa-abcd-1111-abcd-666666666666',
				title: 'Product Title',
			},
			manufacturer: { accountId: '123456789012', name: 'Manufacturer Account Name' },
			sellerOfRecord: { accountId: '123456789012', name: 'Seller Account Name' },
			targetedBuyerAccountIds: ['999988887777', '111122223333'],
		},
	},
};
