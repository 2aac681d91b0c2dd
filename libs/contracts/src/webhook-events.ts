/** The events a webhook endpoint can subscribe to; the order is the order of a job's life. */
export const WEBHOOK_EVENT_TYPES = [
  'job.created',
  'stage.started',
  'stage.progress',
  'stage.completed',
  'stage.failed',
  'clip.ready',
  'job.completed',
  'job.failed',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** At most one stage.progress event per stage of a job in this many seconds. */
export const WEBHOOK_PROGRESS_THROTTLE_SECONDS = 5;

/** Headers of every delivery; the signature is `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
export const WEBHOOK_HEADERS = {
  id: 'Clipline-Webhook-Id',
  timestamp: 'Clipline-Webhook-Timestamp',
  signature: 'Clipline-Webhook-Signature',
} as const;

export type WebhookDeliveryStatus = 'pending' | 'sending' | 'delivered' | 'failed';
