/**
 * What the REST API answers, route by route: the API builds these, the web
 * app reads them, and the OpenAPI document describes them
 * (apps/api/src/common/openapi/view-schemas.ts must list every field, or the
 * API does not compile). Times are ISO 8601 strings.
 */
import type { ClipLayoutChoice } from './clip-look.types';
import type { Aspect, JobOptions, RetentionOptions } from './job-options';
import type { CropPlan, FaceTrack, Scene } from './layout.types';
import type { MediaInfo } from './media-info.types';
import type { SegmentFeatures } from './segment.types';
import type { SilenceKind } from './silence.types';
import type { StageName, WorkerStage } from './stage-graph';
import type { JobStatus, StageStatus } from './stage-status';
import type { TranscriptSegment, TranscriptWord } from './transcript.types';
import type { WorkersReport } from './workers.types';

/** Error bodies of every route: `{ statusCode, error, message }`. */
export interface ErrorView {
  statusCode: number;
  error: string;
  message: string;
  /** Every validation failure, when there were several. */
  details?: string[];
}

export type ApiKeyRoleView = 'creator' | 'ops';

/** `GET /v1/me`: who the key is, so a client shows what the role may do without probing. */
export interface MeView {
  id: string;
  name: string;
  role: ApiKeyRoleView;
}

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
  heartbeatAt: string | null;
  workerHost: string | null;
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

/** A job in the list: no stages, but its clip counts (one query per page, not per job). */
export interface JobSummaryView {
  id: string;
  status: JobStatus;
  sourceFilename: string | null;
  sourceSizeBytes: number | null;
  durationSec: number | null;
  options: JobOptions;
  error: string | null;
  note: string | null;
  /** Set when this job's analysis was copied from an earlier job with the same content. */
  reusedFromJobId: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  finishedAt: string | null;
  clips: ClipCounts;
}

export interface JobDetailView extends JobSummaryView {
  /** 0..1 over the whole job, as the API computes it (clients never derive their own). */
  progress: number;
  etaSeconds: number | null;
  ownerKeyId: string | null;
  sourceKey: string;
  mediaInfo: MediaInfo | null;
  stages: StageView[];
  /** sha256 of the source, the key of analysis reuse (null for jobs from before it). */
  contentSha256: string | null;
  retention: RetentionOptions;
  /** Null until the job ends: retention counts from then. */
  sourceExpiresAt: string | null;
  clipsExpireAt: string | null;
  /** What retention already deleted (null while it is still there). */
  sourceDeletedAt: string | null;
  clipsDeletedAt: string | null;
}

export interface JobPageView {
  items: JobSummaryView[];
  nextCursor: string | null;
}

export interface PresignedPartView {
  partNumber: number;
  url: string;
}

export interface UploadCreatedView {
  uploadId: string;
  jobId: string;
  partSize: number;
  partCount: number;
  expiresInSeconds: number;
  parts: PresignedPartView[];
}

export interface UploadPartsView {
  uploadId: string;
  parts: PresignedPartView[];
}

export interface StoredPartView {
  partNumber: number;
  size: number;
  etag: string;
}

export interface UploadStatusView {
  uploadId: string;
  jobId: string;
  status: 'open' | 'completed' | 'aborted' | 'failed';
  filename: string;
  size: number;
  partSize: number;
  partCount: number;
  parts: StoredPartView[];
  uploadedBytes: number;
}

export interface PartReportedView {
  uploadId: string;
  partNumber: number;
  recorded: boolean;
}

export interface TranscriptWordView extends TranscriptWord {
  /** The word lies in silence or music by the silence stage's regions. */
  nonSpeech: boolean;
}

/** `GET /v1/jobs/:id/transcript` as JSON (srt, vtt and txt are text). */
export interface TranscriptView {
  jobId: string;
  engine: string;
  model: string;
  modelVersion: string;
  language: string;
  text: string;
  segments: TranscriptSegment[];
  note: string | null;
  /** False until the silence stage is done; no word is flagged before. */
  nonSpeechChecked: boolean;
  words: TranscriptWordView[];
  createdAt: string;
}

export interface SilenceRegionView {
  kind: SilenceKind;
  start: number;
  end: number;
  meanDb: number;
}

export interface SilencesView {
  jobId: string;
  status: StageStatus;
  summary: Record<string, unknown> | null;
  /** One timeline without overlaps. */
  regions: SilenceRegionView[];
  /** The two detectors' own layers. */
  layers: { silence: SilenceRegionView[]; nonSpeech: SilenceRegionView[] };
}

