import type { StageView } from '../api.types';
import { formatTime } from '../format';
import { STAGE_LABELS, stageSentence } from '../stage-words';
import { ProgressBar } from './progress-bar';

const TONE = {
  completed: 'done',
  skipped: 'done',
  failed: 'failed',
  cancelled: 'idle',
  pending: 'idle',
  queued: 'idle',
  running: 'normal',
} as const;

export function StageTimeline({ stages }: { stages: StageView[] }) {
  return (
    <ol className="timeline" aria-label="Processing steps">
      {stages.map((s) => {
        const value = s.status === 'completed' || s.status === 'skipped' ? 1 : s.progress;
        return (
          <li
            key={s.stage}
            className={`stage stage-${s.status}`}
            data-stage={s.stage}
            data-status={s.status}
          >
            <div className="stage-head">
              <span className={`badge badge-${s.status}`}>{s.status}</span>
              <h3>{STAGE_LABELS[s.stage]}</h3>
              {s.attempt > 0 && <span className="muted small">attempt {s.attempt}</span>}
            </div>
            <ProgressBar
              value={value}
              label={`${STAGE_LABELS[s.stage]} progress`}
              tone={TONE[s.status]}
            />
            <p className={s.status === 'failed' ? 'error' : 'muted'}>{stageSentence(s)}</p>
            {typeof s.summary?.reusedFromJobId === 'string' ? (
              <p className="muted small" data-testid="stage-reused">
                Reused from an earlier job with the same file
              </p>
            ) : (
              s.finishedAt &&
              s.status !== 'running' && (
                <p className="muted small">Finished {formatTime(s.finishedAt)}</p>
              )
            )}
          </li>
        );
      })}
    </ol>
  );
}
