import { subtitleClock, writeSrt, writeVtt, type TranscriptResult } from '@clipline/contracts';

/** SubRip of the transcript's segments (the one writer, shared with the clip sidecars). */
export function toSrt(result: TranscriptResult): string {
  return writeSrt(result.segments);
}

/** WebVTT of the transcript's segments (the one writer, shared with the clip sidecars). */
export function toVtt(result: TranscriptResult): string {
  return writeVtt(result.segments);
}

/** Plain text, one segment per line with its start time; the note when there is nothing. */
export function toTxt(result: TranscriptResult): string {
  if (!result.segments.length) return result.note ? `(${result.note})\n` : '';
  return (
    result.segments.map((s) => `[${subtitleClock(s.start).slice(0, 8)}] ${s.text}`).join('\n') +
    '\n'
  );
}
