import type { WorkerStage } from './stage-graph';
import type { Aspect } from './job-options';

/**
 * A Bull payload only points at work; the data lives in Postgres and S3.
 * `attempt` is the job_stages attempt that this message is for: a worker whose
 * attempt is no longer current has its writes refused.
 */
export interface StageJobPayload {
  jobId: string;
  stage: Exclude<WorkerStage, 'rendering'>;
  attempt: number;
  /** Set when the message is for one time-range part of a stage split across workers. */
  partId?: string;
}

export interface RenderJobPayload {
  jobId: string;
  stage: 'rendering';
  attempt: number;
  clipId: string;
  segmentId: string;
  aspect: Aspect;
}

export type AnyStagePayload = StageJobPayload | RenderJobPayload;
