import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INode } from 'n8n-workflow';

import {
	engineRoutesDetails,
	forErrorOutput,
	n8nWorkflowVersion,
	versionRoutesDetails,
} from '../../../../nodes/AwsMarketplaceMetering/helpers/errorOutput';
import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';
import { runNode, type OnError } from '../../../helpers/workflow';

// The router asks engineRoutesDetails() through the module: a test can play an n8n that does not route { error, details }.
jest.mock('../../../../nodes/AwsMarketplaceMetering/helpers/errorOutput', () => {
	const actual = jest.requireActual<typeof import('../../../../nodes/AwsMarketplaceMetering/helpers/errorOutput')>(
		'../../../../nodes/AwsMarketplaceMetering/helpers/errorOutput',
	);
	return { ...actual, engineRoutesDetails: jest.fn(actual.engineRoutesDetails) };
});

const LICENSE = 'arn:aws:license-manager::123456789012:license:l-0123456789abcdef0123456789abcdef';
const HOUR = 3600_000;

const node = (onError?: OnError) => ({ name: 'AWS Marketplace Metering', onError }) as INode;

describe('error output items on n8n versions that do not route { error, details }', () => {
	it('knows which n8n-workflow versions come with an n8n that routes { error, details } (n8n-core 2.36.0 on)', () => {
		expect(['1.120.31', '2.0.0', '2.35.3', '2.36.0', '2.41.0', '3.0.0'].map(versionRoutesDetails)).toEqual([false, false, false, true, true, true]);
		// Unknown: the documented shape.
		expect([undefined, '', 'next'].map(versionRoutesDetails)).toEqual([true, true, true]);
	});

	it('reads the version of the n8n-workflow it runs with (here the development one, 2.x: { error, details })', () => {
		const manifest = JSON.parse(readFileSync(join(__dirname, '../../../../node_modules/n8n-workflow/package.json'), 'utf8')) as { version: string };
		expect(n8nWorkflowVersion()).toBe(manifest.version);
		expect(jest.requireActual<{ engineRoutesDetails: () => boolean }>('../../../../nodes/AwsMarketplaceMetering/helpers/errorOutput').engineRoutesDetails()).toBe(versionRoutesDetails(manifest.version));
	});

	it('turns { error, details } into { error, message } (n8n 1.x takes { error } or { error, message }, nothing else), only for the error output', () => {
		const items = [
			{ json: { error: 'Rejected [item 0]', details: { status: 'Rejected', usageRecord: null } }, pairedItem: { item: 0 } },
			{ json: { error: 'The registration token has expired', details: '' }, pairedItem: { item: 1 } },
			{ json: { status: 'Success', meteringRecordId: 'r-1' }, pairedItem: { item: 2 } },
			{ json: { error: 'text', details: { status: 'Invalid' }, other: 1 }, pairedItem: { item: 3 } },
		];
		expect(forErrorOutput(node('continueErrorOutput'), structuredClone(items), false)).toEqual([
			{ json: { error: 'Rejected [item 0]', message: { status: 'Rejected', usageRecord: null } }, pairedItem: { item: 0 } },
			// An empty `message` would keep n8n 1.x from routing it.
			{ json: { error: 'The registration token has expired' }, pairedItem: { item: 1 } },
			items[2],
			items[3],
		]);
		for (const onError of ['continueRegularOutput', 'stopWorkflow', undefined] as const) {
			expect(forErrorOutput(node(onError), structuredClone(items), false)).toEqual(items);
		}
		expect(forErrorOutput(node('continueErrorOutput'), structuredClone(items), true)).toEqual(items);
	});

	describe('through n8n’s engine', () => {
		const emulator = useEmulator({
			products: [{ productCode: 'prod-new', dimensions: ['requests'] }],
			customers: [{ customerAWSAccountId: '111122223333', productCode: 'prod-new', licenseArn: LICENSE }],
			registrationTokens: [
				{ token: 'token-new', customerAWSAccountId: '111122223333', customerIdentifier: '', productCode: 'prod-new', licenseArn: LICENSE },
				{ token: 'token-expired', customerAWSAccountId: '777788889999', productCode: 'prod-new', expired: true },
			],
		});
		const routesDetails = jest.mocked(engineRoutesDetails);
		beforeEach(() => {
			emulator().reset();
			routesDetails.mockReturnValue(false);
		});
		afterEach(() => routesDetails.mockReset());

		it('Resolve Customer: the failed tokens reach the error output as { error, message } with the input item’s fields', async () => {
			const { outputs } = await runNode({
				parameters: { operation: 'resolveCustomer', registrationToken: '={{ $json.token }}' },
				credentials: emulatorCredential(emulator()),
				items: [{ token: 'token-expired' }, { token: 'token-new' }, { token: '' }],
				onError: 'continueErrorOutput',
			});
			expect(routesDetails).toHaveBeenCalled();
			const [success, failed] = outputs;
			expect(success.map((item) => item.json.customerAWSAccountId)).toEqual(['111122223333']);
			expect(failed.map((item) => [item.pairedItem, item.json.token, item.json.error, 'details' in item.json])).toEqual([
				[{ item: 0 }, 'token-expired', 'The registration token has expired [item 0]', false],
				[{ item: 2 }, '', 'Registration Token is empty [item 2]', false],
			]);
			expect(failed[0].json.message).toEqual(expect.stringContaining('registration token'));
		});

		it('Batch Meter Usage: the invalid event reaches the error output with its outcome in `message`, the valid one is metered', async () => {
			const timestamp = new Date(Math.floor(Date.now() / HOUR) * HOUR - HOUR).toISOString();
			const event = { productCode: 'prod-new', customerAWSAccountId: '111122223333', licenseArn: LICENSE, dimension: 'requests', timestamp };
			const { outputs } = await runNode({
				parameters: { operation: 'batchMeterUsage' },
				credentials: emulatorCredential(emulator()),
				items: [
					{ ...event, quantity: 2.5 },
					{ ...event, quantity: 3 },
				],
				onError: 'continueErrorOutput',
			});
			const [metered, failed] = outputs;
			expect(metered.map((item) => [item.pairedItem, item.json.status])).toEqual([[{ item: 1 }, 'Success']]);
			expect(failed.map((item) => [item.pairedItem, item.json.quantity, (item.json.message as { status?: string }).status, 'details' in item.json])).toEqual([
				[{ item: 0 }, 2.5, 'Invalid', false],
			]);
			expect(failed[0].json.error).toMatch(/[Qq]uantity.*2\.5.* \[item 0\]$/);
		});

		it('keeps { error, details } with On Error “Continue” (regular output): nothing is routed there', async () => {
			const { outputs } = await runNode({
				parameters: { operation: 'resolveCustomer', registrationToken: '={{ $json.token }}' },
				credentials: emulatorCredential(emulator()),
				items: [{ token: 'token-expired' }],
				onError: 'continueRegularOutput',
			});
			expect(outputs[0].map((item) => Object.keys(item.json).sort())).toEqual([['details', 'error']]);
		});
	});
});
