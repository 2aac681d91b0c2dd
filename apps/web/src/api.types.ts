/**
 * The API's JSON views: the contract types the API itself builds
 * (libs/contracts/src/api-views.types.ts), under the names the pages use.
 * No hand copy: a change to a view breaks the web typecheck, not the page.
 */
export type {
  Aspect,
  ClipCorrectionView,
  ClipCounts,
  ClipDetail,
  ClipLook,
  ClipView,
  EditorWord,
  FailedQueueJobView as FailedQueueJob,
  FailedStageView as FailedStage,
  JobDetailView as JobDetail,
  JobOptions,
  JobPageView as JobPage,
  JobStatus,
  JobSummaryView as JobSummary,
  MeView,
  QueueStats,
  SegmentsView,
  SegmentView,
  StageName,
  StageStatus,
  StageView,
  TrimPreview,
  UploadCreatedView as UploadCreated,
  UploadStatusView as UploadStatus,
  WorkerStage,
  WorkersView as WorkersReport,
} from '@clipline/contracts';
export { ASPECTS, DEFAULT_JOB_OPTIONS, STAGES, WORKER_STAGES } from '@clipline/contracts';
