import type { RenderJobPayload } from '@clipline/contracts';
import { ClipEntity } from '@clipline/database';
import type { Runnable, StageRows } from '@clipline/pipeline';
import type { EntityManager } from 'typeorm';
import { completeParallelStages } from './job.factory';
import { fanOutClips } from './segment.factory';

export type ClipRunnable = Extract<Runnable, { kind: 'clip' }>;

/** The Bull message the scheduler sends for a queued clip. */
export const renderPayload = (
  c: Pick<ClipRunnable, 'jobId' | 'clipId' | 'segmentId' | 'aspect'>,
): RenderJobPayload => ({
  jobId: c.jobId,
  stage: 'rendering',
  attempt: 0,
  clipId: c.clipId,
  segmentId: c.segmentId,
  aspect: c.aspect as RenderJobPayload['aspect'],
});

/** Inserts a clip row (9:16, queued, never claimed unless `over` says so); returns its id. */
export async function insertClip(
  m: EntityManager,
  clip: Partial<ClipEntity> & Pick<ClipEntity, 'jobId' | 'segmentId'>,
): Promise<string> {
  const ins = await m.insert(ClipEntity, { aspect: '9:16', status: 'queued', ...clip });
  return ins.identifiers[0].id as string;
}

/**
 * Completes the three parallel stages with no output and segmenting with one
 * selected segment over `range` and its 9:16 clip, the way the workers would;
 * rendering is then queued with that clip. Returns the clip's id.
 */
export async function fanOutOneClip(
  stages: StageRows,
  jobId: string,
  range: { start: number; end: number },
): Promise<string> {
  await completeParallelStages(stages, jobId);
  const [clip] = await fanOutClips(stages, jobId, [range]);
  return clip.clipId;
}
