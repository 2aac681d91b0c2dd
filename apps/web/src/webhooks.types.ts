/**
 * Shapes of the /v1/webhooks answers (docs/api.md#webhooks): the contract
 * types the API builds (libs/contracts/src/webhook.views.ts). No hand copy:
 * a change to a view breaks the web typecheck, not the page.
 */
export type {
  WebhookCreatedView as WebhookCreated,
  WebhookDeliveriesView as WebhookDeliveries,
  WebhookDeliveryView as WebhookDelivery,
  WebhookEndpointsView as WebhookEndpoints,
  WebhookEndpointView as WebhookEndpoint,
} from '@clipline/contracts';
export { WEBHOOK_EVENT_TYPES as WEBHOOK_EVENTS } from '@clipline/contracts';
