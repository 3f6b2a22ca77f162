import { createRequire } from 'node:module';
import { join } from 'node:path';

import { N8N_INSTALL_DIR } from './paths';

export interface Owner {
	email: string;
	password: string;
}

/** The owner account, created by n8n at start-up from these environment variables, so the editor opens on its login. */
export function ownerEnv(owner: Owner): Record<string, string> {
	const bcrypt = createRequire(join(N8N_INSTALL_DIR, 'package.json'))('bcryptjs') as { hashSync(text: string, rounds: number): string };
	return {
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: owner.email,
		N8N_INSTANCE_OWNER_FIRST_NAME: 'Demo',
		N8N_INSTANCE_OWNER_LAST_NAME: 'Seller',
		N8N_INSTANCE_OWNER_PASSWORD_HASH: bcrypt.hashSync(owner.password, 10),
	};
}
