import type { EdgeSnapper } from './edge.snapper';
import type { CleanWord, SegmentingJob, SpeechUnit } from './segmenting.types';

/** A window of units [first..last] with its snapped time range. */
export interface Window {
  first: number;
  last: number;
  start: number;
  end: number;
}

// A clip opening on one of these continues a sentence the viewer never heard.
const CONTINUATIONS = new Set([
  'and',
  'or',
  'nor',
  'but',
  'because',
  'which',
  'whereas',
  'whom',
  'whose',
  'than',
]);
// A sentence does not end on these: the clip would stop mid-phrase.
const DANGLING = new Set([
  'and',
  'or',
  'but',
  'because',
  'the',
  'a',
  'an',
  'of',
  'to',
  'with',
  'for',
  'my',
  'your',
  'our',
  'their',
]);

/**
 * Whether a unit may open / close a clip as a sentence boundary: never at a
 * forced split inside a run-on sentence, never on a connective or a dangling
 * article. Speech regions (no words) only have the forced-split rule.
 */
export function sentenceEdges(
  u: SpeechUnit,
  words: readonly CleanWord[],
): { canStart: boolean; canEnd: boolean } {
  let canStart = u.canStart && u.breakBefore !== 'forced';
  let canEnd = u.canEnd && u.breakAfter !== 'forced';
  if (u.firstWord >= 0) {
    canStart &&= !CONTINUATIONS.has(words[u.firstWord].norm);
    canEnd &&= !DANGLING.has(words[u.lastWord].norm);
  }
  return { canStart, canEnd };
}

/**
 * Every window that starts on a unit allowed to open a clip, ends on a unit
 * allowed to close one, has clean edges (see EdgeSnapper) and lasts between
 * the job's min and max. A window with no clean edge is dropped, never cut
 * mid-speech. The inner loop stops at the max length, so the work is
 * O(units × units-per-window).
 */
export function generateWindows(
  units: readonly SpeechUnit[],
  words: readonly CleanWord[],
  edges: EdgeSnapper,
  job: SegmentingJob,
): Window[] {
  const allowed = units.map((u) => sentenceEdges(u, words));
  const starts = units.map((u, i) => (allowed[i].canStart ? edges.startOf(u) : null));
  const ends = units.map((u, i) => (allowed[i].canEnd ? edges.endOf(u) : null));
  const out: Window[] = [];
  const eps = 1e-9;
  for (let i = 0; i < units.length; i++) {
    const s0 = starts[i];
    if (s0 === null) continue;
    for (let j = i; j < units.length; j++) {
      if (units[j].end - units[i].start > job.maxClipSeconds + eps) break;
      const e0 = ends[j];
      if (e0 === null || e0 <= s0) continue;
      let start: number | null = s0;
      let end: number | null = e0;
      // Give back room tone rather than lose a window that only the margins pushed over max.
      if (end - start > job.maxClipSeconds) end = edges.endOf(units[j], start + job.maxClipSeconds);
      if (end !== null && end - start > job.maxClipSeconds) {
        start = edges.startOf(units[i], end - job.maxClipSeconds);
      }
      if (start === null || end === null) continue;
      const len = end - start;
      if (len < job.minClipSeconds - eps || len > job.maxClipSeconds + eps) continue;
      out.push({ first: i, last: j, start, end });
    }
  }
  return out;
}
