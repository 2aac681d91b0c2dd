import type { WebhookDeliveryView, WebhookEndpointView } from '@clipline/contracts';
import type { WebhookDeliveryEntity, WebhookEndpointEntity } from '@clipline/database';

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/** Never the secret: it is shown once, in the answer to the creation. */
export function endpointView(e: WebhookEndpointEntity): WebhookEndpointView {
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    description: e.description,
    createdAt: iso(e.createdAt),
  };
}

export function deliveryView(
  d: WebhookDeliveryEntity & { event?: { type: string } },
): WebhookDeliveryView {
  return {
    id: d.id,
    eventId: d.eventId,
    type: d.event?.type ?? null,
    jobId: d.jobId,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    lastResponse: d.lastResponse,
    lastAttemptAt: iso(d.lastAttemptAt),
    nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
    deliveredAt: iso(d.deliveredAt),
    createdAt: iso(d.createdAt),
  };
}
