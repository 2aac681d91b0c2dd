import {
  STAGES,
  redactSecrets,
  type ClipCounts,
  type JobDetailView,
  type JobSummaryView,
  type RetentionOptions,
  type StageView,
} from '@clipline/contracts';
import type { JobEntity, JobStageEntity } from '@clipline/database';
import { expiryOf, retentionOf, type JobProgress } from '@clipline/pipeline';

export const EMPTY_CLIP_COUNTS: ClipCounts = {
  total: 0,
  queued: 0,
  rendering: 0,
  completed: 0,
  failed: 0,
  cancelled: 0,
};

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function stageView(s: JobStageEntity): StageView {
  return {
    stage: s.stage,
    status: s.status,
    progress: s.progress,
    etaSeconds: s.etaSeconds,
    attempt: s.attempt,
    queuedAt: iso(s.queuedAt),
    startedAt: iso(s.startedAt),
    finishedAt: iso(s.finishedAt),
    durationMs: s.startedAt && s.finishedAt ? s.finishedAt.getTime() - s.startedAt.getTime() : null,
    retryAt: iso(s.retryAt),
    heartbeatAt: iso(s.heartbeatAt),
    workerHost: s.workerHost,
    // Again on the way out: rows written before errors were redacted at write time.
    error: redactSecrets(s.error),
    summary: s.summary,
  };
}

export function jobSummaryView(job: JobEntity, clips: ClipCounts): JobSummaryView {
  return {
    id: job.id,
    status: job.status,
    sourceFilename: job.sourceFilename,
    sourceSizeBytes: job.sourceSizeBytes === null ? null : Number(job.sourceSizeBytes),
    durationSec: job.mediaInfo?.durationSec ?? null,
    options: job.options,
    error: redactSecrets(job.error),
    note: job.note,
    /** Set when this job's analysis was copied from an earlier job with the same content. */
    reusedFromJobId: job.reusedFromJobId,
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
    finishedAt: iso(job.finishedAt),
    clips,
  };
}

export function jobDetailView(
  job: JobEntity,
  stages: JobStageEntity[],
  clips: ClipCounts,
  overall: JobProgress,
  retentionDefaults: RetentionOptions,
): JobDetailView {
  const order = (s: JobStageEntity) => STAGES.indexOf(s.stage);
  const expiry = expiryOf(job, retentionDefaults);
  return {
    ...jobSummaryView(job, clips),
    contentSha256: job.contentSha256,
    retention: retentionOf(job, retentionDefaults),
    // Null until the job ends: retention counts from then.
    sourceExpiresAt: iso(expiry.sourceExpiresAt),
    clipsExpireAt: iso(expiry.clipsExpireAt),
    // What retention already deleted (null while it is still there).
    sourceDeletedAt: iso(job.sourceDeletedAt),
    clipsDeletedAt: iso(job.clipsDeletedAt),
    progress: overall.progress,
    etaSeconds: overall.etaSeconds,
    ownerKeyId: job.ownerKeyId,
    sourceKey: job.sourceKey,
    mediaInfo: job.mediaInfo,
    stages: [...stages].sort((a, b) => order(a) - order(b)).map(stageView),
  };
}
