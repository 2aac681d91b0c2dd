import { useEffect, useState } from 'react';
import type { TrimPreview } from '../../api.types';

/**
 * Numeric in and out points; "Check" asks the server where they snap (never
 * inside a word) and which words the clip gains or loses, before anything
 * is saved or rendered.
 */
export function TrimEditor({
  start,
  end,
  busy,
  preview,
  onPreview,
  onApply,
}: {
  start: number;
  end: number;
  busy: boolean;
  preview: TrimPreview | null;
  onPreview: (r: { start: number; end: number }) => void;
  onApply: (r: { start: number; end: number }) => void;
}) {
  const [s, setS] = useState(start.toFixed(2));
  const [e, setE] = useState(end.toFixed(2));
  useEffect(() => {
    setS(start.toFixed(2));
    setE(end.toFixed(2));
  }, [start, end]);
  const range = { start: Number(s), end: Number(e) };
  return (
    <fieldset className="editor-group">
      <legend>Trim</legend>
      <div className="editor-row">
        <label>
          Start (s)
          <input
            type="number"
            name="trimStart"
            step={0.1}
            min={0}
            value={s}
            onChange={(ev) => setS(ev.target.value)}
          />
        </label>
        <label>
          End (s)
          <input
            type="number"
            name="trimEnd"
            step={0.1}
            min={0}
            value={e}
            onChange={(ev) => setE(ev.target.value)}
          />
        </label>
      </div>
      <div className="editor-row">
        <button
          type="button"
          className="secondary"
          disabled={busy}
          onClick={() => onPreview(range)}
        >
          Check trim
        </button>
        <button
          type="button"
          disabled={busy || !preview}
          onClick={() => preview && onApply(preview.requested)}
        >
          Apply trim
        </button>
      </div>
      {preview && (
        <div role="status" className="trim-preview" data-testid="trim-preview">
          <p>
            Snaps to {preview.snapped.start.toFixed(2)}–{preview.snapped.end.toFixed(2)} s (
            {preview.snapped.durationSec.toFixed(1)} s).
          </p>
          {preview.gained.length > 0 && (
            <p>
              Gains: <span className="gained">{preview.gained.map((w) => w.text).join(' ')}</span>
            </p>
          )}
          {preview.lost.length > 0 && (
            <p>
              Loses: <span className="lost">{preview.lost.map((w) => w.text).join(' ')}</span>
            </p>
          )}
        </div>
      )}
    </fieldset>
  );
}
