import { useEffect, useState } from 'react';
import { api, plainError } from '../api.client';
import type { JobPage as Page, JobSummary } from '../api.types';
import { formatSeconds, formatTime } from '../format';
import { href } from '../session';

const PAGE_SIZE = 20;

export function JobsPage() {
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cursor = cursors[cursors.length - 1];

  useEffect(() => {
    let gone = false;
    const q = `limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    api<Page>('GET', `/v1/jobs?${q}`).then(
      (p) => {
        if (gone) return;
        setPage(p);
        setError(null);
      },
      (err: unknown) => !gone && setError(plainError(err)),
    );
    return () => {
      gone = true;
    };
  }, [cursor]);

  return (
    <section aria-labelledby="jobs-title">
      <h1 id="jobs-title">Jobs</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {page && page.items.length === 0 && (
        <p className="muted">
          No jobs yet. <a href={href.upload}>Upload a file</a> to start one.
        </p>
      )}
      {page && page.items.length > 0 && (
        <div className="table-wrap">
          <table className="jobs">
            <caption className="sr-only">Jobs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Status</th>
                <th scope="col">Duration</th>
                <th scope="col">Created</th>
                <th scope="col">Clips</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((j: JobSummary) => (
                <tr key={j.id}>
                  <td data-label="File">
                    <a href={href.job(j.id)}>{j.sourceFilename ?? j.id.slice(0, 8)}</a>
                  </td>
                  <td data-label="Status">
                    <span className={`badge badge-${j.status}`}>{j.status}</span>
                  </td>
                  <td data-label="Duration">{formatSeconds(j.durationSec)}</td>
                  <td data-label="Created">{formatTime(j.createdAt)}</td>
                  <td data-label="Clips">{j.clips.completed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        <button
          type="button"
          className="secondary"
          disabled={cursors.length <= 1}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          ← Newer
        </button>
        <span className="muted">Page {cursors.length}</span>
        <button
          type="button"
          className="secondary"
          disabled={!page?.nextCursor}
          onClick={() => page?.nextCursor && setCursors((c) => [...c, page.nextCursor])}
        >
          Older →
        </button>
      </nav>
    </section>
  );
}
