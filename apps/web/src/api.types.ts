/** The API's JSON views, as docs/api.md and the API's *.view.ts describe them. */
// Shared with the API and workers: the contracts lib imports nothing, so the browser can use it.
export type {
  Aspect,
  JobOptions,
  JobStatus,
  StageName,
  StageStatus,
  WorkerStage,
} from '@clipline/contracts';
export { ASPECTS, DEFAULT_JOB_OPTIONS, STAGES, WORKER_STAGES } from '@clipline/contracts';
import type {
  Aspect,
  ClipLook,
  ResolvedClipLook,
  JobOptions,
  JobStatus,
  StageName,
  StageStatus,
  WorkerStage,
} from '@clipline/contracts';

export interface StageView {
  stage: StageName;
  status: StageStatus;
  progress: number;
  etaSeconds: number | null;
  attempt: number;
  queuedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  retryAt: string | null;
  error: string | null;
  summary: Record<string, unknown> | null;
}

export interface ClipCounts {
  total: number;
  queued: number;
  rendering: number;
  completed: number;
  failed: number;
  cancelled: number;
}

export interface JobSummary {
  id: string;
  status: JobStatus;
  sourceFilename: string | null;
  sourceSizeBytes: number | null;
  durationSec: number | null;
  options: JobOptions;
  error: string | null;
  note: string | null;
  /** The earlier job (same key, same content) whose analysis this job copied. */
  reusedFromJobId: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface JobDetail extends JobSummary {
  /** 0..1 over the whole job, as the API computes it (the page never derives its own). */
  progress: number;
  etaSeconds: number | null;
  stages: StageView[];
  clips: ClipCounts;
  retention: { sourceDays: number; clipDays: number };
  /** Null until the job ends; retention counts from then. */
  sourceExpiresAt: string | null;
  clipsExpireAt: string | null;
  /** Set once retention deleted them. */
  sourceDeletedAt: string | null;
  clipsDeletedAt: string | null;
}

export interface JobPage {
  items: JobSummary[];
  nextCursor: string | null;
}

export interface UploadCreated {
  uploadId: string;
  jobId: string;
  partSize: number;
  partCount: number;
  expiresInSeconds: number;
  parts: Array<{ partNumber: number; url: string }>;
}

export interface UploadStatus {
  uploadId: string;
  jobId: string;
  status: 'open' | 'completed' | 'aborted';
  filename: string;
  size: number;
  partSize: number;
  partCount: number;
  parts: Array<{ partNumber: number; size: number; etag: string }>;
  uploadedBytes: number;
}

export interface SegmentView {
  id: string;
  rank: number;
  start: number;
  end: number;
  durationSec: number;
  score: number;
  reason: string;
  text: string;
  selected: boolean;
}

export interface SegmentsView {
  jobId: string;
  selected: SegmentView[];
  runnersUp: SegmentView[];
}

export interface ClipView {
  id: string;
  segmentId: string;
  rank: number | null;
  aspect: Aspect;
  status: 'queued' | 'rendering' | 'completed' | 'failed' | 'cancelled';
  attempt: number;
  durationSec: number | null;
  width: number | null;
  height: number | null;
  sizeBytes: number | null;
  /** The recogniser whose words the captions show: `caption` tier, or the transcript's (`fast`). */
  captionEngine: {
    tier: 'caption' | 'fast';
    engine: string;
    modelVersion: string;
    preset: string | null;
  } | null;
  error: string | null;
  /** The edit version, and the one the downloads show; `next` while another renders or failed. */
  version: number;
  renderedVersion: number | null;
  next: { version: number; status: 'queued' | 'rendering' | 'failed' } | null;
  downloads: {
    video: string | null;
    thumbnail: string | null;
    vtt: string | null;
    srt: string | null;
  } | null;
}

export interface QueueStats {
  stage: WorkerStage;
  queue: string;
  paused: boolean;
  waiting: number;
  /** Jobs held by a paused queue; Bull moves them out of `waiting`. */
  pausedJobs: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

export interface FailedStage extends StageView {
  jobId: string;
}

export interface EditorWord {
  text: string;
  start: number;
  end: number;
  corrected: boolean;
}

export interface ClipCorrectionView {
  id: string;
  scope: 'clip' | 'transcript';
  start: number;
  end: number;
  text: string;
  originalText: string;
  currentText: string;
  conflict: boolean;
}

/** GET /v1/jobs/:id/clips/:clipId */
export interface ClipDetail {
  id: string;
  jobId: string;
  rank: number;
  aspect: Aspect;
  status: ClipView['status'];
  version: number;
  renderedVersion: number | null;
  edited: boolean;
  start: number;
  end: number;
  durationSec: number;
  segment: { start: number; end: number; text: string };
  source: { durationSec: number };
  look: ClipLook | null;
  jobLook: ClipLook | null;
  resolvedLook: ResolvedClipLook;
  layoutChoice: { mode: string; reason: string } | null;
  firstSentence: string | null;
  words: EditorWord[];
  corrections: ClipCorrectionView[];
  conflicts: ClipCorrectionView[];
  current: {
    version: number | null;
    durationSec: number | null;
    downloads: {
      video: string | null;
      thumbnail: string | null;
      vtt: string | null;
      srt: string | null;
    };
  } | null;
  next: { version: number; status: string; progress: number; error: string | null } | null;
}

export interface TrimPreview {
  requested: { start: number; end: number };
  snapped: { start: number; end: number; durationSec: number };
  rules: { start: string; end: string };
  previous: { start: number; end: number };
  gained: Array<{ text: string; start: number; end: number }>;
  lost: Array<{ text: string; start: number; end: number }>;
}
