import { useState } from 'react';
import { ApiError, storedKey } from '../api.client';

const FORMATS = [
  { id: 'fcpxml', label: 'Final Cut Pro / DaVinci Resolve (FCPXML)' },
  { id: 'xmeml', label: 'Premiere Pro (XML)' },
  { id: 'edl', label: 'EDL (CMX 3600, cuts only)' },
  { id: 'otio', label: 'OpenTimelineIO' },
] as const;

/** The name the server chose (already sanitised there); a fallback if the header is missing. */
function fileNameOf(res: Response, fallback: string): string {
  const m = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '');
  return m ? m[1] : fallback;
}

/**
 * Export downloads need the API key, which a plain link cannot send, so the
 * file is fetched with it and handed to the browser as a blob.
 */
async function download(path: string, fallback: string): Promise<void> {
  const key = storedKey();
  const res = await fetch(path, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { message?: unknown };
    const message = typeof body.message === 'string' ? body.message : `${res.status}`;
    throw new ApiError(res.status, message);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = fileNameOf(res, fallback);
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A format menu that downloads the edit (cuts, jump cuts, keyframed reframe)
 * of one clip, or of every rendered clip of the job when no clip is given.
 */
export function ExportMenu({ jobId, clipId }: { jobId: string; clipId?: string }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const base = clipId ? `/v1/jobs/${jobId}/clips/${clipId}/export` : `/v1/jobs/${jobId}/export`;
  const formats = clipId
    ? [...FORMATS, { id: 'srt', label: 'Captions on the edit timeline (SRT)' } as const]
    : FORMATS;
  const run = async (format: string) => {
    setBusy(format);
    setError(null);
    try {
      await download(`${base}?format=${format}`, `clipline-export.${format}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  };
  return (
    <details className="export-menu">
      <summary>{clipId ? 'Export edit' : 'Export all clips to an editor'}</summary>
      <ul className="plain" aria-label={clipId ? 'Export formats' : 'Job export formats'}>
        {formats.map((f) => (
          <li key={f.id}>
            <button
              type="button"
              className="link"
              disabled={busy !== null}
              onClick={() => void run(f.id)}
            >
              {busy === f.id ? 'Preparing…' : f.label}
            </button>
          </li>
        ))}
      </ul>
      {error && (
        <p role="alert" className="error small">
          {error}
        </p>
      )}
    </details>
  );
}
