import { NodeHelpers, type ICredentialDataDecryptedObject, type ICredentialTestFunctions, type INodeParameters } from 'n8n-workflow';

import { AwsMarketplaceMeteringLedgerApi } from '../../../credentials/AwsMarketplaceMeteringLedgerApi.credentials';
import { openPostgresSession } from '../../../nodes/shared/ledger/postgres';
import { ledgerConnection, testLedgerCredential } from '../../../nodes/shared/openLedger';
import { usePostgres, usePostgresServer, type Postgres } from '../../helpers/postgres';

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

// The ledger credential's SSL settings against real servers: one offering TLS with a certificate for 127.0.0.1
// signed by a throwaway authority, one without TLS.
describe('ledger credential: TLS', () => {
	const withTls = usePostgresServer({ tls: true });
	const plain = usePostgresServer();
	const ca = () => withTls().ca!;

	const credential = (server: Postgres, fields: ICredentialDataDecryptedObject = {}): ICredentialDataDecryptedObject => {
		const url = new URL(server.connectionString);
		return { host: url.hostname, port: Number(url.port), database: 'ledger', user: url.username, password: url.password, ...fields };
	};
	/** Whether the credential's connection is encrypted, as the server sees it. */
	const encrypted = async (data: ICredentialDataDecryptedObject) => {
		const session = await openPostgresSession(ledgerConnection(data));
		try {
			const [{ ssl }] = await session.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
			return ssl;
		} finally {
			await session.close();
		}
	};
	const connecting = (data: ICredentialDataDecryptedObject) => openPostgresSession(ledgerConnection(data)).then((session) => session.close());

	describe('by default (Verify If the Server Offers TLS)', () => {
		it('encrypts, trusting the pasted CA Certificate', async () => {
			expect(await encrypted(credential(withTls(), { ca: ca() }))).toBe(true);
		});

		it('refuses a certificate that does not verify, and says what to paste, instead of falling back', async () => {
			await expect(connecting(credential(withTls()))).rejects.toThrow(
				"unable to verify the first certificate. The server's TLS certificate is signed by an authority this machine does not trust: paste that authority's certificate into the credential's CA Certificate",
			);
		});

		it('refuses a certificate for another host, even from the trusted authority', async () => {
			await expect(connecting(credential(withTls(), { host: 'localhost', ca: ca() }))).rejects.toThrow("Hostname/IP does not match certificate's altnames");
		});

		it('connects unencrypted to a server without TLS', async () => {
			expect(await encrypted(credential(plain(), { ca: ca() }))).toBe(false);
		});
	});

	it('gives a credential saved before the field existed, or left at its default, the same: n8n fills in the default', async () => {
		const properties = new AwsMarketplaceMeteringLedgerApi().properties;
		// n8n's editor saves only the values that differ from their default; n8n runs with the others filled in.
		const saved = (server: Postgres) =>
			NodeHelpers.getNodeParameters(properties, { ...credential(server), ssl: 'verifyIfOffered', ca: '' } as INodeParameters, false, false, null, null)!;
		const run = (server: Postgres) => NodeHelpers.getNodeParameters(properties, saved(server), true, false, null, null) as ICredentialDataDecryptedObject;
		expect(saved(plain())).not.toHaveProperty('ssl');
		expect(run(plain())).toMatchObject({ ssl: 'verifyIfOffered', ca: '' });
		expect(await encrypted(run(plain()))).toBe(false);
		await expect(connecting(run(withTls()))).rejects.toThrow('unable to verify the first certificate');
	});

	describe('Require', () => {
		it('encrypts with a certificate that verifies', async () => {
			expect(await encrypted(credential(withTls(), { ssl: 'require', ca: ca() }))).toBe(true);
		});

		it('refuses a certificate that does not verify', async () => {
			await expect(connecting(credential(withTls(), { ssl: 'require' }))).rejects.toThrow('unable to verify the first certificate');
		});

		it('refuses a server without TLS', async () => {
			await expect(connecting(credential(plain(), { ssl: 'require' }))).rejects.toThrow('The server does not support SSL connections');
		});
	});

	it('Require Without Verification encrypts whatever the certificate', async () => {
		expect(await encrypted(credential(withTls(), { ssl: 'allowUnauthorized' }))).toBe(true);
	});

	it('Disable never encrypts', async () => {
		expect(await encrypted(credential(withTls(), { ssl: 'disable' }))).toBe(false);
	});

	it('refuses a private key pasted as the CA Certificate, without repeating it', async () => {
		const key = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7secret\n-----END PRIVATE KEY-----';
		const result = await testLedgerCredential.call({} as ICredentialTestFunctions, {
			id: '1',
			name: 'ledger',
			type: 'awsMarketplaceMeteringLedgerApi',
			data: credential(withTls(), { ca: `${ca()}\n${key}` }),
		});
		expect(result.status).toBe('Error');
		expect(result.message).toContain('The CA Certificate holds a private key, which the ledger never needs');
		expect(result.message).not.toContain('MIIEvQ');
	});

	it('Test in the editor reports what the connection would do', async () => {
		const test = (data: ICredentialDataDecryptedObject) =>
			testLedgerCredential.call({} as ICredentialTestFunctions, { id: '1', name: 'ledger', type: 'awsMarketplaceMeteringLedgerApi', data });
		expect(await test(credential(withTls(), { ca: ca() }))).toEqual({ status: 'OK', message: 'Connected to the PostgreSQL database of the metering ledger' });
		expect(await test(credential(withTls()))).toMatchObject({ status: 'Error', message: expect.stringContaining('unable to verify the first certificate') });
	});
});
