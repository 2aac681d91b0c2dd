import type { AppConfig } from '@clipline/config';
import type { WorkerStage } from '@clipline/contracts';
import type { ClipEntity } from '@clipline/database';
import type { EntityManager } from 'typeorm';
import { WORKER_HOST } from './processing-logger';
import type { Lease } from './stage-runner';
import type { ClipRows } from './state/clip-rows';
import type { StageEnd, StageRows } from './state/stage-rows';

/** How a stage's fenced write says the stage ended, and what to do once it committed. */
export interface StageSaved extends StageEnd {
  /** Runs once the outputs are committed (e.g. deleting objects the new outputs replaced). */
  afterCommit?(): Promise<void>;
}

/**
 * What a whole-stage unit hands its lease: the write that replaces its outputs
 * inside the fenced transaction. What `write` returns overrides the fields given here.
 */
export interface StageResult extends StageSaved {
  write(m: EntityManager): Promise<StageSaved | void>;
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
      let saved: StageSaved = r;
      const settlement = await store.complete(
        jobId,
        stage,
        attempt,
        async (m) => (saved = { ...r, ...((await r.write(m)) as StageSaved | undefined) }),
        r,
      );
      await saved
        .afterCommit?.()
        .catch((err: Error) => console.warn(`after-commit step failed: ${err.message}`));
      return settlement;
    },
    fail: (attempt, error, permanent) =>
      store.fail(jobId, stage, attempt, error, retryPolicy(cfg, permanent)),
  };
}

/** The columns a rendered clip publishes. */
export type ClipColumns = Partial<ClipEntity>;

/** What a clip unit hands its lease: its columns, computed inside the fenced transaction. */
export interface ClipResult {
  save(m: EntityManager): Promise<ClipColumns>;
}

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
    complete: async (attempt, r) => {
      const settlement = await clips.complete(clipId, attempt, (m) => r.save(m));
      await afterPublish?.(settlement.replacedKeys).catch((err: Error) =>
        console.warn(`after-publish step failed: ${err.message}`),
      );
      return settlement;
    },
    fail: (attempt, error, permanent) =>
      clips.fail(clipId, attempt, error, retryPolicy(cfg, permanent)),
  };
}
