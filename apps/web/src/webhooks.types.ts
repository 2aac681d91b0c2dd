/** Shapes of the /v1/webhooks answers (docs/api.md#webhooks). */
export const WEBHOOK_EVENTS = [
  'job.created',
  'stage.started',
  'stage.progress',
  'stage.completed',
  'stage.failed',
  'clip.ready',
  'job.completed',
  'job.failed',
] as const;

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  createdAt: string;
}

export interface WebhookDelivery {
  id: string;
  eventId: string;
  type: string | null;
  jobId: string;
  status: 'pending' | 'sending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastResponse: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
}
