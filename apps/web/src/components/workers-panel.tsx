import type { WorkersReport } from '@clipline/contracts';
import { formatTime } from '../format';

/** Which process runs what, and why the system is degraded when it is. */
export function WorkersPanel({ report }: { report: WorkersReport }) {
  return (
    <>
      {report.reasons.length > 0 && (
        <ul className="plain" data-testid="ops-degraded">
          {report.reasons.map((r) => (
            <li key={r} className="error">
              {r}
            </li>
          ))}
        </ul>
      )}
      {report.workers.length === 0 && <p className="muted">No worker has registered yet.</p>}
      {report.workers.length > 0 && (
        <div className="table-wrap">
          <table className="workers">
            <thead>
              <tr>
                <th scope="col">Stage</th>
                <th scope="col">Host</th>
                <th scope="col">Version</th>
                <th scope="col">Working on</th>
                <th scope="col">Started</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {report.workers.map((w) => (
                <tr key={w.id} data-worker={w.stage}>
                  <th scope="row" data-label="Stage">
                    {w.stage}
                  </th>
                  <td data-label="Host">
                    {w.host}:{w.pid}
                  </td>
                  <td data-label="Version">{w.version}</td>
                  <td data-label="Working on">
                    {w.currentWork.length ? w.currentWork.join(', ') : 'idle'}
                  </td>
                  <td data-label="Started">{formatTime(w.startedAt)}</td>
                  <td data-label="State">
                    <span
                      className={`badge ${w.live ? (w.degraded ? 'badge-failed' : 'badge-completed') : 'badge-queued'}`}
                      title={w.degraded ?? undefined}
                    >
                      {!w.live
                        ? w.stoppedAt
                          ? `stopped ${formatTime(w.stoppedAt)}`
                          : `gone since ${formatTime(w.heartbeatAt)}`
                        : w.degraded
                          ? 'degraded'
                          : 'live'}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
