// `npm run demo`: the example workflows through n8n's engine in this process, against the emulator, in well under
// two minutes (engine.ts). `npm run demo -- --editor [--port 5678]`: the same on real n8n, its editor left open
// (editor.ts).
// n8n's user folder (instance settings, the embedded ledger) a temporary one removed at exit; n8n's logger quiet.
import './userFolder';
import '../../test/helpers/env';

import { runEngineDemo } from './engine';

const say = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
	if (process.argv.includes('--editor')) {
		say(
			'The editor demo installs n8n 2.41.1 (about 3 GB under .e2e-cache/, with Node 24, Linux x64 only; 10 minutes or more the first time, cached after) and runs the examples on it.',
		);
		await import('./editor');
		return;
	}
	const started = Date.now();
	await runEngineDemo(say);
	say(`\nDone in ${Math.round((Date.now() - started) / 1000)} s. \`npm run demo -- --editor\` runs them on real n8n and leaves its editor open.`);
}

main().then(
	() => {
		if (!process.argv.includes('--editor')) process.exit(0);
	},
	(error: Error) => {
		process.stderr.write(`\nThe demo failed: ${error.stack ?? error.message}\n`);
		process.exit(1);
	},
);
