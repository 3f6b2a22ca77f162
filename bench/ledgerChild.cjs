// Runs one ledger measurement (bench/ledgerRun.ts) in this process. tsx is registered here, in the
// main thread only: started with tsx's flags, the process would hand its loader to every worker
// thread, and the embedded ledger's PGlite worker would pay for it on each execution (n8n never does).
require('tsx/cjs/api').register();
require('./ledgerRun.ts')
	.main()
	.then(() => process.exit(0))
	.catch((error) => {
		console.error(error);
		process.exit(1);
	});
