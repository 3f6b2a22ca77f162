import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

/** Answers the request here, with a status n8n's response modes cannot give, and starts nothing. */
export function refuse(this: IWebhookFunctions, status: number, message: string): IWebhookResponseData {
	const response = this.getResponseObject();
	response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
	response.end(JSON.stringify({ message }));
	return { noWebhookResponse: true };
}

/** A 200 that starts nothing: the sender must not deliver it again. */
export const acknowledge = (message: string, details: Record<string, unknown> = {}): IWebhookResponseData => ({
	webhookResponse: { message, ...details },
});

/**
 * The request body as JSON. n8n parses application/json itself; SNS posts text/plain, which n8n
 * leaves a string.
 */
export function jsonBody(this: IWebhookFunctions): unknown {
	const body = this.getBodyData() as unknown;
	const raw = typeof body === 'string' ? body : isEmptyObject(body) ? this.getRequestObject().rawBody?.toString('utf8') : undefined;
	if (raw === undefined) return body;
	try {
		return JSON.parse(raw) as unknown;
	} catch {
		return undefined;
	}
}

const isEmptyObject = (value: unknown) => typeof value === 'object' && value !== null && Object.keys(value).length === 0;
