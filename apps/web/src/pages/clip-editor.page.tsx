import { useCallback, useEffect, useRef, useState } from 'react';
import type { ClipLook, ResolvedClipLook } from '@clipline/contracts';
import { api, ApiError, plainError, storedKey } from '../api.client';
import type { ClipDetail, TrimPreview } from '../api.types';
import { LayoutPicker, StylePicker, TitlePicker } from '../components/editor/look-picker';
import { TrimEditor } from '../components/editor/trim-editor';
import { WordsEditor, type WordFix } from '../components/editor/words-editor';
import { ProgressBar } from '../components/progress-bar';
import { href } from '../session';

const POLL_MS = 1500;
const PREVIEW_DEBOUNCE_MS = 400;

/** Only the fields the creator changed, so the job's default still reaches the rest. */
function lookDiff(from: ResolvedClipLook, to: ResolvedClipLook): ClipLook {
  const out: ClipLook = {};
  for (const g of ['captions', 'layout', 'title'] as const) {
    const a = from[g] as unknown as Record<string, unknown>;
    const b = to[g] as unknown as Record<string, unknown>;
    const changed = Object.fromEntries(Object.entries(b).filter(([k, v]) => a[k] !== v));
    if (Object.keys(changed).length) (out as Record<string, unknown>)[g] = changed;
  }
  return out;
}

/** A still of the look from the server; a 404 (no preview route yet) shows a placeholder. */
function usePreviewStill(jobId: string, clipId: string, look: ResolvedClipLook | null) {
  const [src, setSrc] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => {
    if (!look) return;
    let gone = false;
    const timer = setTimeout(async () => {
      try {
        const res = await fetch(`/v1/jobs/${jobId}/clips/${clipId}/preview`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${storedKey() ?? ''}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ look }),
        });
        if (gone) return;
        if (!res.ok) {
          setSrc(null);
          setNote(res.status === 404 ? 'No preview frame yet.' : `Preview failed (${res.status}).`);
          return;
        }
        const url = URL.createObjectURL(await res.blob());
        setSrc((old) => {
          if (old) URL.revokeObjectURL(old);
          return url;
        });
        setNote(null);
      } catch {
        if (!gone) setNote('Preview unavailable.');
      }
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      gone = true;
      clearTimeout(timer);
    };
  }, [jobId, clipId, look]);
  return { src, note };
}

/**
 * The clip editor: the current render with captions, the words, trim, look
 * and title, and "Render" for this clip alone. Every save carries the clip
 * version it was made on; a 409 means someone else edited, and reloads.
 */
