import type { Aspect, CropPlan, LayoutResult } from '@clipline/contracts';
import { LayoutAnalysisEntity } from '@clipline/database';
import type { EntityManager } from 'typeorm';

/** The layout stage's output: one analysis row per job (none when the stage was skipped). */

export function layoutOf(row: LayoutAnalysisEntity): LayoutResult {
  const { sampleFps, frameCount, scenes, sceneCuts, faceTracks, cropPlans, note } = row;
  return { sampleFps, frameCount, scenes, sceneCuts, faceTracks, cropPlans, note };
}

/** The analysis' crop plan for one aspect, if it made one. */
export function cropPlanFor(layout: LayoutResult | null, aspect: Aspect): CropPlan | null {
  return layout?.cropPlans.find((p) => p.aspect === aspect) ?? null;
}

async function save(
  m: EntityManager,
  jobId: string,
  attempt: number,
  r: LayoutResult,
): Promise<void> {
  await clear(m, jobId);
  await m.insert(LayoutAnalysisEntity, {
    jobId,
    sampleFps: r.sampleFps,
    frameCount: r.frameCount,
    scenes: r.scenes,
    sceneCuts: r.sceneCuts,
    faceTracks: r.faceTracks,
    cropPlans: r.cropPlans,
    note: r.note,
    attempt,
  });
}

/** A skipped stage (audio-only input) leaves no analysis, not an older attempt's. */
async function clear(m: EntityManager, jobId: string): Promise<void> {
  await m.delete(LayoutAnalysisEntity, { jobId });
}

async function read(m: EntityManager, jobId: string): Promise<LayoutResult | null> {
  const row = await m.findOne(LayoutAnalysisEntity, { where: { jobId } });
  return row ? layoutOf(row) : null;
}

/** Ops' hand-edited crop plans; false when the job has no analysis to edit. */
async function replaceCropPlans(
  m: EntityManager,
  jobId: string,
  cropPlans: CropPlan[],
): Promise<boolean> {
  const res = await m.update(LayoutAnalysisEntity, { jobId }, { cropPlans });
  return !!res.affected;
}

async function copy(m: EntityManager, fromJobId: string, toJobId: string): Promise<void> {
  await m.query(
    `INSERT INTO layout_analyses (job_id, sample_fps, frame_count, scenes, scene_cuts, face_tracks, crop_plans, note, attempt)
       SELECT $2, sample_fps, frame_count, scenes, scene_cuts, face_tracks, crop_plans, note, 0
         FROM layout_analyses WHERE job_id = $1`,
    [fromJobId, toJobId],
  );
}

export const layoutOutputs = { save, clear, read, replaceCropPlans, copy };
