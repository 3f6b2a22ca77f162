import { randomUUID } from 'node:crypto';

import { RegisterUsageCommand } from '@aws-sdk/client-marketplace-metering';
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { fieldError, requireProductCode } from '../helpers/fields';
import { mapItems } from '../helpers/perItem';
import { versioned } from '../helpers/versions';
import { decodeSignature, verificationFailure } from '../helpers/signature';
import type { Services } from './services';

const show = { show: { operation: ['registerUsage'] } };

export const description: INodeProperties[] = (<INodeProperties[]>[
	{
		displayName: 'Register Usage works only from the buyer’s ECS task or EKS pod, with that task’s or pod’s own role (credential source: Default AWS Credential Chain). Static keys are refused by AWS.',
		name: 'registerUsageNotice',
		type: 'notice',
		default: '',
		displayOptions: show,
	},
	{
		displayName: 'Product Code',
		name: 'registerUsageProductCode',
		type: 'string',
		required: true,
		default: '',
		description: 'The container product’s code from the AWS Marketplace Management Portal',
		displayOptions: show,
	},
	{
		displayName: 'Public Key Version',
		name: 'publicKeyVersion',
		type: 'number',
		typeOptions: { minValue: 1, numberPrecision: 0 },
		required: true,
		default: 1,
		description: 'Version of the product’s public key; 1 unless the key was rotated',
		displayOptions: show,
	},
	{
		displayName: 'Nonce',
		name: 'nonce',
		type: 'string',
		default: '',
		description: 'Up to 255 characters, echoed in the signed token. Leave empty for a fresh random nonce.',
		displayOptions: show,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Public Key (PEM)',
				name: 'publicKey',
				type: 'string',
				typeOptions: { rows: 6 },
				default: '',
				placeholder: 'e.g. -----BEGIN PUBLIC KEY-----…',
				description:
					'The product’s public key from the AWS Marketplace Management Portal. When set, the node verifies the PS256 signature and the signed product code, key version and nonce (read as ProductCode or productCode, and so on), and fails the item if any does not match.',
			},
		],
	},
]).flatMap(versioned);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	services: Services,
): Promise<INodeExecutionData[]> {
	const client = await services.client();
	return await mapItems.call(this, items, async (itemIndex) => {
		const productCode = requireProductCode(this, itemIndex, 'registerUsageProductCode');
		const publicKeyVersion = Number(this.getNodeParameter('publicKeyVersion', itemIndex));
		if (!Number.isInteger(publicKeyVersion) || publicKeyVersion < 1) {
			throw fieldError(this, itemIndex, `Public Key Version ${publicKeyVersion} is not an integer of 1 or more`);
		}
		const nonce = String(this.getNodeParameter('nonce', itemIndex, '') ?? '') || randomUUID();
		if (nonce.length > 255) throw fieldError(this, itemIndex, `Nonce is ${nonce.length} characters long: it must be at most 255`);
		const { publicKey } = this.getNodeParameter('options', itemIndex, {}) as { publicKey?: string };

		const response = await client.send(
			new RegisterUsageCommand({ ProductCode: productCode, PublicKeyVersion: publicKeyVersion, Nonce: nonce }),
		);
		const signature = response.Signature ?? '';
		let decoded;
		try {
			decoded = decodeSignature(signature);
		} catch (error) {
			throw new NodeOperationError(this.getNode(), `AWS returned a signature that cannot be read: ${(error as Error).message}`, { itemIndex });
		}
		if (publicKey) {
			const failure = verificationFailure(signature, decoded, publicKey, { productCode, publicKeyVersion, nonce });
			if (failure) {
				throw new NodeOperationError(this.getNode(), 'The Register Usage signature did not verify', {
					description: `${failure}. Do not start the container’s paid features; check the public key and version in the Management Portal.`,
					itemIndex,
				});
			}
		}
		const rotatedAt = response.PublicKeyRotationTimestamp?.toISOString();
		return {
			productCode,
			publicKeyVersion,
			nonce,
			signature,
			claims: decoded.claims as IDataObject,
			normalizedClaims: decoded.normalized as IDataObject,
			verified: Boolean(publicKey),
			publicKeyRotationTimestamp: rotatedAt ?? null,
			// AWS sends the rotation time only when the key version asked for has expired.
			...(rotatedAt
				? { warning: `The product’s public key was rotated at ${rotatedAt}: make sure the container uses the current public key version.` }
				: {}),
		};
	});
}
