import type { TranscriptResult, TranscriptWord } from './transcript.types';

export type CorrectionScope = 'clip' | 'transcript';

/** One fix as the renderer and the API apply it: the words of [start, end] become `text`. */
export interface CaptionCorrection {
  start: number;
  end: number;
  text: string;
  /** Later fixes win where ranges overlap. */
  version: number;
}

/** A word as captions show it, marked when a creator's fix made it. */
export type CorrectedWord = TranscriptWord & { corrected?: boolean };

/** Longest replacement text; a caption range is a few words, not a paragraph. */
export const CORRECTION_MAX_CHARS = 500;

/** A word belongs to a range when its middle does, so a word the edge touches is not half-replaced. */
export function inRange(w: { start: number; end: number }, start: number, end: number): boolean {
  const mid = (w.start + w.end) / 2;
  return mid >= start && mid <= end;
}

export function wordsText(words: readonly { text: string }[]): string {
  return words
    .map((w) => w.text.trim())
    .filter(Boolean)
    .join(' ');
}

/**
 * Replaces the words of each correction's range with its text, keeping the
 * range's timing: with as many new words as old ones each takes its old
 * word's time (a fixed spelling keeps its karaoke highlight); otherwise the
 * span from the first old word's start to the last one's end is shared out
 * by length (a merge or split). Empty text deletes the words (fillers).
 * Pure: the render worker, the sidecars and the transcript endpoint all call it.
 */
export function applyCaptionCorrections(
  words: readonly TranscriptWord[],
  corrections: readonly CaptionCorrection[],
): CorrectedWord[] {
  let out: CorrectedWord[] = words.map((w) => ({ ...w }));
  const ordered = [...corrections].sort((a, b) => a.version - b.version);
  for (const c of ordered) {
    if (!(c.end >= c.start)) continue;
    const hit = out.filter((w) => inRange(w, c.start, c.end));
    const tokens = c.text.split(/\s+/).filter(Boolean);
    const replaced = replacement(hit, tokens, c);
    const keep = out.filter((w) => !inRange(w, c.start, c.end));
    out = [...keep, ...replaced].sort((a, b) => a.start - b.start || a.end - b.end);
  }
  return out;
}

function replacement(
  hit: readonly CorrectedWord[],
  tokens: readonly string[],
  c: CaptionCorrection,
): CorrectedWord[] {
  if (!tokens.length) return [];
  if (tokens.length === hit.length) {
    return hit.map((w, i) => ({ ...w, text: tokens[i], confidence: 1, corrected: true }));
  }
  // No words were heard there (a missed word): the fix takes the range it names.
  const from = hit.length ? hit[0].start : c.start;
  const to = hit.length ? Math.max(...hit.map((w) => w.end)) : c.end;
  const weights = tokens.map((t) => Math.max(1, t.length));
  const total = weights.reduce((a, b) => a + b, 0);
  let at = from;
  return tokens.map((text, i) => {
    const len = ((to - from) * weights[i]) / total;
    const w = { text, start: round3(at), end: round3(at + len), confidence: 1, corrected: true };
    at += len;
    return w;
  });
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * The words a clip's captions start from: the caption tier's words over its
 * segment, and the whole-source transcript's beyond it where a trim moved an
 * edge past the segment (the tier recognised only the segment).
 */
export function wordsOfClip(
  segmentWords: readonly TranscriptWord[],
  transcriptWords: readonly TranscriptWord[],
  segment: { start: number; end: number },
  clip: { start: number; end: number },
): TranscriptWord[] {
  const inClip = (w: TranscriptWord) => inRange(w, clip.start, clip.end);
  const inSegment = (w: TranscriptWord) => inRange(w, segment.start, segment.end);
  return [
    ...segmentWords.filter((w) => inClip(w) && inSegment(w)),
    ...transcriptWords.filter((w) => inClip(w) && !inSegment(w)),
  ].sort((a, b) => a.start - b.start);
}

/**
 * The transcript as the creator corrected it: fixed words, and the text of
 * each segment a fix touches rebuilt from them (untouched segments keep the
 * engine's text and punctuation), so JSON, SRT, VTT and TXT agree.
 */
export function correctTranscript(
  t: TranscriptResult,
  corrections: readonly CaptionCorrection[],
): TranscriptResult & { words: CorrectedWord[] } {
  if (!corrections.length) return { ...t, words: [...t.words] };
  const words = applyCaptionCorrections(t.words, corrections);
  const touched = (s: { start: number; end: number }) =>
    corrections.some((c) => c.start <= s.end && c.end >= s.start);
  const segments = t.segments.map((s) =>
    touched(s) ? { ...s, text: wordsText(words.filter((w) => inRange(w, s.start, s.end))) } : s,
  );
  const text = segments.length ? segments.map((s) => s.text).join(' ') : wordsText(words);
  return { ...t, words, segments, text };
}
