import type { JobStatus, StageStatus } from './stage-status';
import type { StageName } from './stage-graph';

/** socket.io rooms. */
export const ALL_JOBS_ROOM = 'jobs';
export const jobRoom = (jobId: string): string => `job:${jobId}`;
/** Each API key has its own room for the all-jobs feed, so creators never see other owners' jobs. */
export const ownerRoom = (ownerId: string): string => `owner:${ownerId}`;

export interface JobStatusEvent {
  jobId: string;
  status: JobStatus;
  error: string | null;
  /** 0..1 over the whole job; the same number as the job view's `progress`. */
  progress: number;
  /** Seconds to the last clip, or null while a stage ahead has no estimate. */
  etaSeconds: number | null;
  at: string;
}
export interface StageStartedEvent {
  jobId: string;
  stage: StageName;
  attempt: number;
  at: string;
}
export interface StageProgressEvent {
  jobId: string;
  stage: StageName;
  attempt: number;
  /** 0..1 */
  progress: number;
  etaSeconds: number | null;
  at: string;
}
export interface StageCompletedEvent {
  jobId: string;
  stage: StageName;
  attempt: number;
  status: Extract<StageStatus, 'completed' | 'skipped'>;
  durationMs: number;
  at: string;
}
export interface StageFailedEvent {
  jobId: string;
  stage: StageName;
  attempt: number;
  error: string;
  willRetry: boolean;
  at: string;
}
export interface ClipReadyEvent {
  jobId: string;
  clipId: string;
  segmentId: string;
  aspect: string;
  at: string;
}

/** Server-to-client event map; the API gateway and the workers' emitter both use it. */
export interface ServerToClientEvents {
  'job.status': (e: JobStatusEvent) => void;
  'stage.started': (e: StageStartedEvent) => void;
  'stage.progress': (e: StageProgressEvent) => void;
  'stage.completed': (e: StageCompletedEvent) => void;
  'stage.failed': (e: StageFailedEvent) => void;
  'clip.ready': (e: ClipReadyEvent) => void;
}

export interface ClientToServerEvents {
  subscribe: (
    req: { jobId?: string; all?: boolean },
    ack?: (res: { ok: boolean; error?: string }) => void,
  ) => void;
  unsubscribe: (req: { jobId?: string; all?: boolean }) => void;
}

/**
 * Redis channel prefix shared by the workers' @socket.io/redis-emitter and the
 * API's @socket.io/redis-adapter; derived from QUEUE_PREFIX so installations
 * (and test runs) sharing one Redis never see each other's events.
 */
export const socketIoRedisKey = (queuePrefix: string): string => `${queuePrefix}-socket.io`;
