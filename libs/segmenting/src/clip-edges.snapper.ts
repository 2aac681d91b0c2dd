import type { TranscriptWord } from '@clipline/contracts';
import { EdgeSnapper } from './edge.snapper';
import { cleanWords } from './sentence.builder';
import {
  DEFAULT_SEGMENTING_OPTIONS,
  type CleanWord,
  type SegmentingOptions,
  type SpeechUnit,
} from './segmenting.types';
import { IntervalCoverage, type Interval } from './timeline.index';

export interface ClipEdgesInput {
  words: readonly TranscriptWord[];
  /** Silence and non-speech regions: where an edge may rest. */
  pauses: readonly Interval[];
  /**
   * Loudness silence alone (no voice can hide there, music bed or not);
   * default: the pauses, as selection does without a silence result.
   */
  roomTone?: readonly Interval[];
  sceneCuts?: ArrayLike<number>;
  sampleFps?: number;
  durationSec: number;
  /** The edges the creator asked for, source seconds. */
  start: number;
  end: number;
}

export interface SnappedEdges {
  start: number;
  end: number;
  /** How each edge was placed: in a pause by the selection rules, or between two words. */
  startRule: EdgeRule;
  endRule: EdgeRule;
}

export type EdgeRule = 'pause' | 'word-gap' | 'no-words';

/**
 * Snaps a hand-moved clip edge with selection's own rules (EdgeSnapper): a
 * word is in the clip when more than half of it is, and the edge then rests
 * in the pause before (or after) it with room tone, away from scene cuts.
 * Where no clean pause exists the edge sits between the two words, so it is
 * never inside a word.
 */
export function snapClipEdges(
  input: ClipEdgesInput,
  options: Partial<SegmentingOptions> = {},
): SnappedEdges {
  const opts = { ...DEFAULT_SEGMENTING_OPTIONS, ...options };
  const words = cleanWords(input.words);
  const dur = input.durationSec;
  // Every recognised word is evidence of speech for the edge rules, as in selection.
  const recognised = input.words
    .filter((w) => Number.isFinite(w.start) && Number.isFinite(w.end))
    .sort((a, b) => a.start - b.start);
  const snapper = new EdgeSnapper(
    {
      pauses: new IntervalCoverage(input.pauses),
      roomTone: new IntervalCoverage(input.roomTone ?? input.pauses),
      words: recognised,
    },
    input.sceneCuts ?? [],
    input.sampleFps ?? 0,
    dur,
    opts,
  );
  const first = words.findIndex((w) => (w.start + w.end) / 2 >= input.start);
  let last = -1;
  for (let i = words.length - 1; i >= 0; i--) {
    if ((words[i].start + words[i].end) / 2 <= input.end) {
      last = i;
      break;
    }
  }
  if (first < 0 || last < first) {
    return {
      start: clamp(input.start, 0, dur),
      end: clamp(input.end, 0, dur),
      startRule: 'no-words',
      endRule: 'no-words',
    };
  }
  const u0 = unitOf(words, first);
  const u1 = unitOf(words, last);
  // Fillers are left out of the cleaned words, but an edge must not cut one either.
  const raw = input.words.filter((w) => Number.isFinite(w.start) && Number.isFinite(w.end));
  const prevEnd = Math.max(
    0,
    ...raw.filter((w) => w.end <= u0.start + 1e-9 && w.start < u0.start).map((w) => w.end),
  );
  const nextStart = Math.min(
    dur,
    ...raw.filter((w) => w.start >= u1.end - 1e-9 && w.end > u1.end).map((w) => w.start),
  );
  const pausedStart = snapper.startOf(u0);
  const pausedEnd = snapper.endOf(u1);
  const start = pausedStart ?? Math.max(prevEnd, u0.start - opts.snapPadSec, 0);
  const end = pausedEnd ?? Math.min(nextStart, u1.end + opts.snapPadSec, dur);
  return {
    start: round3(start),
    end: round3(end),
    startRule: pausedStart === null ? 'word-gap' : 'pause',
    endRule: pausedEnd === null ? 'word-gap' : 'pause',
  };
}

/** One word as a unit, which is all EdgeSnapper reads of a sentence at an edge. */
function unitOf(words: readonly CleanWord[], i: number): SpeechUnit {
  const w = words[i];
  return {
    start: w.start,
    end: w.end,
    firstWord: i,
    lastWord: i,
    gapBefore: i > 0 ? w.start - words[i - 1].end : Number.POSITIVE_INFINITY,
    gapAfter: i < words.length - 1 ? words[i + 1].start - w.end : Number.POSITIVE_INFINITY,
    breakBefore: 'pause',
    breakAfter: 'pause',
    terminal: null,
    canStart: true,
    canEnd: true,
  };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
