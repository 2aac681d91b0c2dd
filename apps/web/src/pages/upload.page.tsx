import { useEffect, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { ApiError, plainError } from '../api.client';
import { ASPECTS, DEFAULT_JOB_OPTIONS, type Aspect, type JobOptions } from '../api.types';
import { ProgressBar } from '../components/progress-bar';
import { formatBytes, formatSeconds } from '../format';
import {
  forgetUpload,
  MultipartUploader,
  pendingUploads,
  type UploadProgress,
} from '../multipart.uploader';
import { href } from '../session';

const DEFAULTS: JobOptions = { ...DEFAULT_JOB_OPTIONS, aspects: [...DEFAULT_JOB_OPTIONS.aspects] };

function optionProblems(o: JobOptions): string[] {
  const out: string[] = [];
  if (!Number.isInteger(o.clipCount) || o.clipCount < 1 || o.clipCount > 50)
    out.push('Number of clips must be a whole number from 1 to 50.');
  if (!Number.isInteger(o.minClipSeconds) || o.minClipSeconds < 5 || o.minClipSeconds > 300)
    out.push('Shortest clip must be 5 to 300 seconds.');
  if (!Number.isInteger(o.maxClipSeconds) || o.maxClipSeconds > 600)
    out.push('Longest clip must be at most 600 seconds.');
  if (o.maxClipSeconds < o.minClipSeconds)
    out.push('Longest clip must not be shorter than the shortest clip.');
  if (!o.aspects.length) out.push('Pick at least one aspect ratio.');
  if (!/^(auto|[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,6})?)$/.test(o.language))
    out.push('Language must be a code such as "en" or "pt-BR", or "auto".');
  return out;
}

function uploadMessage(err: unknown): string {
  if (err instanceof ApiError && err.status === 422 && /limit/i.test(err.message))
    return `The file is too large. ${err.message}`;
  if (err instanceof ApiError && err.status === 422)
    return `This file cannot be processed: ${err.message} Pick a video or audio file that plays.`;
  return plainError(err);
}

