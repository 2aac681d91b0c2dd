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
