import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { isFirstDelivery } from '../deliveries';
import { acknowledge } from '../respond';
import { LIFECYCLE_EVENTS } from './events';
import { deliveryKey, normalizeEvent, type EventBridgeEvent } from './normalize';

/**
 * An authenticated EventBridge event: answered 200 in every case (EventBridge would deliver a
 * refused event again, or drop it to the dead-letter queue), started once if its type is selected.
 */
export async function receiveEvent(this: IWebhookFunctions, event: EventBridgeEvent): Promise<IWebhookResponseData> {
	const item = normalizeEvent(event);
	const selected = this.getNodeParameter('events', LIFECYCLE_EVENTS) as string[];
	if (!selected.includes(item.event as string)) {
		return acknowledge('Event type not selected: ignored', { event: item.event, detailType: item.detailType });
	}
	const key = deliveryKey(event);
	// Without any ID a repeat cannot be recognized: better twice than never.
	if (key !== null && !(await isFirstDelivery.call(this, `eventBridge|${key}`))) {
		return acknowledge('Repeated delivery: ignored', { event: item.event, requestId: item.requestId, eventId: item.eventId });
	}
	return { workflowData: [this.helpers.returnJsonArray([item])] };
}
