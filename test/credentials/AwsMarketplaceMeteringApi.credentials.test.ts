import { AwsMarketplaceMeteringApi } from '../../credentials/AwsMarketplaceMeteringApi.credentials';
import { DEFAULT_TEST_CREDENTIAL } from '../../emulator';
import { emulatorCredential } from '../helpers/credentials';
import { useEmulator } from '../helpers/emulator';
import { runNode } from '../helpers/workflow';

const region = new AwsMarketplaceMeteringApi().properties.find((property) => property.name === 'region')!;

describe('credential Region', () => {
	it('labels the Regions as n8n’s AWS credential does, with the Region codes as values', () => {
		const options = region.options as Array<{ name: string; value: string }>;
		expect(options).toEqual(
			expect.arrayContaining([
				{ name: 'US East (N. Virginia) - us-east-1', value: 'us-east-1' },
				{ name: 'Europe (Zurich) - eu-central-2', value: 'eu-central-2' },
				{ name: 'China (Ningxia) - cn-northwest-1', value: 'cn-northwest-1' },
				{ name: 'US East (GovCloud) - us-gov-east-1', value: 'us-gov-east-1' },
				{ name: 'US West (GovCloud) - us-gov-west-1', value: 'us-gov-west-1' },
			]),
		);
		expect(options.every(({ name, value }) => name.endsWith(` - ${value}`))).toBe(true);
		expect(options.map(({ value }) => value)).not.toContain('cn-north-1');
		expect(region.default).toBe('us-east-1');
	});

	it('asks for the Region AWS enabled for the product, and never to resend an hour through another one', () => {
		expect(region.description).toContain('The Region AWS enabled for your product');
		expect(region.description).toContain('never resend an hour through another Region');
		expect(region.description).not.toMatch(/us-east-1/);
	});

	describe('in AWS GovCloud (US)', () => {
		const emulator = useEmulator({ region: 'us-gov-west-1', credentials: [DEFAULT_TEST_CREDENTIAL] });

		it('signs Meter Usage for the GovCloud Region', async () => {
			const { outputs, error } = await runNode({
				parameters: { operation: 'meterUsage', productCode: 'prod-ami', usageDimension: 'vcpu-hours' },
				credentials: emulatorCredential(emulator(), { region: 'us-gov-west-1' }),
			});
			expect(error).toBeUndefined();
			expect(outputs[0][0].json.meteringRecordId).toEqual(expect.any(String));
		});
	});
});
