import type { JobDetail } from '../api.types';
import { formatBytes, formatSeconds, formatTime } from '../format';
import { href } from '../session';
import { ProgressBar } from './progress-bar';

export function JobHeader({ job, live }: { job: JobDetail; live: boolean }) {
  return (
    <div className="job-head">
      <h1>{job.sourceFilename ?? 'Untitled upload'}</h1>
      <p className="meta">
        <span className={`badge badge-${job.status}`} data-testid="job-status">
          {job.status}
        </span>{' '}
        {formatSeconds(job.durationSec)} long · {formatBytes(job.sourceSizeBytes)} · created{' '}
        {formatTime(job.createdAt)}{' '}
        <span className={`live ${live ? 'on' : 'off'}`}>
          {live ? 'Live' : 'Reconnecting; refreshing every few seconds'}
        </span>
      </p>
      {(job.status === 'queued' || job.status === 'running') && (
        <div className="job-progress" data-testid="job-progress">
          <ProgressBar value={job.progress} label="Job progress" />
          <span>
            {Math.round(job.progress * 100)}%
            {job.etaSeconds !== null && `, about ${formatSeconds(job.etaSeconds)} left`}
          </span>
        </div>
      )}
      {job.reusedFromJobId && (
        <p className="muted" data-testid="job-reused">
          Reused analysis from <a href={href.job(job.reusedFromJobId)}>an earlier job</a> with the
          same file; only what its options change ran again.
        </p>
      )}
      <p className="muted" data-testid="job-retention">
        {retentionLine(
          'Source',
          job.sourceDeletedAt,
          job.sourceExpiresAt,
          job.retention?.sourceDays,
        )}
        {' · '}
        {retentionLine('Clips', job.clipsDeletedAt, job.clipsExpireAt, job.retention?.clipDays)}
      </p>
      {/* e.g. "7 of 10 clips: the other candidates are over 15% music or silence" */}
      {job.note && (
        <p className="muted" data-testid="job-note">
          {job.note}
        </p>
      )}
      {job.error && (
        <p role="alert" className="error">
          {job.error}
        </p>
      )}
    </div>
  );
}

/** "Source deleted on …", "Clips kept until …", or the days counted from the job's end. */
function retentionLine(
  what: string,
  deletedAt: string | null | undefined,
  expiresAt: string | null | undefined,
  days: number | undefined,
): string {
  if (deletedAt) return `${what} deleted on ${formatTime(deletedAt)}`;
  if (expiresAt) return `${what} kept until ${formatTime(expiresAt)}`;
  return days ? `${what} kept ${days} days after the job ends` : `${what} retention unknown`;
}
