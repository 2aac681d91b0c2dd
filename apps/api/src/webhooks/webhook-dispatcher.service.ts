import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import { WEBHOOK_HEADERS } from '@clipline/contracts';
import { JobEntity } from '@clipline/database';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { JobsService } from '../jobs/jobs.service';
import { sendWebhook, type SendOutcome } from './webhook-sender';
import { signWebhook } from './webhook-signature';
import { urlPolicyOf } from './webhooks.service';

/** Any constant works; it only has to be the same in every API instance. */
const DISPATCH_LOCK_KEY = 0x77686b73; // "whks"
/** Sends at once; deliveries of one job to one endpoint are never in the same batch. */
const BATCH = 20;
/** Longest wait between two attempts of one delivery. */
const MAX_BACKOFF_SECONDS = 30 * 60;
/**
 * An event waits until every transaction that began before it has ended, so
 * a job's events leave in one order. A transaction left open elsewhere in the
 * cluster would hold every event back; past this age an event goes anyway.
 */
const ORDER_WAIT_SECONDS = 60;

interface Claimed {
  id: string;
  endpoint_id: string;
  event_id: string;
  job_id: string;
  attempts: number;
  body: string | null;
  url: string;
  secret: string;
  type: string;
  data: Record<string, unknown>;
  event_at: Date;
}

/**
 * Claims, with FOR UPDATE SKIP LOCKED and in a job's order, the deliveries
 * that are due, and takes each through one attempt. One API instance sends at
 * a time (a session advisory lock, like the reconciler). Every write after the
 * send is fenced by the claim id, so a send that outlived its claim (a stalled
 * process) settles nothing; a crash mid-send leaves a claim that expires and
 * the delivery is sent again (receivers dedupe by event id).
 */
