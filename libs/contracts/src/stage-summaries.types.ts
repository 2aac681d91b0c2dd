import type { StageName } from './stage-graph';
import type { SilenceSummary } from './silence.types';

/*
 * What each stage stores in `job_stages.summary`, the JSON the API shows in
 * every stage view. Declared as type aliases (not interfaces) so each one is
 * also a plain JSON object (`Record<string, unknown>`) to the views and the
 * column that hold any stage's summary.
 */

/** Set on a stage whose outputs analysis reuse copied from an earlier job. */
type Reused = { reusedFromJobId?: string };

/** Written by the API when it creates the job. */
export type ProbeSummary = {
  durationSec: number;
  hasVideo: boolean;
  hasAudio: boolean;
};

export type TranscriptionSummary = Reused & {
  words: number;
  segments: number;
  language: string;
  engine: string;
  note: string | null;
};

/**
 * The silence engine's own summary and the number of stored regions.
 * Segmenting reads it back as the engine's `SilenceSummary`.
 */
export type SilenceStageSummary = Reused & SilenceSummary & { regions: number };

/** Why a stage was skipped (layout on audio-only input, rendering with no selected segment). */
export type SkippedSummary = Reused & { reason: string };

export type LayoutSummary =
  | (Reused & { scenes: number; faceTracks: number; frames: number; note: string | null })
  | SkippedSummary;

export type SegmentingSummary = Reused & {
  candidates: number;
  selected: number;
  requested: number;
  shortfallReason: string | null;
  note: string | null;
};

/** The rendering row is the clips' aggregate. */
export type RenderingSummary =
  { clips: number; completed: number; failed: number } | SkippedSummary;

export type StageSummaries = {
  probe: ProbeSummary;
  transcription: TranscriptionSummary;
  silence: SilenceStageSummary;
  layout: LayoutSummary;
  segmenting: SegmentingSummary;
  rendering: RenderingSummary;
};

/** Any stage's summary; `StageSummaries[stage]` when the stage is known. */
export type StageSummary = StageSummaries[StageName];

/** The reason of a skipped stage's summary, if it is one. */
export function skipReason(summary: Record<string, unknown> | null | undefined): string | null {
  return typeof summary?.reason === 'string' ? summary.reason : null;
}
