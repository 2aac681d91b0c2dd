import type { Aspect, CropPlan, SilenceRegion, TranscriptWord } from '@clipline/contracts';
import {
  ClipEntity,
  ContentSegmentEntity,
  LayoutAnalysisEntity,
  SilenceRegionEntity,
  TranscriptEntity,
} from '@clipline/database';
import type { DataSource } from 'typeorm';
import { LessThan, MoreThan } from 'typeorm';

export interface RenderInputs {
  clip: ClipEntity;
  segment: ContentSegmentEntity;
  /** The whole-source (fast tier) words over the segment. */
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
  const [transcript, silences, layout] = await Promise.all([
    ds.getRepository(TranscriptEntity).findOneBy({ jobId: clip.jobId }),
    ds.getRepository(SilenceRegionEntity).find({
      where: { jobId: clip.jobId, start: LessThan(segment.end), end: MoreThan(segment.start) },
      order: { start: 'ASC' },
    }),
    ds.getRepository(LayoutAnalysisEntity).findOneBy({ jobId: clip.jobId }),
  ]);
  const words = (transcript?.words ?? []).filter(
    (w) => w.end > segment.start && w.start < segment.end,
  );
  return {
    clip,
    segment,
    words,
    transcript,
    silences: silences.map((s) => ({ kind: s.kind, start: s.start, end: s.end, meanDb: s.meanDb })),
    cropPlan: layout?.cropPlans.find((p) => p.aspect === (clip.aspect as Aspect)) ?? null,
    layout,
  };
}
