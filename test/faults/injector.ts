import type { Pool } from 'pg';
import { sleep } from './rig';

/** mulberry32: small, seedable, good enough to pick victims and moments. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Held {
  kind: 'stage' | 'part' | 'clip';
  jobId: string;
  /** Stage name, `stage#index` for a part, clip id for a clip. */
  key: string;
  attempt: number;
  /** For a part: the stage attempt it belongs to (a new stage attempt replans the parts). */
  stageAttempt?: number;
}

/** The work a process holds right now, by the `worker_host` it wrote when claiming. */
export async function heldBy(db: Pool, host: string): Promise<Held[]> {
  const r = await db.query(
    `SELECT 'stage' AS kind, job_id, stage AS key, attempt, NULL::int AS stage_attempt
       FROM job_stages WHERE status = 'running' AND worker_host = $1 AND stage <> 'rendering'
     UNION ALL
     SELECT 'part', job_id, stage || '#' || index, attempt, stage_attempt
       FROM stage_parts WHERE status = 'running' AND worker_host = $1
     UNION ALL
     SELECT DISTINCT 'clip', c.job_id, c.id::text, c.attempt, NULL::int
       FROM clips c JOIN processing_logs l ON l.job_id = c.job_id AND l.stage = 'rendering'
        AND l.event = 'start' AND l.attempt = c.attempt AND l.message = 'clip ' || c.id || ' started'
      WHERE c.status = 'rendering' AND l.worker_host = $1`,
    [host],
  );
  return r.rows.map((x) => ({
    kind: x.kind,
    jobId: x.job_id,
    key: x.key,
    attempt: x.attempt,
    stageAttempt: x.stage_attempt ?? undefined,
  }));
}

/**
 * Whether the dead process's hold on the work is released: taken back (no
 * longer running under its attempt), finished, or its job ended. When the work
 * is then claimed again depends on free workers, which is capacity, not recovery.
 */
async function movedOn(db: Pool, h: Held): Promise<boolean> {
  const jobDone = `(SELECT status FROM jobs WHERE id = $1) NOT IN ('queued','running')`;
  if (h.kind === 'stage') {
    const r = await db.query(
      `SELECT ${jobDone} OR attempt > $3 OR status <> 'running' AS moved
         FROM job_stages WHERE job_id = $1 AND stage = $2`,
      [h.jobId, h.key, h.attempt],
    );
    return r.rows[0]?.moved ?? true;
  }
  if (h.kind === 'part') {
    const [stage, index] = h.key.split('#');
    const r = await db.query(
      `SELECT ${jobDone} OR stage_attempt > $4 OR attempt > $5 OR status <> 'running' AS moved
         FROM stage_parts WHERE job_id = $1 AND stage = $2 AND index = $3`,
      [h.jobId, stage, Number(index), h.stageAttempt, h.attempt],
    );
    return r.rows[0]?.moved ?? true;
  }
  const r = await db.query(
    `SELECT ${jobDone} OR attempt > $3 OR status <> 'rendering' AS moved FROM clips
      WHERE job_id = $1 AND id = $2`,
    [h.jobId, h.key, h.attempt],
  );
  return r.rows[0]?.moved ?? true;
}

/** Seconds until every held item is released; null when it was not within the timeout. */
export async function recoveryOf(
  db: Pool,
  held: Held[],
  since: number,
  timeoutMs = 180_000,
): Promise<number | null> {
  const open = [...held];
  while (open.length) {
    if (Date.now() - since > timeoutMs) return null;
    try {
      for (let i = open.length - 1; i >= 0; i--) if (await movedOn(db, open[i])) open.splice(i, 1);
    } catch {
      // Postgres restarting; try again.
    }
    if (open.length) await sleep(250);
  }
  return (Date.now() - since) / 1000;
}

/**
 * Seconds from `since` (a service back up) until every job that was active
 * made progress again: a heartbeat, a finished stage or clip, or its end.
 */
export async function resumeOf(
  db: Pool,
  jobIds: string[],
  since: Date,
  timeoutMs = 240_000,
): Promise<number | null> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    try {
      const r = await db.query(
        `SELECT count(*)::int AS n FROM jobs j WHERE j.id = ANY($1) AND j.status IN ('queued','running')
            AND NOT EXISTS (SELECT 1 FROM job_stages s WHERE s.job_id = j.id
                              AND (s.heartbeat_at > $2 OR s.finished_at > $2))
            AND NOT EXISTS (SELECT 1 FROM clips c WHERE c.job_id = j.id
                              AND (c.heartbeat_at > $2 OR (c.status = 'completed' AND c.updated_at > $2)))`,
        [jobIds, since],
      );
      if (r.rows[0].n === 0) return (Date.now() - since.getTime()) / 1000;
    } catch {
      // Postgres restarting; try again.
    }
    await sleep(250);
  }
  return null;
}
