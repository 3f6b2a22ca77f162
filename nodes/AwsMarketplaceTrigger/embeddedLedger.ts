import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import type { MeteringLedger } from '../AwsMarketplaceMetering/ledger';
import { getLedger } from '../AwsMarketplaceMetering/transport/ledger';

// Opening the embedded ledger takes seconds (PGlite starts, the schema is checked), and EventBridge
// gives an API destination 5 seconds: open it once and keep it for the life of the process. The
// metering node's runs in this process share the same database while it is open.
let embedded: Promise<MeteringLedger> | undefined;

export function embeddedLedger(this: IWebhookFunctions): Promise<MeteringLedger> {
	// getLedger reads only the ledger credential (not for the embedded store), through the
	// getCredentials webhooks share.
	embedded ??= getLedger.call(this as unknown as IExecuteFunctions, 'embedded').then(
		(ledger) => ledger!,
		(error: Error) => {
			embedded = undefined;
			throw error;
		},
	);
	return embedded;
}
