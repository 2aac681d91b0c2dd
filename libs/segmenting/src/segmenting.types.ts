import type { LayoutResult, SilenceResult, TranscriptResult } from '@clipline/contracts';

export interface SegmentingJob {
  clipCount: number;
  minClipSeconds: number;
  maxClipSeconds: number;
}

export interface SegmentingInput {
  durationSec: number;
  transcript: TranscriptResult | null;
  silence: SilenceResult | null;
  /** Null for audio-only sources (layout skipped): visual features are then left out of the score. */
  layout: LayoutResult | null;
  /** Optional loudness per second of source, in dBFS (index i covers [i, i + 1)). */
  energy?: number[];
  job: SegmentingJob;
}

/** Relative weight of each feature in the 0..100 score. Missing inputs drop out and the rest are renormalised. */
export interface ScoreWeights {
  hook: number;
  completeness: number;
  speechDensity: number;
  /** Applied to (1 - silence ratio scaled), so less dead air scores higher. */
  silenceRatio: number;
  topicCohesion: number;
  energyVariation: number;
  faceRatio: number;
  /** Applied to a score that falls with each scene cut inside the clip. */
  sceneCuts: number;
}

/**
 * The documented weights. The hook and topic cohesion carry most of the score
 * because they decide whether a clip works on its own; the rest separate
 * otherwise similar windows.
 */
export const SCORE_WEIGHTS: Readonly<ScoreWeights> = Object.freeze({
  hook: 0.25,
  completeness: 0.15,
  speechDensity: 0.1,
  silenceRatio: 0.1,
  topicCohesion: 0.2,
  energyVariation: 0.05,
  faceRatio: 0.1,
  sceneCuts: 0.05,
});

export interface SegmentingOptions {
  weights: ScoreWeights;
  /** A gap between words at least this long ends a sentence in unpunctuated transcripts. */
  pauseSec: number;
  /** In punctuated transcripts only gaps this long end a sentence without punctuation. */
  longPauseSec: number;
  /** Sentences longer than this are split at their widest internal gap. */
  maxSentenceSec: number;
  /** How far a boundary may move into an adjacent silence. */
  snapPadSec: number;
  /** A silence counts as adjacent when it lies within this distance of the word. */
  snapNearSec: number;
  /** Below this mean word confidence the transcript is treated as unusable. */
  minMeanConfidence: number;
  /** Fewer words than this and the transcript is treated as unusable. */
  minWords: number;
  /** Sentences per TextTiling block on each side of a gap. */
  cohesionBlockSentences: number;
  /** Words per second that counts as fully dense speech. */
  denseWordsPerSec: number;
  /** Silence ratio at which the silence part of the score reaches 0. */
  maxSilenceRatio: number;
  /** Spread of per-second loudness (dB, standard deviation) that counts as fully lively. */
  livelyEnergyStdDb: number;
  /** Runners-up kept unselected; default min(5, ceil(clipCount / 2)). */
  runnerUpCount: number | null;
  /** A clip with more of its length in silence or non-speech (music) than this is never selected. */
  maxNonSpeechRatio: number;
  /** For that ratio, a pause counts as non-speech only beyond this length: shorter ones are part of talking. */
  naturalPauseSec: number;
  /** A clip scoring below this (0..100) is never selected, even when fewer clips result. */
  minScore: number;
  /** The first and last this-many seconds of a clip must be pause: no word, fully inside a silence region. */
  edgeQuietSec: number;
  /**
   * Where only the VAD vouches for an edge's pause (speech over music has no
   * room tone), the edge keeps this far from every word the recogniser heard,
   * those left out as heard in music included: over a bed the VAD and the
   * recogniser both put a voice's onset late (by 0.1-0.5 s on real speech).
   */
  edgeWordMarginSec: number;
  /** A clip never starts this close before a scene cut: the start moves to the cut. */
  sceneCutLeadSec: number;
  /** A clip never ends this soon after a scene cut: the end moves before the cut. */
  sceneCutTailSec: number;
}

export const DEFAULT_SEGMENTING_OPTIONS: Readonly<SegmentingOptions> = Object.freeze({
  weights: SCORE_WEIGHTS,
  pauseSec: 0.45,
  longPauseSec: 1.2,
  maxSentenceSec: 15,
  snapPadSec: 0.3,
  snapNearSec: 0.25,
  minMeanConfidence: 0.2,
  minWords: 5,
  cohesionBlockSentences: 3,
  denseWordsPerSec: 2.7,
  maxSilenceRatio: 0.4,
  livelyEnergyStdDb: 6,
  runnerUpCount: null,
  maxNonSpeechRatio: 0.15,
  naturalPauseSec: 1,
  minScore: 45,
  edgeQuietSec: 0.25,
  edgeWordMarginSec: 0.2,
  sceneCutLeadSec: 1.5,
  sceneCutTailSec: 1,
});

export type BoundaryKind = 'edge' | 'punct' | 'pause' | 'segment' | 'forced';

/** A sentence (or, without a transcript, a speech region): the atom candidates are built from. */
export interface SpeechUnit {
  /** First word start / last word end. */
  start: number;
  end: number;
  /** Inclusive word indices into the cleaned word list; -1 for speech regions. */
  firstWord: number;
  lastWord: number;
  /** Distance to the neighbouring unit; Infinity at the source edges. */
  gapBefore: number;
  gapAfter: number;
  breakBefore: BoundaryKind;
  breakAfter: BoundaryKind;
  terminal: '.' | '?' | '!' | null;
  canStart: boolean;
  canEnd: boolean;
}

export interface CleanWord {
  text: string;
  /** Lower-case, punctuation stripped. */
  norm: string;
  start: number;
  end: number;
  confidence: number;
}
