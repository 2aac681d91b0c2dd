import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, plainError } from '../api.client';
import type { ClipView, SegmentView, SegmentsView } from '../api.types';
import { formatBytes, formatClock, formatSeconds } from '../format';
import { ExportMenu } from './export-menu';

interface Loaded {
  clips: ClipView[];
  segments: SegmentsView;
}

const excerpt = (text: string, max = 280) =>
  text.length > max ? `${text.slice(0, max).replace(/\s+\S*$/, '')}…` : text;

/**
 * Rendered clips with their segment's score, reason and words; refetches
 * whenever `version` changes (a clip finished, a re-render started).
 */
export function ClipsPanel({
  jobId,
  version,
  showRunnersUp,
}: {
  jobId: string;
  version: number;
  showRunnersUp: boolean;
}) {
  const [data, setData] = useState<Loaded | null>(null);
  const [notReady, setNotReady] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [promoting, setPromoting] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [localVersion, setLocalVersion] = useState(0);

  const load = useCallback(async () => {
    try {
      const [c, s] = await Promise.all([
        api<{ clips: ClipView[] }>('GET', `/v1/jobs/${jobId}/clips`),
        api<SegmentsView>('GET', `/v1/jobs/${jobId}/segments`),
      ]);
      setData({ clips: c.clips, segments: s });
      setNotReady(null);
      setError(null);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        setNotReady('Clips appear here once the best moments have been picked.');
      } else {
        setError(plainError(err));
      }
    }
  }, [jobId]);

  useEffect(() => {
    void load();
  }, [load, version, localVersion]);

  const promote = async (seg: SegmentView) => {
    setPromoting(seg.id);
    setMessage(null);
    try {
      await api('POST', `/v1/jobs/${jobId}/segments/${seg.id}/promote`);
      setMessage(`Moment #${seg.rank} was added; its clip is rendering now.`);
      setLocalVersion((v) => v + 1);
    } catch (err) {
      setMessage(plainError(err));
    } finally {
      setPromoting(null);
    }
  };

  if (error)
    return (
      <p role="alert" className="error">
        {error}
      </p>
    );
  if (notReady) return <p className="muted">{notReady}</p>;
  if (!data) return <p className="muted">Loading clips…</p>;

  const segById = new Map(
    [...data.segments.selected, ...data.segments.runnersUp].map((s) => [s.id, s]),
  );

  return (
    <div>
      {message && (
        <p role="status" className="notice-line">
          {message}
        </p>
      )}
      {data.clips.length === 0 && <p className="muted">No clips yet.</p>}
      <ul className="gallery" aria-label="Clips">
        {data.clips.map((c) => {
          const seg = segById.get(c.segmentId);
          const title = `Clip #${c.rank ?? '?'} (${c.aspect})`;
          return (
            <li key={c.id} className="clip card" data-clip-status={c.status}>
              <h3>{title}</h3>
              {c.status === 'completed' && c.downloads?.video ? (
                <video
                  controls
                  playsInline
                  preload="metadata"
                  poster={c.downloads.thumbnail ?? undefined}
                  src={c.downloads.video}
                  aria-label={`${title} player`}
                  className={`player aspect-${c.aspect.replace(':', 'x')}`}
                />
              ) : (
                <div className="player-placeholder" role="status">
                  {c.status === 'failed'
                    ? `Rendering failed: ${c.error ?? 'no reason recorded'}`
                    : c.status === 'cancelled'
                      ? 'Cancelled.'
                      : c.status === 'rendering'
                        ? 'Rendering…'
                        : 'Waiting to render…'}
                </div>
              )}
              {seg && (
                <>
                  <p>
                    <span className="score" title="How strong this moment is; higher is better">
                      Score {seg.score.toFixed(1)}
                    </span>{' '}
                    <span className="muted small">
                      {formatClock(seg.start)}–{formatClock(seg.end)} ·{' '}
                      {formatSeconds(seg.durationSec)}
                    </span>
                  </p>
                  <p className="reason">{seg.reason}</p>
                  <blockquote className="excerpt">{excerpt(seg.text)}</blockquote>
                </>
              )}
              {c.status === 'completed' && c.downloads && (
                <p className="downloads">
                  {c.downloads.video && (
                    <a className="button" href={c.downloads.video} download>
                      Download MP4{c.sizeBytes ? ` (${formatBytes(c.sizeBytes)})` : ''}
                    </a>
                  )}
                  {c.downloads.srt && (
                    <a className="button secondary" href={c.downloads.srt} download>
                      Captions (SRT)
                    </a>
                  )}
                  {c.downloads.vtt && (
                    <a className="button secondary" href={c.downloads.vtt} download>
                      Captions (VTT)
                    </a>
                  )}
                </p>
              )}
              {c.status === 'completed' && <ExportMenu jobId={jobId} clipId={c.id} />}
              {c.status === 'completed' && c.captionEngine && (
                <p className="muted small" title={c.captionEngine.modelVersion}>
                  Captions by {c.captionEngine.engine}
                  {c.captionEngine.preset ? ` (${c.captionEngine.preset})` : ''}
                  {c.captionEngine.tier === 'fast' ? ', from the full transcript' : ''}
                </p>
              )}
            </li>
          );
        })}
      </ul>
      {showRunnersUp && data.segments.runnersUp.length > 0 && (
        <section aria-labelledby="runners-title" className="runners">
          <h2 id="runners-title">Runners-up</h2>
          <p className="muted">Moments that nearly made the cut. Promote one to render it too.</p>
          <ul className="plain runner-list">
            {data.segments.runnersUp.map((s) => (
              <li key={s.id} className="card runner">
                <p>
                  <strong>#{s.rank}</strong> · score {s.score.toFixed(1)} ·{' '}
                  <span className="muted">
                    {formatClock(s.start)}–{formatClock(s.end)}
                  </span>
                </p>
                <p className="reason">{s.reason}</p>
                <blockquote className="excerpt">{excerpt(s.text, 180)}</blockquote>
                <button
                  type="button"
                  onClick={() => void promote(s)}
                  disabled={promoting !== null}
                  aria-label={`Promote moment #${s.rank} and render it`}
                >
                  {promoting === s.id ? 'Promoting…' : 'Promote and render'}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
