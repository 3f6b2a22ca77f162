// Drives the trigger through the emulator's lifecycle admin endpoints, as the demo does.
import type { Emulator } from '../../../emulator';

export interface Delivery {
	/** The trigger's answer. */
	status: number;
	body: Record<string, unknown>;
	/** What the emulator posted. */
	sent: Record<string, unknown>;
}

async function admin(emulator: Emulator, path: string, input: unknown): Promise<Delivery> {
	const response = await fetch(`${emulator.url}/_emulator/lifecycle/${path}`, { method: 'POST', body: JSON.stringify(input) });
	const answer = (await response.json()) as Record<string, unknown>;
	if (response.status !== 200) throw new Error(`The emulator answered ${response.status}: ${JSON.stringify(answer)}`);
	const { status, body, ...sent } = answer;
	return { status: status as number, body: body ? (JSON.parse(body as string) as Record<string, unknown>) : {}, sent };
}

export const postEvent = (emulator: Emulator, input: { url: string; example: string; apiKey?: { header: string; value: string }; event?: unknown }) =>
	admin(emulator, 'eventbridge', input);

export const postSnsMessage = (
	emulator: Emulator,
	input: {
		url: string;
		topicArn: string;
		type?: string;
		message?: unknown;
		signatureVersion?: '1' | '2';
		messageId?: string;
		timestamp?: string;
		signingCertUrl?: string;
		subscribeUrl?: string;
		tamper?: boolean;
	},
) => admin(emulator, 'sns', input);
