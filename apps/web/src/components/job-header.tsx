import type { JobDetail } from '../api.types';
import { formatBytes, formatSeconds, formatTime } from '../format';
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
