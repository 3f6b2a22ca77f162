// The sample configuration (sample-config.json): the products, customers, entitlements and registration tokens
// the examples, the demo and `npm run emulator` use.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { EmulatorOptions } from './types';

export const SAMPLE_CONFIG_FILE = join(__dirname, 'sample-config.json');

export function loadSampleConfig(file = SAMPLE_CONFIG_FILE): EmulatorOptions {
	return JSON.parse(readFileSync(file, 'utf8')) as EmulatorOptions;
}
