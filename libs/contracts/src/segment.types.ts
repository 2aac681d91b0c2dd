import type { TranscriptWord } from './transcript.types';

export interface SegmentFeatures {
  hook: number;
  completeness: number;
  speechDensity: number;
  silenceRatio: number;
  topicCohesion: number;
  energyVariation: number;
  faceRatio: number;
  sceneCuts: number;
}

export interface SegmentCandidate {
  start: number;
  end: number;
  /** 0..100 */
  score: number;
  features: SegmentFeatures;
  /** Plain language, e.g. "opens with a question; one topic; 2% silence". */
  reason: string;
  text: string;
  selected: boolean;
  /** 1-based among selected; runners-up continue after the selected ones. */
  rank: number;
}

/** Fewer clips than asked for: the rest did not pass the quality floor. */
export interface SegmentShortfall {
  requested: number;
  selected: number;
  /** e.g. "the other candidates are over 15% music or silence". */
  reason: string;
}

export interface SegmentingResult {
  segments: SegmentCandidate[];
  /** Why there are no segments, or which fallback was used. */
  note: string | null;
  /** Set when fewer clips were selected than requested; absent or null otherwise. */
  shortfall?: SegmentShortfall | null;
}

/** Which recogniser made a set of caption words, and what that cost. */
export interface CaptionEngineInfo {
  /** `caption`: re-recognised for the clip; `fast`: the whole-source transcript's words. */
  tier: 'caption' | 'fast';
  engine: string;
  model: string;
  modelVersion: string;
  /** pocketsphinx search preset (`fast`/`accurate`); null for other engines. */
  preset: string | null;
  /** The window recognised (with its margin trimmed), source seconds; null for the fast tier. */
  windowStart?: number | null;
  windowEnd?: number | null;
  elapsedMs?: number | null;
  /** Why the caption tier was not used, when it was not. */
  note?: string | null;
}

/** A segment as segmenting stored it, with the caption tier's words once a render made them. */
export interface ContentSegment extends SegmentCandidate {
  id: string;
  jobId: string;
  /** The caption tier's words over the segment (source time); null until a clip recognised them. */
  captionWords: TranscriptWord[] | null;
  captionEngine: CaptionEngineInfo | null;
}
