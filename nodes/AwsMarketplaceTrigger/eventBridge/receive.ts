import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { isFirstDelivery } from '../deliveries';
import { keepLicensesCurrent } from '../licenses';
import { acknowledge, refuse } from '../respond';
import { checkEvent, MAX_EVENT_BYTES } from './envelope';
import { LIFECYCLE_EVENTS } from './events';
import { deliveryKey, normalizeEvent } from './normalize';

/** The body's size as it arrived (decompressed), however n8n parsed it. */
async function receivedBytes(this: IWebhookFunctions): Promise<number> {
	const request = this.getRequestObject();
	// n8n read it already to parse the body: this reads it only if it did not.
	await request.readRawBody();
	return request.rawBody.length;
}

/**
 * An authenticated EventBridge delivery. What is not an AWS Marketplace seller event is refused
 * (413, 400) and starts nothing: EventBridge sends it to the dead-letter queue, where it can be
 * looked at. An event is answered 200 in every other case, and started once if its type is selected.
 */
export async function receiveEvent(this: IWebhookFunctions, body: unknown): Promise<IWebhookResponseData> {
	if ((await receivedBytes.call(this)) > MAX_EVENT_BYTES) return refuse.call(this, 413, 'The body is larger than an EventBridge event can be (256 KB)');
	const checked = checkEvent(body);
	if ('problem' in checked) return refuse.call(this, 400, checked.problem);
	const { event } = checked;
	const item = normalizeEvent(event);
	// Whichever events start the workflow, and before a repeat is recognized: recording is idempotent.
	await keepLicensesCurrent.call(this, item);
	const selected = this.getNodeParameter('events', LIFECYCLE_EVENTS) as string[];
	if (!selected.includes(item.event as string)) {
		return acknowledge('Event type not selected: ignored', { event: item.event, detailType: item.detailType });
	}
	if (!(await isFirstDelivery.call(this, `eventBridge|${deliveryKey(event)}`))) {
		return acknowledge('Repeated delivery: ignored', { event: item.event, requestId: item.requestId, eventId: item.eventId });
	}
	return { workflowData: [this.helpers.returnJsonArray([item])] };
}
