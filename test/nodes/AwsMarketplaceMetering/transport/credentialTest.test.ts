import { createServer } from 'node:net';

import type { ICredentialTestFunctions } from 'n8n-workflow';

import { DEFAULT_TEST_CREDENTIAL } from '../../../../emulator';
import { testCredential } from '../../../../nodes/AwsMarketplaceMetering/transport/credentialTest';
import { emulatorCredential } from '../../../helpers/credentials';
import { useEmulator } from '../../../helpers/emulator';

const SECRET = 'denied-user-secret-access-key';
const AGREEMENT_ACTIONS = [
	'DescribeAgreement',
	'GetAgreementTerms',
	'SearchAgreements',
	'ListAgreementInvoiceLineItems',
	'ListAgreementCharges',
	'GetAgreementCancellationRequest',
	'ListAgreementCancellationRequests',
	'SendAgreementCancellationRequest',
	'CancelAgreementCancellationRequest',
	'GetBillingAdjustmentRequest',
].map((action) => `aws-marketplace:${action}`);
const ALL_AGREEMENTS = `Agreement operations: allowed to call ${AGREEMENT_ACTIONS.join(', ')}`;

describe('credential test in the editor', () => {
	const emulator = useEmulator({
			credentials: [
				DEFAULT_TEST_CREDENTIAL,
				{ accessKeyId: 'AKIADENIEDSAAS000001', secretAccessKey: SECRET, principalArn: 'arn:aws:iam::123456789012:user/ami', deniedActions: ['aws-marketplace:ResolveCustomer'] },
				{ accessKeyId: 'AKIADENIEDALL0000001', secretAccessKey: SECRET, principalArn: 'arn:aws:iam::123456789012:user/none', deniedActions: ['*'] },
				{ accessKeyId: 'AKIADENIEDENTITLE001', secretAccessKey: SECRET, deniedActions: ['aws-marketplace:GetEntitlements'] },
				{ accessKeyId: 'AKIAENTITLEONLY00001', secretAccessKey: SECRET, deniedActions: ['aws-marketplace:ResolveCustomer', 'aws-marketplace:MeterUsage'] },
				{ accessKeyId: 'AKIAAGREEMENTSOME001', secretAccessKey: SECRET, deniedActions: ['aws-marketplace:GetAgreementTerms', 'aws-marketplace:ListAgreementCharges'] },
				{
					accessKeyId: 'AKIAAGREEMENTONLY001',
					secretAccessKey: SECRET,
					deniedActions: ['aws-marketplace:ResolveCustomer', 'aws-marketplace:MeterUsage', 'aws-marketplace:GetEntitlements', 'aws-marketplace:GetAgreementTerms'],
				},
			],
		});

	const test = async (data: Record<string, unknown>) => {
		const result = await testCredential.call({} as ICredentialTestFunctions, {
			id: '1',
			name: 'test',
			type: 'awsMarketplaceMeteringApi',
			data: emulatorCredential(emulator(), data as never),
		});
		expect(JSON.stringify(result)).not.toContain(SECRET);
		expect(JSON.stringify(result)).not.toContain(DEFAULT_TEST_CREDENTIAL.secretAccessKey);
		return result;
	};

	it('accepts valid, allowed keys', async () => {
		expect(await test({})).toEqual({
			status: 'OK',
			message: `Authenticated and allowed to call aws-marketplace:ResolveCustomer\nAllowed to call aws-marketplace:GetEntitlements\n${ALL_AGREEMENTS}`,
		});
		// Read as AWS reads them, with IDs no agreement has: nothing of anyone's.
		expect(emulator().log.filter((entry) => AGREEMENT_ACTIONS.includes(`aws-marketplace:${entry.operation}`)).map((entry) => [entry.operation, entry.errorType ?? String(entry.httpStatus)])).toEqual(
			expect.arrayContaining([
				['DescribeAgreement', 'ResourceNotFoundException'],
				['SearchAgreements', '200'],
				['GetBillingAdjustmentRequest', 'ResourceNotFoundException'],
				['ListAgreementCancellationRequests', '200'],
				['SendAgreementCancellationRequest', 'ResourceNotFoundException'],
				['CancelAgreementCancellationRequest', 'ResourceNotFoundException'],
			]),
		);
	});

	it('says on a line of its own which of the agreement operations’ reading actions the keys may call', async () => {
		const some = await test({ accessKeyId: 'AKIAAGREEMENTSOME001', secretAccessKey: SECRET });
		expect(some.message.split('\n')[2]).toBe(
			`Agreement operations: allowed to call ${AGREEMENT_ACTIONS.filter((action) => !/GetAgreementTerms|ListAgreementCharges/.test(action)).join(', ')}; not allowed to call aws-marketplace:GetAgreementTerms, aws-marketplace:ListAgreementCharges`,
		);
		// Keys that may only read agreements serve those operations.
		expect((await test({ accessKeyId: 'AKIAAGREEMENTONLY001', secretAccessKey: SECRET })).status).toBe('OK');
	});

	it('says on a line of its own whether the keys may call GetEntitlements', async () => {
		expect(await test({ accessKeyId: 'AKIADENIEDENTITLE001', secretAccessKey: SECRET })).toEqual({
			status: 'OK',
			message: `Authenticated and allowed to call aws-marketplace:ResolveCustomer\nNot allowed to call aws-marketplace:GetEntitlements (needed for Get Entitlements of contract products)\n${ALL_AGREEMENTS}`,
		});
		// Keys that may only read entitlements serve Get Entitlements.
		const entitlementsOnly = await test({ accessKeyId: 'AKIAENTITLEONLY00001', secretAccessKey: SECRET });
		expect(entitlementsOnly.status).toBe('OK');
		expect(entitlementsOnly.message).toMatch(/^The credentials are valid but not allowed to call aws-marketplace:ResolveCustomer .*\nAllowed to call aws-marketplace:GetEntitlements\n/);
	});

	it('accepts keys meant for AMI and container products, saying what they cannot do', async () => {
		const result = await test({ accessKeyId: 'AKIADENIEDSAAS000001', secretAccessKey: SECRET });
		expect(result.status).toBe('OK');
		expect(result.message).toContain('not aws-marketplace:ResolveCustomer');
	});

	it('names the missing actions for valid keys that are not allowed', async () => {
		const result = await test({ accessKeyId: 'AKIADENIEDALL0000001', secretAccessKey: SECRET });
		expect(result.status).toBe('Error');
		expect(result.message).toContain('aws-marketplace:ResolveCustomer');
		expect(result.message).toContain('aws-marketplace:MeterUsage');
		expect(result.message).toContain('\nNot allowed to call aws-marketplace:GetEntitlements');
		expect(result.message).toContain(`\nAgreement operations: not allowed to call ${AGREEMENT_ACTIONS.join(', ')}`);
	});

	it('tells unknown keys from a wrong secret', async () => {
		expect((await test({ accessKeyId: 'AKIAUNKNOWNKEY000001' })).message).toMatch(/^AWS does not recognize these credentials[^\n]*$/);
		expect((await test({ secretAccessKey: 'wrong-secret' })).message).toMatch(/^AWS rejected the request signature/);
	});

	it('tells an unreachable endpoint', async () => {
		const closedPort = await new Promise<number>((resolve) => {
			const server = createServer().listen(0, '127.0.0.1', () => {
				const { port } = server.address() as { port: number };
				server.close(() => resolve(port));
			});
		});
		const result = await test({ endpoint: `http://127.0.0.1:${closedPort}` });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(new RegExp(`^Could not connect to 127\\.0\\.0\\.1:${closedPort}: connection refused\\. No answer came from AWS\\.`));
		expect(result.message).not.toContain('AWS said');
	});
});