export function UploadPage() {
  const [file, setFile] = useState<File | null>(null);
  const [opts, setOpts] = useState<JobOptions>(DEFAULTS);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [pending, setPending] = useState(() => pendingUploads());
  const uploader = useRef<MultipartUploader | null>(null);
  const problems = optionProblems(opts);

  useEffect(() => () => uploader.current?.cancel(), []);

  const pick = (f: File | null | undefined) => {
    if (!f) return;
    setFile(f);
    setError(null);
    setProgress(null);
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    pick(e.dataTransfer.files[0]);
  };

  const start = async (e: FormEvent) => {
    e.preventDefault();
    if (!file || problems.length || busy) return;
    setBusy(true);
    setError(null);
    const u = new MultipartUploader(file, opts, setProgress, 4);
    uploader.current = u;
    try {
      const job = await u.run();
      location.hash = href.job(job.id);
    } catch (err) {
      // The error says what happened; a bar stuck at "checking the file" would contradict it.
      setProgress(null);
      setError(uploadMessage(err));
    } finally {
      setBusy(false);
      uploader.current = null;
      setPending(pendingUploads());
    }
  };

  const set = <K extends keyof JobOptions>(k: K, v: JobOptions[K]) =>
    setOpts((o) => ({ ...o, [k]: v }));
  const toggleAspect = (a: Aspect, on: boolean) =>
    set(
      'aspects',
      on
        ? ASPECTS.filter((x) => x === a || opts.aspects.includes(x))
        : opts.aspects.filter((x) => x !== a),
    );

  const pct = progress && progress.totalBytes ? progress.uploadedBytes / progress.totalBytes : 0;
  const remaining =
    progress && progress.bytesPerSecond > 0
      ? (progress.totalBytes - progress.uploadedBytes) / progress.bytesPerSecond
      : null;

  return (
    <section aria-labelledby="upload-title">
      <h1 id="upload-title">Upload a video or podcast</h1>
      {pending.length > 0 && !busy && (
        <div className="card notice" role="region" aria-label="Unfinished uploads">
          <h2>Unfinished uploads</h2>
          <p className="muted">Pick the same file again to continue where it stopped.</p>
          <ul className="plain">
            {pending.map((p) => (
              <li key={p.uploadId}>
                <strong>{p.name}</strong> ({formatBytes(p.size)}){' '}
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    forgetUpload(p);
                    setPending(pendingUploads());
                  }}
                >
                  Forget
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <form className="upload-grid" onSubmit={start} noValidate>
        <div
          className={`dropzone card${dragging ? ' dragging' : ''}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <p className="drop-hint" aria-hidden="true">
            Drop a file here
          </p>
          <label htmlFor="file-input">Or choose a file</label>
          <input
            id="file-input"
            type="file"
            accept="video/*,audio/*,.mkv,.mov,.mp4,.m4a,.mp3,.wav"
            onChange={(e) => pick(e.target.files?.[0])}
            disabled={busy}
          />
          {file && (
            <p className="filename" data-testid="chosen-file">
              {file.name} · {formatBytes(file.size)}
            </p>
          )}
        </div>

        <fieldset className="card options" disabled={busy}>
          <legend>Clip options</legend>
          <div className="row">
            <div className="field">
              <label htmlFor="opt-count">Number of clips</label>
              <input
                id="opt-count"
                type="number"
                min={1}
                max={50}
                value={opts.clipCount}
                onChange={(e) => set('clipCount', e.target.valueAsNumber)}
              />
            </div>
            <div className="field">
              <label htmlFor="opt-min">Shortest clip (s)</label>
              <input
                id="opt-min"
                type="number"
                min={5}
                max={300}
                value={opts.minClipSeconds}
                onChange={(e) => set('minClipSeconds', e.target.valueAsNumber)}
              />
            </div>
            <div className="field">
              <label htmlFor="opt-max">Longest clip (s)</label>
              <input
                id="opt-max"
                type="number"
                min={5}
                max={600}
                value={opts.maxClipSeconds}
                onChange={(e) => set('maxClipSeconds', e.target.valueAsNumber)}
              />
            </div>
          </div>
          <fieldset className="inline">
            <legend>Aspect ratios</legend>
            {ASPECTS.map((a) => (
              <label key={a} className="check">
                <input
                  type="checkbox"
                  checked={opts.aspects.includes(a)}
                  onChange={(e) => toggleAspect(a, e.target.checked)}
                />
                {a}
              </label>
            ))}
          </fieldset>
          <label className="check">
            <input
              type="checkbox"
              checked={opts.captions}
              onChange={(e) => set('captions', e.target.checked)}
            />
            Burn in captions
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={opts.removeSilence}
              onChange={(e) => set('removeSilence', e.target.checked)}
            />
            Cut out silences
          </label>
          <div className="field short">
            <label htmlFor="opt-lang">Language</label>
            <input
              id="opt-lang"
              type="text"
              value={opts.language}
              onChange={(e) => set('language', e.target.value.trim())}
            />
          </div>
          {problems.length > 0 && (
            <ul className="error" role="alert">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
        </fieldset>

        <div className="card actions">
          <button type="submit" disabled={!file || busy || problems.length > 0}>
            {busy ? 'Uploading…' : 'Upload and create clips'}
          </button>
          {busy && (
            <button type="button" className="secondary" onClick={() => uploader.current?.cancel()}>
              Stop
            </button>
          )}
          {progress && (
            <div className="upload-progress" aria-live="polite">
              <ProgressBar
                value={pct}
                label="Upload progress"
                tone={progress.phase === 'done' ? 'done' : 'normal'}
              />
              <p data-testid="upload-status">
                {progress.phase === 'completing'
                  ? 'Upload finished; checking the file…'
                  : `${Math.round(pct * 100)}% · ${formatBytes(progress.uploadedBytes)} of ${formatBytes(progress.totalBytes)} · ${formatBytes(progress.bytesPerSecond)}/s${remaining !== null ? ` · about ${formatSeconds(remaining)} left` : ''}`}
                {progress.partCount > 0 && ` · part ${progress.partsDone}/${progress.partCount}`}
              </p>
              {progress.resumedBytes > 0 && (
                <p className="muted">
                  Resumed: {formatBytes(progress.resumedBytes)} were already stored.
                </p>
              )}
              {progress.note && <p className="muted">{progress.note}</p>}
            </div>
          )}
          {error && (
            <p role="alert" className="error" data-testid="upload-error">
              {error}
            </p>
          )}
        </div>
      </form>
    </section>
  );
}