@Injectable()
export class WebhookDispatcherService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(WebhookDispatcherService.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly db: DataSource,
    private readonly jobs: JobsService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.cfg.WEBHOOK_DISPATCH_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  private async tick(): Promise<void> {
    if (this.running || !this.timer) return;
    this.running = this.dispatchOnce();
    try {
      await this.running;
    } catch (err) {
      this.log.warn(`webhook dispatch failed: ${(err as Error).message}`);
    } finally {
      this.running = null;
    }
  }

  /** One pass: returns how many deliveries it attempted (0 when another instance holds the lock). */
  async dispatchOnce(): Promise<number> {
    const qr = this.db.createQueryRunner();
    await qr.connect();
    try {
      const [{ locked }] = (await qr.query('SELECT pg_try_advisory_lock($1) AS locked', [
        DISPATCH_LOCK_KEY,
      ])) as Array<{ locked: boolean }>;
      if (!locked) return 0;
      try {
        let total = 0;
        // Drain what is due now, batch after batch; later events of a job become due as earlier ones settle.
        for (let round = 0; round < 50; round++) {
          const batch = await this.claim();
          if (!batch.length) break;
          await Promise.all(batch.map((d) => this.attempt(d)));
          total += batch.length;
        }
        return total;
      } finally {
        await qr.query('SELECT pg_advisory_unlock($1)', [DISPATCH_LOCK_KEY]);
      }
    } finally {
      await qr.release();
    }
  }

  private async claim(): Promise<Array<Claimed & { claim_id: string }>> {
    const claimId = randomUUID();
    const claimSeconds = Math.ceil(this.cfg.WEBHOOK_TIMEOUT_MS / 1000) + 30;
    const res = (await this.db.query(
      `WITH due AS (
         SELECT d.id FROM webhook_deliveries d
          WHERE ((d.status = 'pending' AND d.next_attempt_at <= now())
                 OR (d.status = 'sending' AND d.claimed_until < now()))
            AND (d.tx_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
                 OR d.created_at < now() - make_interval(secs => $4))
            AND NOT EXISTS (
              SELECT 1 FROM webhook_deliveries p
               WHERE p.endpoint_id = d.endpoint_id AND p.job_id = d.job_id
                 AND p.status IN ('pending', 'sending') AND (p.tx_id, p.seq) < (d.tx_id, d.seq))
          ORDER BY d.tx_id, d.seq
          LIMIT $1
          FOR UPDATE SKIP LOCKED)
       UPDATE webhook_deliveries d
          SET status = 'sending', claim_id = $2, claimed_until = now() + make_interval(secs => $3),
              attempts = d.attempts + 1, last_attempt_at = now()
         FROM due, webhook_endpoints e, webhook_events ev
        WHERE d.id = due.id AND e.id = d.endpoint_id AND ev.id = d.event_id
        RETURNING d.id, d.endpoint_id, d.event_id, d.job_id, d.attempts, d.body, d.claim_id,
                  e.url, e.secret, ev.type, ev.data, ev.created_at AS event_at`,
      [BATCH, claimId, claimSeconds, ORDER_WAIT_SECONDS],
    )) as unknown[];
    return (Array.isArray(res[0]) ? res[0] : res) as Array<Claimed & { claim_id: string }>;
  }

  private async attempt(d: Claimed & { claim_id: string }): Promise<void> {
    let body = d.body;
    if (body === null) {
      body = await this.buildBody(d);
      // Kept, so every retry and a redelivery carry the same bytes as the first send.
      await this.db.query(
        `UPDATE webhook_deliveries SET body = $3 WHERE id = $1 AND claim_id = $2 AND body IS NULL`,
        [d.id, d.claim_id, body],
      );
    }
    const timestamp = Math.floor(Date.now() / 1000);
    let outcome: SendOutcome;
    try {
      outcome = await sendWebhook(
        d.url,
        {
          [WEBHOOK_HEADERS.id]: d.event_id,
          [WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [WEBHOOK_HEADERS.signature]: signWebhook(d.secret, timestamp, body),
        },
        body,
        { policy: urlPolicyOf(this.cfg), timeoutMs: this.cfg.WEBHOOK_TIMEOUT_MS },
      );
    } catch (err) {
      outcome = {
        delivered: false,
        statusCode: null,
        error: (err as Error).message,
        responseBody: null,
      };
    }
    await this.settle(d, outcome);
  }

  private async settle(d: Claimed & { claim_id: string }, o: SendOutcome): Promise<void> {
    if (o.delivered) {
      await this.db.query(
        `UPDATE webhook_deliveries SET status = 'delivered', delivered_at = now(), claim_id = NULL,
                claimed_until = NULL, last_status_code = $3, last_error = NULL, last_response = $4
          WHERE id = $1 AND claim_id = $2`,
        [d.id, d.claim_id, o.statusCode, o.responseBody],
      );
      return;
    }
    const ageHours = (Date.now() - new Date(d.event_at).getTime()) / 3_600_000;
    const giveUp = ageHours >= this.cfg.WEBHOOK_RETRY_MAX_HOURS;
    const delayMs = retryDelayMs(d.attempts, this.cfg.WEBHOOK_RETRY_BASE_SECONDS);
    await this.db.query(
      `UPDATE webhook_deliveries SET status = $3, claim_id = NULL, claimed_until = NULL,
              next_attempt_at = now() + make_interval(secs => $4), last_status_code = $5,
              last_error = $6, last_response = $7
        WHERE id = $1 AND claim_id = $2`,
      [
        d.id,
        d.claim_id,
        giveUp ? 'failed' : 'pending',
        delayMs / 1000,
        o.statusCode,
        o.error,
        o.responseBody,
      ],
    );
  }

  /** The event and the job's view as the API shows it now (null once the job is deleted). */
  private async buildBody(d: Claimed): Promise<string> {
    const job = await this.db.getRepository(JobEntity).findOneBy({ id: d.job_id });
    return JSON.stringify({
      id: d.event_id,
      type: d.type,
      time: new Date(d.event_at).toISOString(),
      jobId: d.job_id,
      data: d.data,
      job: job ? await this.jobs.detailOf(job) : null,
    });
  }
}

/** base × 2^(attempt-1), at most 30 minutes, ±10 % so a receiver coming back is not stampeded. */
export function retryDelayMs(attempt: number, baseSeconds: number): number {
  const s = Math.min(baseSeconds * 2 ** Math.max(0, attempt - 1), MAX_BACKOFF_SECONDS);
  return Math.round(s * 1000 * (0.9 + Math.random() * 0.2));
}
