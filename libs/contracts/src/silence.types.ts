export type SilenceKind = 'silence' | 'non_speech';

export interface SilenceRegion {
  kind: SilenceKind;
  start: number;
  end: number;
  /** Mean level over the region in dBFS (-Infinity is stored as -120). */
  meanDb: number;
}

// A type alias, not an interface: it is also the silence stage's stored JSON summary.
export type SilenceSummary = {
  durationSec: number;
  speechRatio: number;
  totalSilenceSec: number;
  totalNonSpeechSec: number;
  /** Threshold actually used, in dBFS. */
  thresholdDb: number;
  note: string | null;
};

export interface SilenceResult {
  regions: SilenceRegion[];
  summary: SilenceSummary;
}
