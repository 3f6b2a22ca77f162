import type { ICredentialTestFunctions } from 'n8n-workflow';

import { testLedgerCredential } from '../../../nodes/shared/openLedger';
import { usePostgres } from '../../helpers/postgres';

describe('ledger credential test in the editor', () => {
	const connectionString = usePostgres();

	const test = async (data: Record<string, unknown>) => {
		const url = new URL(connectionString());
		return await testLedgerCredential.call({} as ICredentialTestFunctions, {
			id: '1',
			name: 'ledger',
			type: 'awsMarketplaceMeteringLedgerApi',
			data: { host: url.hostname, port: Number(url.port), database: 'ledger', user: url.username, password: url.password, ssl: 'disable', ...data },
		});
	};

	it('connects with the credential’s settings', async () => {
		expect(await test({})).toEqual({ status: 'OK', message: 'Connected to the PostgreSQL database of the metering ledger' });
	});

	it('names the server, database and user of a refused connection, never the password', async () => {
		const result = await test({ password: 'wrong-secret-1234' });
		expect(result.status).toBe('Error');
		expect(result.message).toContain('Could not connect to the PostgreSQL metering ledger at 127.0.0.1');
		expect(result.message).toContain('password authentication failed');
		expect(result.message).not.toContain('wrong-secret-1234');
	});

	it('reports a database that does not exist', async () => {
		const result = await test({ database: 'no_such_ledger' });
		expect(result.status).toBe('Error');
		expect(result.message).toContain('no_such_ledger');
	});
});
