import type { Aspect } from '@clipline/contracts';
import { ContentSegmentEntity } from '@clipline/database';
import { ClipRows, type StageRows } from '@clipline/pipeline';
import type { EntityManager } from 'typeorm';
import { completeStage, type WriteOutputs } from './job.factory';
import type { ClipRunnable } from './clip.factory';

/** A segment row as segmenting writes it: selected, rank 1, 0–30 s, placeholder score and text. */
export const segmentRow = (
  jobId: string,
  over: Partial<ContentSegmentEntity> = {},
): Partial<ContentSegmentEntity> => ({
  jobId,
  rank: 1,
  start: 0,
  end: 30,
  score: 50,
  features: {} as never,
  reason: 'r',
  text: 't',
  selected: true,
  attempt: 1,
  ...over,
});

/** Inserts a segment row (see segmentRow); returns its id. */
export async function insertSegment(
  m: EntityManager,
  jobId: string,
  over: Partial<ContentSegmentEntity> = {},
): Promise<string> {
  const ins = await m.insert(ContentSegmentEntity, segmentRow(jobId, over));
  return ins.identifiers[0].id as string;
}

/** A selected segment and the aspects its queued clips are rendered in (9:16 by default). */
export type PlannedSegment = Partial<ContentSegmentEntity> & { aspects?: Aspect[] };

/**
 * Completes segmenting with these segments and, for each, one queued clip per
 * aspect (the fan-out rule, ClipRows.insertQueued), as the segmenting worker's
 * completion writes them; rendering is then
 * queued. Returns the clips that became runnable, in insertion order.
 */
export async function fanOutClips(
  stages: StageRows,
  jobId: string,
  segments: PlannedSegment[],
  result: Parameters<typeof completeStage>[4] = {},
): Promise<ClipRunnable[]> {
  const write: WriteOutputs = async (m) => {
    for (const [i, { aspects, ...over }] of segments.entries()) {
      const segmentId = await insertSegment(m, jobId, { rank: i + 1, ...over });
      await ClipRows.insertQueued(m, jobId, [segmentId], aspects ?? ['9:16']);
    }
  };
  return (await completeStage(stages, jobId, 'segmenting', write, result)) as ClipRunnable[];
}
