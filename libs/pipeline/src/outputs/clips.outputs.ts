import type { StoredClip } from '@clipline/contracts';
import { ClipEntity, type ClipStatus } from '@clipline/database';
import type { EntityManager } from 'typeorm';
import type { TimeWindow } from './time-window';

/**
 * The rendering stage's output: each clip row's published objects, size and
 * how it was made. The render's fenced completion writes them (ClipStore);
 * this module reads and maps them.
 */

export function clipOf(row: ClipEntity): StoredClip {
  return {
    id: row.id,
    jobId: row.jobId,
    segmentId: row.segmentId,
    aspect: row.aspect,
    status: row.status,
    attempt: row.attempt,
    progress: row.progress,
    videoKey: row.videoKey,
    thumbnailKey: row.thumbnailKey,
    vttKey: row.vttKey,
    srtKey: row.srtKey,
    durationSec: row.durationSec,
    width: row.width,
    height: row.height,
    // bigint comes back from pg as a string.
    sizeBytes: row.sizeBytes === null ? null : Number(row.sizeBytes),
    renderMs: row.renderMs,
    captionEngine: row.captionEngine,
    look: row.look,
    layoutChoice: row.layoutChoice,
    startSec: row.startSec,
    endSec: row.endSec,
    version: row.version,
    renderedVersion: row.renderedVersion,
    renderingVersion: row.renderingVersion,
    error: row.error,
  };
}

/** What a clip cuts: its own trimmed edges, or its segment's. */
export function clipWindow(
  clip: Pick<StoredClip, 'startSec' | 'endSec'>,
  segment: TimeWindow,
): TimeWindow {
  return { start: clip.startSec ?? segment.start, end: clip.endSec ?? segment.end };
}

/** One clip; with a job id, only if it belongs to that job. */
async function readOne(
  m: EntityManager,
  clipId: string,
  jobId?: string,
): Promise<StoredClip | null> {
  const row = await m.findOne(ClipEntity, {
    where: jobId ? { id: clipId, jobId } : { id: clipId },
  });
  return row ? clipOf(row) : null;
}

/** The job's clips (those in `status` when given), oldest first. */
async function readForJob(
  m: EntityManager,
  jobId: string,
  status?: ClipStatus,
): Promise<StoredClip[]> {
  const rows = await m.find(ClipEntity, {
    where: status ? { jobId, status } : { jobId },
    order: { createdAt: 'ASC' },
  });
  return rows.map(clipOf);
}

/** The objects the job's clips point at (what a re-run of segmenting replaces). */
async function publishedKeys(m: EntityManager, jobId: string): Promise<string[]> {
  const rows = await m.find(ClipEntity, { where: { jobId } });
  return rows
    .flatMap((c) => [c.videoKey, c.thumbnailKey, c.vttKey, c.srtKey])
    .filter((k): k is string => !!k);
}

export const clipOutputs = { readOne, readForJob, publishedKeys };
