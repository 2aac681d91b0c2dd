import type {
  Aspect,
  CaptionCorrection,
  CropPlan,
  SilenceRegion,
  TranscriptWord,
} from '@clipline/contracts';
import {
  ClipEntity,
  ContentSegmentEntity,
  LayoutAnalysisEntity,
  SilenceRegionEntity,
  TranscriptEntity,
} from '@clipline/database';
import { correctionsForClip } from '@clipline/pipeline';
import type { DataSource } from 'typeorm';
import { LessThan, MoreThan } from 'typeorm';

export interface RenderInputs {
  clip: ClipEntity;
  segment: ContentSegmentEntity;
  /** What this render cuts: the clip's own trimmed edges, or its segment's. */
  range: { start: number; end: number };
  /** The edit version this render shows (published with the objects). */
  version: number;
  /** The creator's caption fixes for this clip, applied over the recognised words. */
  corrections: CaptionCorrection[];
  /** The whole-source (fast tier) words over the clip. */
  words: TranscriptWord[];
  transcript: TranscriptEntity | null;
  silences: SilenceRegion[];
  cropPlan: CropPlan | null;
  /** The layout stage's analysis (face tracks, scenes), for the look's layout. */
  layout: LayoutAnalysisEntity | null;
}

/** Everything one clip render needs, read from Postgres (the payload only points at the clip). */
export async function loadRenderInputs(
  ds: DataSource,
  clipId: string,
): Promise<RenderInputs | null> {
  const clip = await ds.getRepository(ClipEntity).findOneBy({ id: clipId });
  if (!clip) return null;
  const segment = await ds.getRepository(ContentSegmentEntity).findOneBy({ id: clip.segmentId });
  if (!segment) return null;
  const range = { start: clip.startSec ?? segment.start, end: clip.endSec ?? segment.end };
  const [transcript, silences, layout, corrections] = await Promise.all([
    ds.getRepository(TranscriptEntity).findOneBy({ jobId: clip.jobId }),
    ds.getRepository(SilenceRegionEntity).find({
      where: { jobId: clip.jobId, start: LessThan(range.end), end: MoreThan(range.start) },
      order: { start: 'ASC' },
    }),
    ds.getRepository(LayoutAnalysisEntity).findOneBy({ jobId: clip.jobId }),
    correctionsForClip(ds.manager, clip),
  ]);
  const words = (transcript?.words ?? []).filter((w) => w.end > range.start && w.start < range.end);
  return {
    clip,
    segment,
    range,
    version: clip.version,
    corrections,
    words,
    transcript,
    silences: silences.map((s) => ({ kind: s.kind, start: s.start, end: s.end, meanDb: s.meanDb })),
    cropPlan: layout?.cropPlans.find((p) => p.aspect === (clip.aspect as Aspect)) ?? null,
    layout,
  };
}
