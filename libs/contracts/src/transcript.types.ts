export interface TranscriptWord {
  text: string;
  /** Seconds from the start of the source. */
  start: number;
  end: number;
  /** 0..1 */
  confidence: number;
}

export interface TranscriptSegment {
  text: string;
  start: number;
  end: number;
}

export interface TranscriptResult {
  engine: string;
  model: string;
  /** e.g. "pocketsphinx 5prealpha en-us" — what produced these words. */
  modelVersion: string;
  language: string;
  text: string;
  words: TranscriptWord[];
  segments: TranscriptSegment[];
  /** Set when the result is empty on purpose, e.g. "no audio track". */
  note: string | null;
}
