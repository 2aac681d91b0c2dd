import type { JobStatusEvent, StageProgressEvent } from '../../../libs/contracts/src/events.types';
import type { JobDetail } from './api.types';

/**
 * A stage.progress event applied to the job the page holds. A late event (an
 * older attempt, or one sent just before the stage settled) must not make the
 * page say something the API no longer does; within one attempt progress never
 * goes back.
 */
export function withStageProgress(job: JobDetail, e: StageProgressEvent): JobDetail {
  return {
    ...job,
    stages: job.stages.map((s) =>
      s.stage !== e.stage ||
      e.attempt < s.attempt ||
      (s.status !== 'running' && s.status !== 'queued')
        ? s
        : {
            ...s,
            status: 'running',
            progress: e.attempt > s.attempt ? e.progress : Math.max(s.progress, e.progress),
            etaSeconds: e.etaSeconds,
            attempt: e.attempt,
          },
    ),
  };
}

/** The job-level numbers exactly as job.status carries them. */
export function withJobStatus(job: JobDetail, e: JobStatusEvent): JobDetail {
  return { ...job, progress: e.progress, etaSeconds: e.etaSeconds };
}
