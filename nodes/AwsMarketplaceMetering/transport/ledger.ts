import type { IExecuteFunctions } from 'n8n-workflow';

import { defaultLedgerFolder, openLedger, type MeteringLedger } from '../ledger';

export const LEDGER_CREDENTIAL_TYPE = 'awsMarketplaceMeteringLedgerApi';

/** Where the usage goes between runs: nowhere, this instance's embedded ledger, or a shared PostgreSQL one. */
export type LedgerChoice = 'none' | 'embedded' | 'postgres';

interface LedgerCredential {
	host: string;
	port?: number;
	database: string;
	user: string;
	password?: string;
	ssl?: 'disable' | 'require' | 'allowUnauthorized';
}

/** Opens the ledger the node's "Metering Ledger" parameter names; the only code that reads its credential. */
export async function getLedger(this: IExecuteFunctions, choice: LedgerChoice): Promise<MeteringLedger | undefined> {
	if (choice === 'none') return undefined;
	if (choice === 'embedded') return await openLedger({ store: 'embedded', folder: defaultLedgerFolder() });
	const { host, port, database, user, password, ssl = 'disable' } = (await this.getCredentials(LEDGER_CREDENTIAL_TYPE)) as unknown as LedgerCredential;
	return await openLedger({
		store: 'postgres',
		connection: { host, port: port || 5432, database, user, password: password || undefined, ssl: ssl !== 'disable', rejectUnauthorized: ssl === 'require' },
	});
}
