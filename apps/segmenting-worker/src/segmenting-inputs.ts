import type {
  LayoutResult,
  SilenceResult,
  SilenceSummary,
  TranscriptResult,
} from '@clipline/contracts';
import {
  JobStageEntity,
  LayoutAnalysisEntity,
  SilenceRegionEntity,
  TranscriptEntity,
  transcriptResultOf,
} from '@clipline/database';
import type { DataSource } from 'typeorm';

/** Reads the three upstream results back from Postgres into the engine's input shapes. */
export async function loadSegmentingInputs(
  ds: DataSource,
  jobId: string,
): Promise<{
  transcript: TranscriptResult | null;
  silence: SilenceResult | null;
  layout: LayoutResult | null;
}> {
  const [t, regions, silenceStage, l] = await Promise.all([
    ds.getRepository(TranscriptEntity).findOneBy({ jobId }),
    ds.getRepository(SilenceRegionEntity).find({ where: { jobId }, order: { start: 'ASC' } }),
    ds.getRepository(JobStageEntity).findOneBy({ jobId, stage: 'silence' }),
    ds.getRepository(LayoutAnalysisEntity).findOneBy({ jobId }),
  ]);
  const transcript = t ? transcriptResultOf(t) : null;
  const silence: SilenceResult | null = silenceStage?.summary
    ? {
        regions: regions.map((r) => ({
          kind: r.kind,
          start: r.start,
          end: r.end,
          meanDb: r.meanDb,
        })),
        summary: silenceStage.summary as unknown as SilenceSummary,
      }
    : null;
  const layout: LayoutResult | null = l
    ? {
        sampleFps: l.sampleFps,
        frameCount: l.frameCount,
        scenes: l.scenes,
        sceneCuts: l.sceneCuts,
        faceTracks: l.faceTracks,
        cropPlans: l.cropPlans,
        note: l.note,
      }
    : null;
  return { transcript, silence, layout };
}
