import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Pool } from 'pg';
import { FFMPEG_PATH } from '@clipline/media';
import type { StorageService } from '@clipline/storage';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * What the product promises after any fault, read from Postgres and S3
 * (never from the apps' own answers): each finding is one line a human can act on.
 */
export interface Findings {
  /** Jobs that did not complete, expected clips with no row, clips missing or undecodable in S3. */
  lost: string[];
  /** More than one row or object for one piece of output. */
  duplicated: string[];
  /** Jobs not terminal, or work left running/queued under a terminal job, or job and stages disagreeing. */
  stuck: string[];
  /** Attempt counters above the budget. */
  overRetried: string[];
  /** Clip objects written after the clip completed (a zombie's late upload). */
  lateWrites: string[];
  /** Processes that exited without being killed (an unhandled error, a failed abort). */
  crashed: string[];
  /** Scratch folders left on the capped disk after the work that made them ended. */
  leftovers: string[];
}

export const noFindings = (): Findings => ({
  lost: [],
  duplicated: [],
  stuck: [],
  overRetried: [],
  lateWrites: [],
  crashed: [],
  leftovers: [],
});

const TERMINAL = `('completed','failed','cancelled')`;

async function rows(db: Pool, sql: string, ids: string[]): Promise<string[]> {
  const r = await db.query(sql, [ids]);
  return r.rows.map((x) => x.finding as string);
}

/** `expectFailed` lists jobs the phase means to fail; every other job must complete. */
export async function checkInvariants(
  db: Pool,
  storage: StorageService,
  jobIds: string[],
  opts: { maxAttempt: number; expectFailed?: string[] },
): Promise<Findings> {
  const f = noFindings();
  const mayFail = new Set(opts.expectFailed ?? []);

  const jobs = await db.query(`SELECT id, status, error FROM jobs WHERE id = ANY($1)`, [jobIds]);
  for (const id of jobIds) {
    const j = jobs.rows.find((r) => r.id === id);
    if (!j) f.lost.push(`job ${id}: row gone`);
    else if (!['completed', 'failed', 'cancelled'].includes(j.status))
      f.stuck.push(`job ${id}: still ${j.status}`);
    else if (j.status !== 'completed' && !mayFail.has(id))
      f.lost.push(`job ${id}: ${j.status} (${j.error})`);
  }

  f.stuck.push(
    ...(await rows(
      db,
      `SELECT 'job ' || j.id || ' is ' || j.status || ' but ' || s.stage || ' is ' || s.status AS finding
         FROM jobs j JOIN job_stages s ON s.job_id = j.id
        WHERE j.id = ANY($1) AND j.status IN ${TERMINAL}
          AND (s.status IN ('running','queued') OR (j.status = 'completed' AND s.status NOT IN ('completed','skipped')))
       UNION ALL
       SELECT 'job ' || j.id || ' is ' || j.status || ' but clip ' || c.id || ' is ' || c.status
         FROM jobs j JOIN clips c ON c.job_id = j.id
        WHERE j.id = ANY($1) AND j.status IN ${TERMINAL}
          AND (c.status IN ('rendering','queued') OR (j.status = 'completed' AND c.status <> 'completed'))
       UNION ALL
       SELECT 'job ' || j.id || ' is ' || j.status || ' but part ' || p.stage || '#' || p.index || ' is running'
         FROM jobs j JOIN stage_parts p ON p.job_id = j.id
        WHERE j.id = ANY($1) AND j.status IN ${TERMINAL} AND p.status = 'running'`,
      jobIds,
    )),
  );

  // Every source the rig uploads has clip-worthy windows; a completed job without a clip means
  // its render phases tested nothing (as happened when the selection floor arrived).
  f.lost.push(
    ...(await rows(
      db,
      `SELECT 'job ' || j.id || ': completed without a clip' AS finding FROM jobs j
        WHERE j.id = ANY($1) AND j.status = 'completed'
          AND NOT EXISTS (SELECT 1 FROM clips c WHERE c.job_id = j.id)`,
      jobIds,
    )),
  );

  // Exactly one clip row per selected segment and requested aspect.
  const perKey = await db.query(
    `SELECT j.id AS job_id, cs.id AS segment_id, a.aspect, count(c.id)::int AS n
       FROM jobs j JOIN content_segments cs ON cs.job_id = j.id AND cs.selected
       CROSS JOIN LATERAL jsonb_array_elements_text(j.options->'aspects') AS a(aspect)
       LEFT JOIN clips c ON c.job_id = j.id AND c.segment_id = cs.id AND c.aspect = a.aspect
      WHERE j.id = ANY($1) AND j.status = 'completed'
      GROUP BY 1, 2, 3 HAVING count(c.id) <> 1`,
    [jobIds],
  );
  for (const r of perKey.rows)
    (r.n === 0 ? f.lost : f.duplicated).push(
      `job ${r.job_id} segment ${r.segment_id} ${r.aspect}: ${r.n} clip rows`,
    );
  f.duplicated.push(
    ...(await rows(
      db,
      `SELECT 'job ' || c.job_id || ': clip ' || c.id || ' for an unselected segment' AS finding
         FROM clips c JOIN content_segments cs ON cs.id = c.segment_id
        WHERE c.job_id = ANY($1) AND NOT cs.selected
       UNION ALL
       SELECT 'job ' || job_id || ': ' || kind || ' region ' || start_sec || '-' || end_sec || ' stored ' || count(*) || ' times'
         FROM silence_regions WHERE job_id = ANY($1) GROUP BY job_id, kind, start_sec, end_sec HAVING count(*) > 1`,
      jobIds,
    )),
  );

  f.overRetried.push(
    ...(
      await db.query(
        `SELECT 'job ' || job_id || ' ' || stage || ' attempt ' || attempt AS finding FROM job_stages
        WHERE job_id = ANY($1) AND attempt > $2
       UNION ALL
       SELECT 'job ' || job_id || ' clip ' || id || ' attempt ' || attempt FROM clips
        WHERE job_id = ANY($1) AND attempt > $2
       UNION ALL
       SELECT 'job ' || job_id || ' part ' || stage || '#' || index || ' attempt ' || attempt FROM stage_parts
        WHERE job_id = ANY($1) AND attempt > $2`,
        [jobIds, opts.maxAttempt],
      )
    ).rows.map((r) => r.finding),
  );

  await checkClipObjects(db, storage, jobIds, f);
  return f;
}

/** Every completed clip's files exist, the video decodes, and nothing was written after completion. */
async function checkClipObjects(
  db: Pool,
  storage: StorageService,
  jobIds: string[],
  f: Findings,
): Promise<void> {
  const clips = await db.query(
    `SELECT id, job_id, video_key, thumbnail_key, vtt_key, size_bytes, updated_at FROM clips
      WHERE job_id = ANY($1) AND status = 'completed'`,
    [jobIds],
  );
  for (const c of clips.rows) {
    for (const key of [c.thumbnail_key, c.vtt_key])
      if (!key || !(await storage.head(key))) f.lost.push(`clip ${c.id}: ${key} missing in S3`);
    const head = c.video_key ? await lastModified(storage, c.video_key) : null;
    if (!head) {
      f.lost.push(`clip ${c.id}: ${c.video_key} missing in S3`);
      continue;
    }
    // S3 keeps whole seconds; a write more than 2 s after the row completed came from someone else.
    if (head.getTime() > new Date(c.updated_at).getTime() + 2000)
      f.lateWrites.push(
        `clip ${c.id}: video written ${head.toISOString()}, after the clip completed ${new Date(c.updated_at).toISOString()}`,
      );
    const url = await storage.presignGet(c.video_key);
    try {
      await promisify(execFile)(FFMPEG_PATH, ['-v', 'error', '-i', url, '-f', 'null', '-'], {
        timeout: 120_000,
      });
    } catch (err) {
      f.lost.push(`clip ${c.id}: ${c.video_key} does not decode: ${(err as Error).message}`);
    }
  }
  const keys = (
    await Promise.all(jobIds.map((id) => storage.listKeys(`jobs/${id}/clips/`)))
  ).flat();
  const known = new Set(
    (
      await db.query(
        `SELECT unnest(ARRAY[video_key, thumbnail_key, vtt_key, srt_key]) AS k FROM clips WHERE job_id = ANY($1)`,
        [jobIds],
      )
    ).rows.map((r) => r.k),
  );
  for (const k of keys) if (!known.has(k)) f.duplicated.push(`object ${k} belongs to no clip row`);
}

async function lastModified(storage: StorageService, key: string): Promise<Date | null> {
  // StorageService has no call for it; the test's own client reads the same bucket.
  const s3 = new S3Client({
    region: process.env.S3_REGION,
    endpoint: process.env.S3_ENDPOINT,
    forcePathStyle: true,
    credentials: {
      accessKeyId: process.env.S3_ACCESS_KEY_ID!,
      secretAccessKey: process.env.S3_SECRET_ACCESS_KEY!,
    },
  });
  try {
    const res = await s3.send(new HeadObjectCommand({ Bucket: storage.bucket, Key: key }));
    return res.LastModified ?? null;
  } catch (err) {
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
      return null;
    throw err;
  } finally {
    s3.destroy();
  }
}

export function countFindings(f: Findings): number {
  return Object.values(f).reduce((n, list) => n + list.length, 0);
}
