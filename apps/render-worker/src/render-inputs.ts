import type {
  CaptionCorrection,
  ContentSegment,
  CropPlan,
  LayoutResult,
  SilenceRegion,
  StoredClip,
  TranscriptResult,
  TranscriptWord,
} from '@clipline/contracts';
import {
  clipOutputs,
  clipWindow,
  correctionsForClip,
  cropPlanFor,
  layoutOutputs,
  segmentsOutputs,
  silenceOutputs,
  transcriptOutputs,
  wordsOverlapping,
  type TimeWindow,
} from '@clipline/pipeline';
import type { DataSource } from 'typeorm';

export interface RenderInputs {
  clip: StoredClip;
  segment: ContentSegment;
  /** What this render cuts: the clip's own trimmed edges, or its segment's. */
  range: TimeWindow;
  /** The edit version this render shows (published with the objects). */
  version: number;
  /** The creator's caption fixes for this clip, applied over the recognised words. */
  corrections: CaptionCorrection[];
  /** The whole-source (fast tier) words over the clip. */
  words: TranscriptWord[];
  transcript: TranscriptResult | null;
  silences: SilenceRegion[];
  cropPlan: CropPlan | null;
  /** The layout stage's analysis (face tracks, scenes), for the look's layout. */
  layout: LayoutResult | null;
}

/** Everything one clip render needs, read from Postgres (the payload only points at the clip). */
export async function loadRenderInputs(
  ds: DataSource,
  clipId: string,
): Promise<RenderInputs | null> {
  const m = ds.manager;
  const clip = await clipOutputs.readOne(m, clipId);
  if (!clip) return null;
  const segment = await segmentsOutputs.readOne(m, clip.segmentId);
  if (!segment) return null;
  const range = clipWindow(clip, segment);
  const [transcript, silences, layout, corrections] = await Promise.all([
    transcriptOutputs.read(m, clip.jobId),
    silenceOutputs.readWindow(m, clip.jobId, range),
    layoutOutputs.read(m, clip.jobId),
    correctionsForClip(m, clip),
  ]);
  return {
    clip,
    segment,
    range,
    version: clip.version,
    corrections,
    words: wordsOverlapping(transcript?.words ?? [], range),
    transcript,
    silences,
    cropPlan: cropPlanFor(layout, clip.aspect),
    layout,
  };
}
