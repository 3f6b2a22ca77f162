// Opening the ledger, what both nodes share: the "Metering Ledger" parameter's choice and the ledger credential,
// read here only. The ledger itself (ledger/) knows nothing of n8n.
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IExecuteFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { DEFAULT_SSL } from '../../credentials/AwsMarketplaceMeteringLedgerApi.credentials';
import { defaultLedgerFolder, openLedger, type MeteringLedger, type PostgresConnection } from './ledger';
import { openPostgresSession, type SslMode } from './ledger/postgres';

export const LEDGER_CREDENTIAL_TYPE = 'awsMarketplaceMeteringLedgerApi';

/** Where the usage goes between runs: nowhere, this instance's embedded ledger, or a shared PostgreSQL one. */
export type LedgerChoice = 'none' | 'embedded' | 'postgres';

interface LedgerCredential {
	host: string;
	port?: number;
	database: string;
	user: string;
	password?: string;
	ssl?: SslMode;
	ca?: string;
}

/** Opens the ledger the node's "Metering Ledger" parameter names; the only code that reads its credential. */
export async function getLedger(this: IExecuteFunctions, choice: LedgerChoice): Promise<MeteringLedger | undefined> {
	if (choice === 'none') return undefined;
	if (choice === 'embedded') return await openLedger({ store: 'embedded', folder: defaultLedgerFolder() });
	return await openLedger({ store: 'postgres', connection: ledgerConnection(await this.getCredentials(LEDGER_CREDENTIAL_TYPE)) });
}

/** The connection a ledger credential describes. */
export function ledgerConnection(data: ICredentialDataDecryptedObject): PostgresConnection {
	const { host, port, database, user, password, ssl = DEFAULT_SSL, ca } = data as unknown as LedgerCredential;
	if (ca?.includes('PRIVATE KEY')) {
		// Never echoed.
		throw new Error(
			"The CA Certificate holds a private key, which the ledger never needs: paste only the certificate of the authority that signed the server's (-----BEGIN CERTIFICATE-----)",
		);
	}
	return { host, port: port || 5432, database, user, password: password || undefined, ssl, ca: ca?.trim() || undefined };
}

/** The editor's Test of the ledger credential: connects to the database, and changes nothing in it. */
export async function testLedgerCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	try {
		const session = await openPostgresSession(ledgerConnection(credential.data ?? {}));
		await session.close();
		return { status: 'OK', message: 'Connected to the PostgreSQL database of the metering ledger' };
	} catch (error) {
		// Names the server, database and user, never the password.
		return { status: 'Error', message: (error as Error).message };
	}
}