export interface LayoutView {
  jobId: string;
  status: StageStatus;
  summary: Record<string, unknown> | null;
  sampleFps: number | null;
  frameCount: number;
  scenes: Scene[];
  sceneCuts: number[];
  faceTracks: FaceTrack[];
  cropPlans: CropPlan[];
  note: string | null;
}

export interface SegmentView {
  id: string;
  rank: number;
  start: number;
  end: number;
  durationSec: number;
  score: number;
  features: SegmentFeatures;
  reason: string;
  text: string;
  selected: boolean;
}

export interface SegmentsView {
  jobId: string;
  summary: Record<string, unknown> | null;
  selected: SegmentView[];
  runnersUp: SegmentView[];
}

/** The recogniser whose words a clip's captions show: the `caption` tier, or the transcript's (`fast`). */
export interface CaptionEngineView {
  tier: 'caption' | 'fast';
  engine: string;
  model: string;
  modelVersion: string;
  preset: string | null;
}

export interface ClipDownloadsView {
  video: string | null;
  thumbnail: string | null;
  vtt: string | null;
  srt: string | null;
}

export type ClipStatusName = 'queued' | 'rendering' | 'completed' | 'failed' | 'cancelled';

export interface ClipView {
  id: string;
  segmentId: string;
  rank: number | null;
  aspect: Aspect;
  status: ClipStatusName;
  attempt: number;
  durationSec: number | null;
  width: number | null;
  height: number | null;
  sizeBytes: number | null;
  renderMs: number | null;
  captionEngine: CaptionEngineView | null;
  error: string | null;
  /** Presigned links of the current version (kept while the next one renders). */
  downloads: ClipDownloadsView | null;
  /** The edit version, and the one the downloads show; `next` while another renders or failed. */
  version: number;
  renderedVersion: number | null;
  next: { version: number; status: 'queued' | 'rendering' | 'failed' } | null;
  /** The layout the renderer used and why (null until rendered with looks). */
  layoutChoice: ClipLayoutChoice | null;
}

export interface ClipsView {
  jobId: string;
  clips: ClipView[];
}

export interface LogEntryView {
  id: number;
  stage: string;
  attempt: number;
  event: string;
  message: string | null;
  command: string | null;
  details: string | null;
  durationMs: number | null;
  workerHost: string | null;
  createdAt: string;
}

export interface LogsView {
  jobId: string;
  items: LogEntryView[];
  nextAfter: number | null;
}

export interface RerunView {
  jobId: string;
  stage: WorkerStage;
  rerun: boolean;
}

export interface RetryView {
  jobId: string;
  stages: WorkerStage[];
}

export interface CropPlansReplacedView {
  jobId: string;
  cropPlans: CropPlan[];
  rerendered: boolean;
}

/** A clip asked to render alone (an edit, or a promoted segment). */
export interface ClipRenderRequestView {
  clipId: string;
  /** The edit version this render will show. */
  version: number;
  /** False when the clip was already waiting to render (it picks up the edit when it runs). */
  queued: boolean;
}

export interface PromotedView {
  jobId: string;
  segmentId: string;
  rank: number;
  selected: boolean;
  rerendered: boolean;
  /** Only the promoted segment's clips render; the job's other clips keep their files. */
  clips: ClipRenderRequestView[];
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

export interface QueuePausedView {
  stage: WorkerStage;
  paused: boolean;
}

/** A failed Bull job of one queue (Bull keeps the last QUEUE_KEEP_FAILED). */
export interface FailedQueueJobView {
  id: string;
  /** The Bull payload (StageJobPayload or RenderJobPayload), as Bull kept it. */
  data: ({ jobId?: string } & Record<string, unknown>) | null;
  failedReason?: string;
  finishedOn?: number;
  finishedAt: string | null;
}

export interface FailedStageView extends StageView {
  jobId: string;
}

export type { WorkersReport as WorkersView };

export interface HealthCheckView {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

/** `GET /health`: 503 with `error`, 200 with `ok` or `degraded` (and the reasons). */
export interface HealthView {
  status: 'ok' | 'degraded' | 'error';
  reasons?: string[];
  checks: { postgres: HealthCheckView; redis: HealthCheckView; s3: HealthCheckView };
  workers: WorkersReport['stages'] | null;
}
