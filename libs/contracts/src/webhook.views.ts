import type { WebhookDeliveryStatus } from './webhook-events';

/**
 * Views of the /v1/webhooks routes: built by apps/api/src/webhooks, read by
 * the web app's webhooks page. The signing secret is never in them except
 * the one answer to the creation.
 */
export interface WebhookEndpointView {
  id: string;
  url: string;
  /** WebhookEventType names, as stored. */
  events: string[];
  description: string | null;
  createdAt: string | null;
}

/** POST /v1/webhooks: the only answer that carries the secret. */
export interface WebhookCreatedView extends WebhookEndpointView {
  secret: string;
}

export interface WebhookEndpointsView {
  items: WebhookEndpointView[];
}

export interface WebhookDeliveryView {
  id: string;
  eventId: string;
  type: string | null;
  jobId: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastResponse: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string | null;
}

export interface WebhookDeliveriesView {
  items: WebhookDeliveryView[];
}
