import type { TranscriptSegment, TranscriptWord } from '@clipline/contracts';
import type { BoundaryKind, CleanWord, SegmentingOptions, SpeechUnit } from './segmenting.types';

const TERMINAL = /([.?!…])["'”’)\]]*$/;
// Recogniser artefacts that are not words: <s>, <sil>, [NOISE], ++BREATH++.
const FILLER = /^(<[^>]*>|\[[^\]]*\]|\+\+.*\+\+)$/;
// A forced split needs at least this much air to count as a usable clip boundary.
const MIN_BOUNDARY_GAP = 0.15;

/** Drops recogniser artefacts and broken timings, and orders words by time. */
export function cleanWords(words: readonly TranscriptWord[]): CleanWord[] {
  const out: Array<CleanWord & { i: number }> = [];
  words.forEach((w, i) => {
    if (!w || typeof w.text !== 'string') return;
    if (!Number.isFinite(w.start) || !Number.isFinite(w.end) || w.end < w.start) return;
    // pocketsphinx marks alternative pronunciations as "word(2)".
    const text = w.text.trim().replace(/\(\d+\)$/, '');
    if (!text || FILLER.test(text)) return;
    const norm = text
      .toLowerCase()
      .replace(/[’]/g, "'")
      .replace(/[^\p{L}\p{N}']+/gu, '')
      .replace(/^'+|'+$/g, '');
    if (!norm) return;
    const confidence = Number.isFinite(w.confidence) ? Math.min(1, Math.max(0, w.confidence)) : 0;
    out.push({ text, norm, start: w.start, end: w.end, confidence, i });
  });
  out.sort((a, b) => a.start - b.start || a.i - b.i);
  return out.map(({ text, norm, start, end, confidence }) => ({
    text,
    norm,
    start,
    end,
    confidence,
  }));
}

export function terminalOf(text: string): SpeechUnit['terminal'] {
  const m = TERMINAL.exec(text);
  if (!m) return null;
  return m[1] === '?' ? '?' : m[1] === '!' ? '!' : '.';
}

/** Whether the transcript carries sentence punctuation at all (pocketsphinx does not). */
export function isPunctuated(words: readonly CleanWord[]): boolean {
  let n = 0;
  for (const w of words) if (terminalOf(w.text)) n++;
  return n > 0 && n >= words.length / 80;
}

/**
 * Sentences from words. Punctuated transcripts split on terminal punctuation and
 * long pauses; unpunctuated ones on pauses and on the recogniser's own utterance
 * boundaries (its segments), which it places at silences. Over-long sentences are
 * split at their widest gap so that a run-on monologue still yields candidates.
 */
export function buildSentences(
  words: readonly CleanWord[],
  segments: readonly TranscriptSegment[],
  opts: SegmentingOptions,
): SpeechUnit[] {
  if (words.length === 0) return [];
  const punctuated = isPunctuated(words);
  const pause = punctuated ? opts.longPauseSec : opts.pauseSec;
  const segEnds = punctuated
    ? []
    : segments
        .map((s) => s.end)
        .filter(Number.isFinite)
        .sort((a, b) => a - b);
  let segPtr = 0;

  const spans: Array<{ first: number; last: number; after: BoundaryKind }> = [];
  let first = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const next = words[i + 1];
    if (!next) {
      spans.push({ first, last: i, after: 'edge' });
      break;
    }
    const gap = next.start - w.end;
    while (segPtr < segEnds.length && segEnds[segPtr] < w.end - 0.05) segPtr++;
    const segBreak = segPtr < segEnds.length && segEnds[segPtr] <= next.start + 0.05;
    let after: BoundaryKind | null = null;
    if (punctuated && terminalOf(w.text)) after = 'punct';
    else if (gap >= pause) after = 'pause';
    else if (segBreak) after = 'segment';
    if (after) {
      spans.push({ first, last: i, after });
      first = i + 1;
    }
  }

  const split: typeof spans = [];
  for (const s of spans) splitLong(words, s, opts.maxSentenceSec, split);

  return split.map((s, k) => {
    const prev = split[k - 1];
    const next = split[k + 1];
    const start = words[s.first].start;
    const end = words[s.last].end;
    const gapBefore = prev ? Math.max(0, start - words[prev.last].end) : Infinity;
    const gapAfter = next ? Math.max(0, words[next.first].start - end) : Infinity;
    const breakBefore: BoundaryKind = prev ? prev.after : 'edge';
    return {
      start,
      end,
      firstWord: s.first,
      lastWord: s.last,
      gapBefore,
      gapAfter,
      breakBefore,
      breakAfter: s.after,
      terminal: punctuated ? terminalOf(words[s.last].text) : null,
      canStart: breakBefore !== 'forced' || gapBefore >= MIN_BOUNDARY_GAP,
      canEnd: s.after !== 'forced' || gapAfter >= MIN_BOUNDARY_GAP,
    };
  });
}

function splitLong(
  words: readonly CleanWord[],
  span: { first: number; last: number; after: BoundaryKind },
  maxSec: number,
  out: Array<{ first: number; last: number; after: BoundaryKind }>,
): void {
  // Iterative to keep the stack flat on pathological single-sentence transcripts.
  const stack = [span];
  const done: typeof out = [];
  while (stack.length) {
    const s = stack.pop()!;
    if (s.last <= s.first || words[s.last].end - words[s.first].start <= maxSec) {
      done.push(s);
      continue;
    }
    const mid = (words[s.first].start + words[s.last].end) / 2;
    let best = s.first;
    let bestGap = -Infinity;
    let bestDist = Infinity;
    for (let i = s.first; i < s.last; i++) {
      const gap = words[i + 1].start - words[i].end;
      const dist = Math.abs(words[i].end - mid);
      if (gap > bestGap + 1e-9 || (Math.abs(gap - bestGap) <= 1e-9 && dist < bestDist)) {
        best = i;
        bestGap = gap;
        bestDist = dist;
      }
    }
    // Pushed right half first so the left half is processed first.
    stack.push({ first: best + 1, last: s.last, after: s.after });
    stack.push({ first: s.first, last: best, after: 'forced' });
  }
  out.push(...done);
}
