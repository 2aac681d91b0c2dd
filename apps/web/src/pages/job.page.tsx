import { ClipsPanel } from '../components/clips-panel';
import { JobHeader } from '../components/job-header';
import { StageTimeline } from '../components/stage-timeline';
import { useJobLive } from '../job-live.hook';
import { href } from '../session';

export function JobPage({ jobId }: { jobId: string }) {
  const { job, error, live, clipsVersion } = useJobLive(jobId);
  if (!job) {
    return error ? (
      <p role="alert" className="error">
        {error}
      </p>
    ) : (
      <p className="muted">Loading the job…</p>
    );
  }
  const segmented = job.stages.some(
    (s) => s.stage === 'segmenting' && (s.status === 'completed' || s.status === 'skipped'),
  );
  return (
    <section aria-labelledby="job-title">
      <JobHeader job={job} live={live} />
      {error && <p className="error">{error}</p>}
      <div className="job-grid">
        <div>
          <h2 id="job-title">Progress</h2>
          <StageTimeline stages={job.stages} />
        </div>
        <div>
          <h2>
            Clips{' '}
            <span className="muted small">
              {job.clips.completed} of {job.clips.total} ready
            </span>
          </h2>
          {segmented ? (
            <>
              <ClipsPanel
                jobId={jobId}
                version={clipsVersion + job.clips.completed}
                showRunnersUp={false}
              />
              <p>
                <a href={href.clips(jobId)}>All clips and runners-up →</a>
              </p>
            </>
          ) : (
            <p className="muted">Clips appear here as they finish rendering.</p>
          )}
        </div>
      </div>
    </section>
  );
}
