import { ClipsPanel } from '../components/clips-panel';
import { ExportMenu } from '../components/export-menu';
import { useJobLive } from '../job-live.hook';
import { href } from '../session';

export function ClipsPage({ jobId }: { jobId: string }) {
  const { job, error, clipsVersion } = useJobLive(jobId);
  return (
    <section aria-labelledby="clips-title">
      <p>
        <a href={href.job(jobId)}>← Job progress</a>
      </p>
      <h1 id="clips-title">Clips{job?.sourceFilename ? ` from ${job.sourceFilename}` : ''}</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {(job?.clips.completed ?? 0) > 0 && <ExportMenu jobId={jobId} />}
      <ClipsPanel
        jobId={jobId}
        version={clipsVersion + (job?.clips.completed ?? 0)}
        showRunnersUp
      />
    </section>
  );
}
