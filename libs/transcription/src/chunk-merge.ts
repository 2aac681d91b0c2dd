import type { TranscriptSegment, TranscriptWord } from '@clipline/contracts';
import type { ChunkTranscript } from './transcription.types';

const mid = (w: { start: number; end: number }) => (w.start + w.end) / 2;
const overlaps = (a: TranscriptWord, b: TranscriptWord) =>
  Math.min(a.end, b.end) - Math.max(a.start, b.start) >
  0.3 * Math.min(a.end - a.start, b.end - b.start);

/**
 * Joins chunk transcripts (any order) into one timeline. Chunks may overlap
 * where a cut fell in speech: each word is kept from the chunk whose own part
 * holds the word's midpoint, unless the other chunk did not hear anything at
 * that time (then it is kept wherever it was heard), so a boundary word is
 * neither doubled nor lost; if both copies fall outside their own parts
 * the earlier chunk's copy wins. Outer edges of the first/last chunk are kept.
 */
export function mergeChunkResults(chunks: ChunkTranscript[]): {
  words: TranscriptWord[];
  segments: TranscriptSegment[];
} {
  const sorted = [...chunks].sort((a, b) => a.start - b.start);
  const words: TranscriptWord[] = [];
  const segments: TranscriptSegment[] = [];
  sorted.forEach((c, i) => {
    const lo = i === 0 ? -Infinity : c.start;
    const hi = i === sorted.length - 1 ? Infinity : c.end;
    const prev = sorted[i - 1];
    const next = sorted[i + 1];
    for (const w of c.words) {
      const m = mid(w);
      if (m >= lo && m < hi) {
        words.push(w);
        continue;
      }
      // Outside its own part: keep only if the neighbour owning that time missed it.
      // When both copies fall outside their own parts, the earlier chunk's copy wins.
      if (m < lo) {
        if (prev && !prev.words.some((o) => overlaps(o, w))) words.push(w);
      } else if (next && !next.words.some((o) => overlaps(o, w) && mid(o) >= next.start)) {
        words.push(w);
      }
    }
    for (const s of c.segments) {
      const m = mid(s);
      if (m >= lo && m < hi) segments.push(s);
    }
  });
  words.sort((a, b) => a.start - b.start || a.end - b.end);
  return { words: monotonic(words), segments: segments.sort((a, b) => a.start - b.start) };
}

/** Engines in different chunks can disagree by a frame at a boundary; never let words overlap. */
export function monotonic(words: TranscriptWord[]): TranscriptWord[] {
  const out: TranscriptWord[] = [];
  for (const w of words) {
    const prev = out[out.length - 1];
    const start = prev ? Math.max(w.start, prev.end) : Math.max(0, w.start);
    if (w.end <= start) continue;
    out.push({ ...w, start: round3(start), end: round3(w.end) });
  }
  return out;
}

export const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Sentences for engines without punctuation: a new segment starts at a pause
 * of at least `pauseSec`, or when a segment grows past `maxSec`.
 */
export function segmentsFromPauses(
  words: TranscriptWord[],
  pauseSec = 0.45,
  maxSec = 20,
): TranscriptSegment[] {
  const segs: TranscriptSegment[] = [];
  let cur: TranscriptWord[] = [];
  const flush = () => {
    if (!cur.length) return;
    segs.push({
      text: cur.map((w) => w.text).join(' '),
      start: cur[0].start,
      end: cur[cur.length - 1].end,
    });
    cur = [];
  };
  for (const w of words) {
    const last = cur[cur.length - 1];
    if (last && (w.start - last.end >= pauseSec || w.end - cur[0].start > maxSec)) flush();
    cur.push(w);
  }
  flush();
  return segs;
}
