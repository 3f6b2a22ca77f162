import { TransportSetupError } from './setupError';

export const SYSTEM_CREDENTIALS_VARIABLE = 'N8N_AWS_SYSTEM_CREDENTIALS_ACCESS_ENABLED';

// The default chain lends the n8n host's own AWS identity to anyone who can create a credential, so, as for n8n's own
// AWS credentials, only an administrator turns it on (n8n reads the variable as a boolean: "true" or "1").
export function assertSystemCredentialsAllowed(env: NodeJS.ProcessEnv = process.env): void {
	if (['true', '1'].includes((env[SYSTEM_CREDENTIALS_VARIABLE] ?? '').trim().toLowerCase())) return;
	throw new TransportSetupError(
		`Default AWS Credential Chain needs ${SYSTEM_CREDENTIALS_VARIABLE}=true on the n8n host`,
		`This credential source uses the n8n host’s own AWS identity (its EC2, ECS or EKS role, environment variables or shared config files), which everyone who can create a credential could then use. An n8n administrator allows it by setting ${SYSTEM_CREDENTIALS_VARIABLE}=true in the environment of n8n and of its workers, as for n8n’s own AWS credentials. Otherwise use Access Keys, optionally with Assume Role.`,
	);
}
