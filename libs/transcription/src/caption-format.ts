import type { TranscriptResult } from '@clipline/contracts';

function clock(sec: number, sep: ',' | '.'): string {
  const ms = Math.max(0, Math.round(sec * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${sep}${pad(ms % 1000, 3)}`;
}

/** SubRip: numbered cues, "HH:MM:SS,mmm --> HH:MM:SS,mmm". */
export function toSrt(result: TranscriptResult): string {
  return result.segments
    .map((s, i) => `${i + 1}\n${clock(s.start, ',')} --> ${clock(s.end, ',')}\n${s.text}\n`)
    .join('\n');
}

/** WebVTT: header, then "HH:MM:SS.mmm --> HH:MM:SS.mmm" cues. */
export function toVtt(result: TranscriptResult): string {
  const cues = result.segments.map(
    (s) => `${clock(s.start, '.')} --> ${clock(s.end, '.')}\n${s.text.replace(/-->/g, '->')}\n`,
  );
  return ['WEBVTT\n', ...cues].join('\n');
}

/** Plain text, one segment per line with its start time; the note when there is nothing. */
export function toTxt(result: TranscriptResult): string {
  if (!result.segments.length) return result.note ? `(${result.note})\n` : '';
  return (
    result.segments.map((s) => `[${clock(s.start, '.').slice(0, 8)}] ${s.text}`).join('\n') + '\n'
  );
}
