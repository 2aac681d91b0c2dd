import type { AppConfig } from '@clipline/config';
import type { StageStatus, WorkerStage } from '@clipline/contracts';
import type { EntityManager } from 'typeorm';
import { WORKER_HOST } from './processing-logger';
import type { Lease } from './stage-runner';
import type { ClipRows } from './state/clip-rows';
import type { StageRows } from './state/stage-rows';

/** What a (non-render) stage handler returns: how to replace its outputs, and a summary. */
export interface StageResult {
  write(m: EntityManager): Promise<void>;
  status?: Extract<StageStatus, 'completed' | 'skipped'>;
  summary?: Record<string, unknown> | null;
  /** Runs once the outputs are committed (e.g. deleting objects the new outputs replaced). */
  afterCommit?(): Promise<void>;
}

function retryPolicy(cfg: AppConfig, permanent: boolean) {
  return { permanent, maxAttempts: cfg.STAGE_MAX_ATTEMPTS, baseDelayMs: cfg.RETRY_BASE_DELAY_MS };
}

export function stageLease(
  store: StageRows,
  cfg: AppConfig,
  jobId: string,
  stage: Exclude<WorkerStage, 'rendering'>,
): Lease<StageResult> {
  return {
    stage,
    jobId,
    claim: () => store.claim(jobId, stage, WORKER_HOST, cfg.STALL_SECONDS, cfg.STAGE_MAX_ATTEMPTS),
    heartbeat: (attempt, progress, eta) => store.heartbeat(jobId, stage, attempt, progress, eta),
    complete: async (attempt, r) => {
      const settlement = await store.complete(jobId, stage, attempt, (m) => r.write(m), {
        status: r.status,
        summary: r.summary,
      });
      await r
        .afterCommit?.()
        .catch((err: Error) => console.warn(`after-commit step failed: ${err.message}`));
      return settlement;
    },
    fail: (attempt, error, permanent) =>
      store.fail(jobId, stage, attempt, error, retryPolicy(cfg, permanent)),
  };
}

/** What the render handler returns: the clip's columns to store. */
export type ClipResult = Parameters<ClipRows['complete']>[2];

/**
 * `afterPublish` runs once the clip row points at this attempt's objects,
 * with the keys it pointed at before (e.g. to delete an older attempt's files).
 */
export function clipLease(
  clips: ClipRows,
  cfg: AppConfig,
  jobId: string,
  clipId: string,
  afterPublish?: (replacedKeys: string[]) => Promise<void>,
): Lease<ClipResult> {
  return {
    stage: 'rendering',
    jobId,
    claim: async () =>
      (await clips.claim(clipId, cfg.STALL_SECONDS, cfg.STAGE_MAX_ATTEMPTS))?.attempt ?? null,
    heartbeat: (attempt, progress) => clips.heartbeat(clipId, attempt, progress),
    report: (attempt, progress) => clips.report(clipId, attempt, progress),
    complete: async (attempt, fields) => {
      const settlement = await clips.complete(clipId, attempt, fields);
      await afterPublish?.(settlement.replacedKeys).catch((err: Error) =>
        console.warn(`after-publish step failed: ${err.message}`),
      );
      return settlement;
    },
    fail: (attempt, error, permanent) =>
      clips.fail(clipId, attempt, error, retryPolicy(cfg, permanent)),
  };
}