export function ClipEditorPage({ jobId, clipId }: { jobId: string; clipId: string }) {
  const [clip, setClip] = useState<ClipDetail | null>(null);
  const [look, setLook] = useState<ResolvedClipLook | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [trim, setTrim] = useState<TrimPreview | null>(null);
  const base = useRef<ResolvedClipLook | null>(null);
  const path = `/v1/jobs/${jobId}/clips/${clipId}`;

  const load = useCallback(
    async (resetLook: boolean) => {
      try {
        const d = await api<ClipDetail>('GET', path);
        setClip(d);
        setError(null);
        if (resetLook || !base.current) {
          base.current = d.resolvedLook;
          setLook(d.resolvedLook);
        }
      } catch (err) {
        setError(plainError(err));
      }
    },
    [path],
  );

  useEffect(() => {
    void load(true);
  }, [load]);

  const rendering = !!clip?.next && clip.next.status !== 'failed';
  useEffect(() => {
    if (!rendering) return;
    const t = setInterval(() => void load(false), POLL_MS);
    return () => clearInterval(t);
  }, [rendering, load]);

  const still = usePreviewStill(jobId, clipId, look);

  /** Runs one change; a stale version reloads so the creator edits what is there now. */
  const act = async (what: string, fn: () => Promise<unknown>, resetLook = false) => {
    setBusy(true);
    setMessage(null);
    try {
      await fn();
      setMessage(what);
      await load(resetLook);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        setMessage(`${err.message}`);
        await load(true);
      } else setMessage(plainError(err));
    } finally {
      setBusy(false);
    }
  };

  if (error)
    return (
      <p role="alert" className="error">
        {error}
      </p>
    );
  if (!clip || !look) return <p className="muted">Loading the clip…</p>;

  const saveFixes = (fixes: WordFix[]) =>
    act(`Saved ${fixes.length} caption fix${fixes.length === 1 ? '' : 'es'}.`, async () => {
      let version = clip.version;
      for (const f of fixes) {
        const r = await api<{ clip: ClipDetail }>('POST', `${path}/corrections`, {
          ...f,
          version,
        });
        version = r.clip.version;
      }
    });
  const previewTrim = (r: { start: number; end: number }) =>
    act('', async () => setTrim(await api<TrimPreview>('POST', `${path}/trim-preview`, r)));
  const applyTrim = (r: { start: number; end: number }) =>
    act('Trim saved.', async () => {
      await api('PATCH', path, { ...r, version: clip.version });
      setTrim(null);
    });
  const changes = base.current ? lookDiff(base.current, look) : {};
  const saveLook = () =>
    act('Look saved.', () => api('PATCH', path, { look: changes, version: clip.version }), true);
  const render = () =>
    act(`Rendering version ${clip.version}…`, () => api('POST', `${path}/render`));

  const dl = clip.current?.downloads;
  return (
    <section aria-labelledby="editor-title" className="clip-editor">
      <p>
        <a href={href.clips(jobId)}>← All clips</a>
      </p>
      <h1 id="editor-title">
        Edit clip #{clip.rank} ({clip.aspect})
      </h1>
      <p className="muted" data-testid="clip-versions">
        Version {clip.version}
        {clip.renderedVersion !== null ? `, rendered: version ${clip.renderedVersion}` : ''}
        {clip.edited ? ' — edits waiting for a render' : ''}
      </p>
      {message && (
        <p role="status" className="notice-line">
          {message}
        </p>
      )}
      {clip.conflicts.length > 0 && (
        <div role="alert" className="error">
          <p>Words changed under some of your fixes after a re-run:</p>
          <ul>
            {clip.conflicts.map((c) => (
              <li key={c.id}>
                {c.start.toFixed(1)} s: you wrote “{c.text}” over “{c.originalText}”, now heard as “
                {c.currentText}”.
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="editor-layout">
        <div className="editor-preview">
          {dl?.video ? (
            <video
              controls
              playsInline
              preload="metadata"
              crossOrigin="anonymous"
              poster={dl.thumbnail ?? undefined}
              src={dl.video}
              aria-label={`Clip version ${clip.current?.version ?? ''}`}
              className={`player aspect-${clip.aspect.replace(':', 'x')}`}
            >
              {dl.vtt && (
                <track kind="captions" src={dl.vtt} srcLang="en" label="Captions" default />
              )}
            </video>
          ) : (
            <div className="player-placeholder">Not rendered yet.</div>
          )}
          {dl && (
            <p className="downloads">
              {dl.video && (
                <a className="button" href={dl.video} download data-testid="download-video">
                  Download version {clip.current?.version}
                </a>
              )}
              {dl.srt && (
                <a className="button secondary" href={dl.srt} download data-testid="download-srt">
                  Captions (SRT)
                </a>
              )}
            </p>
          )}
          <div className="render-box">
            <button
              type="button"
              onClick={() => void render()}
              disabled={busy || rendering}
              data-testid="render"
            >
              {rendering ? 'Rendering…' : `Render version ${clip.version}`}
            </button>
            {clip.next && (
              <div role="status" data-testid="render-state">
                {clip.next.status === 'failed' ? (
                  <p className="error">
                    Version {clip.next.version} failed: {clip.next.error}
                  </p>
                ) : (
                  <>
                    <p className="small">
                      Version {clip.next.version} {clip.next.status}…
                    </p>
                    <ProgressBar
                      value={clip.next.progress}
                      label={`Rendering version ${clip.next.version}`}
                    />
                  </>
                )}
              </div>
            )}
          </div>
          <figure className="still">
            {still.src ? (
              <img src={still.src} alt="Preview frame of the chosen look" />
            ) : (
              <div className="player-placeholder small">{still.note ?? 'Preview frame…'}</div>
            )}
            <figcaption className="muted small">Preview of the look</figcaption>
          </figure>
        </div>
        <div className="editor-controls">
          <WordsEditor words={clip.words} busy={busy} onSave={(f) => void saveFixes(f)} />
          <TrimEditor
            start={clip.start}
            end={clip.end}
            busy={busy}
            preview={trim}
            onPreview={(r) => void previewTrim(r)}
            onApply={(r) => void applyTrim(r)}
          />
          <StylePicker look={look} onChange={setLook} />
          <LayoutPicker look={look} onChange={setLook} choice={clip.layoutChoice} />
          <TitlePicker look={look} onChange={setLook} firstSentence={clip.firstSentence} />
          <button
            type="button"
            onClick={() => void saveLook()}
            disabled={busy || Object.keys(changes).length === 0}
          >
            Save look
          </button>
        </div>
      </div>
    </section>
  );
}
