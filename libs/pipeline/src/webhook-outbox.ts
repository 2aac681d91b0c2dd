import {
  WEBHOOK_PROGRESS_THROTTLE_SECONDS,
  type StageName,
  type WebhookEventType,
} from '@clipline/contracts';

/** Anything that runs SQL: the EntityManager of the transaction whose change the event reports. */
export interface OutboxQuerier {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface OutboxEvent {
  jobId: string;
  type: WebhookEventType;
  stage?: StageName | null;
  data?: Record<string, unknown>;
}

/**
 * One statement: the event row and one delivery row per endpoint of the job's
 * owner that subscribed to the type (fan-out at insert time, so an endpoint
 * hears only of what happened after it was registered). Nothing is written
 * when nobody listens. tx_id is this transaction: the dispatcher waits until
 * it has ended, so a job's events go out in one order (docs/reliability.md).
 * stage.progress is dropped when the stage already had one in the last 5 s;
 * the caller has just updated the stage (or rendering) row, whose lock makes
 * two writers of the same stage take turns.
 */
const RECORD_SQL = `
WITH listeners AS (
  SELECT e.id FROM webhook_endpoints e JOIN jobs j ON j.owner_key_id = e.owner_key_id
   WHERE j.id = $1 AND $2::text = ANY (e.events)
), ev AS (
  INSERT INTO webhook_events (job_id, type, stage, data, tx_id)
  SELECT $1, $2::text, $3::text, $4::jsonb, pg_current_xact_id()::text::bigint
   WHERE EXISTS (SELECT 1 FROM listeners)
     AND ($2::text <> 'stage.progress' OR NOT EXISTS (
       SELECT 1 FROM webhook_events p
        WHERE p.job_id = $1 AND p.type = 'stage.progress' AND p.stage = $3::text
          AND p.created_at > now() - make_interval(secs => $5)))
  RETURNING id, seq, tx_id
)
INSERT INTO webhook_deliveries (endpoint_id, event_id, job_id, seq, tx_id)
SELECT l.id, ev.id, $1, ev.seq, ev.tx_id FROM ev CROSS JOIN listeners l`;

/**
 * Writes a webhook event into the outbox. Call it with the transaction that
 * makes the change, so the event exists exactly when the change does.
 */
export async function recordWebhookEvent(m: OutboxQuerier, ev: OutboxEvent): Promise<void> {
  await m.query(RECORD_SQL, [
    ev.jobId,
    ev.type,
    ev.stage ?? null,
    JSON.stringify({ ...(ev.stage ? { stage: ev.stage } : {}), ...(ev.data ?? {}) }),
    WEBHOOK_PROGRESS_THROTTLE_SECONDS,
  ]);
}
