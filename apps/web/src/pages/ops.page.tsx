import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, plainError } from '../api.client';
import type { WorkersReport } from '@clipline/contracts';
import { WorkersPanel } from '../components/workers-panel';
import {
  WORKER_STAGES,
  type FailedQueueJob,
  type FailedStage,
  type JobPage,
  type QueueStats,
  type WorkerStage,
} from '../api.types';
import { formatTime } from '../format';
import { href } from '../session';
import { STAGE_LABELS, plainStageError } from '../stage-words';

const REFRESH_MS = 5000;

export function OpsPage() {
  const [queues, setQueues] = useState<QueueStats[] | null>(null);
  const [failed, setFailed] = useState<FailedStage[] | null>(null);
  const [jobs, setJobs] = useState<JobPage | null>(null);
  const [workers, setWorkers] = useState<WorkersReport | null>(null);
  const [updated, setUpdated] = useState<Date | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [queueFailures, setQueueFailures] = useState<{
    stage: WorkerStage;
    items: FailedQueueJob[];
  } | null>(null);
  const [rerunJob, setRerunJob] = useState('');
  const [rerunStage, setRerunStage] = useState<WorkerStage>('segmenting');

  const load = useCallback(async () => {
    try {
      const [q, f, j, w] = await Promise.all([
        api<QueueStats[]>('GET', '/v1/ops/queues'),
        api<FailedStage[]>('GET', '/v1/ops/stages/failed?limit=50'),
        api<JobPage>('GET', '/v1/jobs?limit=20'),
        api<WorkersReport>('GET', '/v1/ops/workers'),
      ]);
      setQueues(q);
      setWorkers(w);
      setFailed(f);
      setJobs(j);
      setUpdated(new Date());
      setError(null);
    } catch (err) {
      setError(plainError(err));
    }
  }, []);

  useEffect(() => {
    void load();
    const t = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(t);
  }, [load]);

  useEffect(() => {
    if (!rerunJob && jobs?.items.length) setRerunJob(jobs.items[0].id);
  }, [jobs, rerunJob]);

  const act = async (id: string, method: string, path: string, done: string) => {
    setBusy(id);
    setMessage(null);
    try {
      await api(method, path);
      setMessage(done);
      await load();
    } catch (err) {
      setMessage(plainError(err));
    } finally {
      setBusy(null);
    }
  };

  const showQueueFailures = async (stage: WorkerStage) => {
    try {
      const items = await api<FailedQueueJob[]>('GET', `/v1/ops/queues/${stage}/failed?limit=20`);
      setQueueFailures({ stage, items });
    } catch (err) {
      setMessage(plainError(err));
    }
  };

  const submitRerun = (e: FormEvent) => {
    e.preventDefault();
    if (!rerunJob) return;
    void act(
      'rerun-form',
      'POST',
      `/v1/jobs/${rerunJob}/stages/${rerunStage}/rerun`,
      `${STAGE_LABELS[rerunStage]} is running again for job ${rerunJob.slice(0, 8)}.`,
    );
  };

  return (
    <section aria-labelledby="ops-title">
      <h1 id="ops-title">Operations</h1>
      <p className="muted small" aria-live="polite">
        {updated ? `Updated ${updated.toLocaleTimeString()}; refreshes every 5 s.` : 'Loading…'}
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {message && (
        <p role="status" className="notice-line" data-testid="ops-message">
          {message}
        </p>
      )}

      <h2>Workers</h2>
      {workers && <WorkersPanel report={workers} />}

      <h2>Queues</h2>
      {queues && (
        <div className="table-wrap">
          <table className="queues">
            <thead>
              <tr>
                <th scope="col">Stage</th>
                <th scope="col">Waiting</th>
                <th scope="col">Active</th>
                <th scope="col">Delayed</th>
                <th scope="col">Failed</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {queues.map((q) => (
                <tr key={q.stage} data-queue={q.stage}>
                  <th scope="row" data-label="Stage">
                    {q.stage}
                  </th>
                  <td data-label="Waiting">
                    {q.waiting + (q.pausedJobs ?? 0)}
                    {q.pausedJobs > 0 ? ` (${q.pausedJobs} held by the pause)` : ''}
                  </td>
                  <td data-label="Active">{q.active}</td>
                  <td data-label="Delayed">{q.delayed}</td>
                  <td data-label="Failed">
                    {q.failed > 0 ? (
                      <button
                        type="button"
                        className="link"
                        onClick={() => void showQueueFailures(q.stage)}
                      >
                        {q.failed} (show)
                      </button>
                    ) : (
                      0
                    )}
                  </td>
                  <td data-label="State">
                    <span className={`badge ${q.paused ? 'badge-failed' : 'badge-completed'}`}>
                      {q.paused ? 'paused' : 'running'}
                    </span>
                  </td>
                  <td>
                    <button
                      type="button"
                      className="secondary small"
                      disabled={busy !== null}
                      onClick={() =>
                        void act(
                          `q-${q.stage}`,
                          'POST',
                          `/v1/ops/queues/${q.stage}/${q.paused ? 'resume' : 'pause'}`,
                          `The ${q.stage} queue is ${q.paused ? 'running again' : 'paused'}.`,
                        )
                      }
                    >
                      {q.paused ? `Resume ${q.stage}` : `Pause ${q.stage}`}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {queueFailures && (
        <div className="card">
          <h3>Failed in the {queueFailures.stage} queue</h3>
          <ul className="plain">
            {queueFailures.items.map((j) => (
              <li key={j.id}>
                {j.data?.jobId ? (
                  <a href={href.job(j.data.jobId)}>{j.data.jobId.slice(0, 8)}</a>
                ) : (
                  j.id
                )}{' '}
                · {formatTime(j.finishedAt)}: {plainStageError(j.failedReason ?? null)}
              </li>
            ))}
          </ul>
          <button type="button" className="secondary small" onClick={() => setQueueFailures(null)}>
            Close
          </button>
        </div>
      )}

      <h2>Re-run a stage</h2>
      <form className="card rerun-form" onSubmit={submitRerun}>
        <div className="field">
          <label htmlFor="rerun-job">Job</label>
          <select id="rerun-job" value={rerunJob} onChange={(e) => setRerunJob(e.target.value)}>
            {jobs?.items.map((j) => (
              <option key={j.id} value={j.id}>
                {(j.sourceFilename ?? 'untitled') + ` · ${j.status} · ${j.id.slice(0, 8)}`}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="rerun-stage">Stage</label>
          <select
            id="rerun-stage"
            value={rerunStage}
            onChange={(e) => setRerunStage(e.target.value as WorkerStage)}
          >
            {WORKER_STAGES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={!rerunJob || busy !== null}>
          Re-run stage and what follows
        </button>
        {rerunJob && <a href={href.job(rerunJob)}>Watch this job →</a>}
      </form>

      <h2>Failed stages</h2>
      {failed && failed.length === 0 && <p className="muted">No failed stages.</p>}
      {failed && failed.length > 0 && (
        <ul className="plain failed-list">
          {failed.map((f) => (
            <li key={`${f.jobId}-${f.stage}`} className="card">
              <p>
                <a href={href.job(f.jobId)}>Job {f.jobId.slice(0, 8)}</a> ·{' '}
                <strong>{f.stage}</strong> · attempt {f.attempt} · {formatTime(f.finishedAt)}
              </p>
              <p className="error">{plainStageError(f.error)}</p>
              <div className="button-row">
                <button
                  type="button"
                  className="small"
                  disabled={busy !== null || f.stage === 'probe'}
                  onClick={() =>
                    void act(
                      `r-${f.jobId}-${f.stage}`,
                      'POST',
                      `/v1/jobs/${f.jobId}/stages/${f.stage}/rerun`,
                      `${f.stage} is running again.`,
                    )
                  }
                >
                  Re-run {f.stage}
                </button>
                <button
                  type="button"
                  className="secondary small"
                  disabled={busy !== null}
                  onClick={() =>
                    void act(
                      `t-${f.jobId}`,
                      'POST',
                      `/v1/jobs/${f.jobId}/retry`,
                      'The job is retrying its failed stages.',
                    )
                  }
                >
                  Retry job
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
