import type {
  Aspect,
  CaptionEngineInfo,
  ContentSegment,
  SegmentingResult,
  TranscriptResult,
  TranscriptWord,
} from '@clipline/contracts';
import { ContentSegmentEntity, JobEntity } from '@clipline/database';
import { In, type EntityManager } from 'typeorm';
import { ClipRows } from '../state/clip-rows';
import { clipOutputs } from './clips.outputs';
import { wordsOverlapping } from './transcript.outputs';

/**
 * The segmenting stage's output: scored segments (the selected ones and the
 * runners-up), the job's note when fewer clips than asked for were found,
 * and a queued clip per selected segment and aspect. The caption tier adds
 * its words to a segment row when the segment's first clip renders.
 */

export function segmentOf(row: ContentSegmentEntity): ContentSegment {
  return {
    id: row.id,
    jobId: row.jobId,
    rank: row.rank,
    start: row.start,
    end: row.end,
    score: row.score,
    features: row.features,
    reason: row.reason,
    text: row.text,
    selected: row.selected,
    captionWords: row.captionWords,
    captionEngine: row.captionEngine,
  };
}

/** The words a segment's clips cut and caption with: the caption tier's, else the transcript's. */
export function captionWordsOf(
  segment: ContentSegment,
  transcript: Pick<TranscriptResult, 'words'> | null,
): TranscriptWord[] {
  return segment.captionWords ?? wordsOverlapping(transcript?.words ?? [], segment);
}

/**
 * Replaces the job's segments and clips. Returns the object keys of the clips
 * it replaced, to delete once the new outputs are committed (never before, so
 * a crash never loses both).
 */
async function save(
  m: EntityManager,
  job: { id: string; options: { aspects: readonly Aspect[] } },
  attempt: number,
  result: SegmentingResult,
): Promise<{ replacedKeys: string[] }> {
  const replacedKeys = await clipOutputs.publishedKeys(m, job.id);
  // Clips cascade from segments: a re-run replaces both, never adds to them.
  await m.delete(ContentSegmentEntity, { jobId: job.id });
  if (!result.segments.length) {
    await m.update(
      JobEntity,
      { id: job.id },
      { note: result.note ?? 'no segment fits the length limits' },
    );
    return { replacedKeys };
  }
  const shortfall = result.shortfall ?? null;
  // Fewer clips than asked for is an outcome the creator must see, not only a log line.
  if (shortfall) {
    const note = `${shortfall.selected} of ${shortfall.requested} clips: ${shortfall.reason}`;
    await m.update(JobEntity, { id: job.id }, { note });
  }
  const inserted = await m.insert(
    ContentSegmentEntity,
    result.segments.map((s) => ({
      jobId: job.id,
      rank: s.rank,
      start: s.start,
      end: s.end,
      score: s.score,
      features: s.features,
      reason: s.reason,
      text: s.text,
      selected: s.selected,
      attempt,
    })),
  );
  const ids = inserted.identifiers.map((i) => i.id as string);
  const chosen = await m.find(ContentSegmentEntity, { where: { id: In(ids), selected: true } });
  await ClipRows.insertQueued(
    m,
    job.id,
    chosen.map((s) => s.id),
    job.options.aspects,
  );
  return { replacedKeys };
}

/** The job's segments by rank, selected and runners-up. */
async function read(m: EntityManager, jobId: string): Promise<ContentSegment[]> {
  const rows = await m.find(ContentSegmentEntity, { where: { jobId }, order: { rank: 'ASC' } });
  return rows.map(segmentOf);
}

/** One segment; with a job id, only if it belongs to that job. */
async function readOne(
  m: EntityManager,
  segmentId: string,
  jobId?: string,
): Promise<ContentSegment | null> {
  const row = await m.findOne(ContentSegmentEntity, {
    where: jobId ? { id: segmentId, jobId } : { id: segmentId },
  });
  return row ? segmentOf(row) : null;
}

async function readMany(m: EntityManager, jobId: string, ids: string[]): Promise<ContentSegment[]> {
  const rows = await m.find(ContentSegmentEntity, { where: { jobId, id: In(ids) } });
  return rows.map(segmentOf);
}

/** A runner-up promoted by the creator or ops. */
async function select(m: EntityManager, segmentId: string): Promise<void> {
  await m.update(ContentSegmentEntity, { id: segmentId }, { selected: true });
}

/**
 * Stores the caption tier's words, fenced like every write of a render: only
 * while the clip attempt that recognised them still holds its lease. False
 * when the lease is gone (nothing written).
 */
async function saveCaptionWords(
  m: EntityManager,
  segmentId: string,
  words: TranscriptWord[],
  info: CaptionEngineInfo,
  lease: { clipId: string; attempt: number },
): Promise<boolean> {
  const res: unknown[] = await m.query(
    `UPDATE content_segments s SET caption_words = $1::jsonb, caption_engine = $2::jsonb
      WHERE s.id = $3
        AND EXISTS (SELECT 1 FROM clips c WHERE c.id = $4 AND c.attempt = $5 AND c.status = 'rendering')
      RETURNING s.id`,
    [JSON.stringify(words), JSON.stringify(info), segmentId, lease.clipId, lease.attempt],
  );
  const rows = Array.isArray(res[0]) ? (res[0] as unknown[]) : res;
  return rows.length > 0;
}

/**
 * Stores words recognised ahead of the segment's clips. They depend only on
 * the segment, the audio and the engine, so the write is fenced by the
 * segment still having none and its job still being in one of `jobStatuses`.
 */
async function saveCaptionWordsAhead(
  m: EntityManager,
  segmentId: string,
  words: TranscriptWord[],
  info: CaptionEngineInfo,
  jobStatuses: readonly string[],
): Promise<void> {
  await m.query(
    `UPDATE content_segments s SET caption_words = $1::jsonb, caption_engine = $2::jsonb
      WHERE s.id = $3 AND s.caption_words IS NULL
        AND EXISTS (SELECT 1 FROM jobs j WHERE j.id = s.job_id AND j.status = ANY($4))`,
    [JSON.stringify(words), JSON.stringify(info), segmentId, jobStatuses],
  );
}

/**
 * Analysis reuse: the donor's segments with new ids (their caption-tier words
 * too: same source, same language), attempt 0. Returns the new rows.
 */
async function copy(
  m: EntityManager,
  fromJobId: string,
  toJobId: string,
): Promise<Array<{ id: string; selected: boolean }>> {
  return (await m.query(
    `INSERT INTO content_segments (job_id, rank, start_sec, end_sec, score, features, reason, text, selected, attempt, caption_words, caption_engine)
     SELECT $2, rank, start_sec, end_sec, score, features, reason, text, selected, 0, caption_words, caption_engine
       FROM content_segments WHERE job_id = $1
     RETURNING id, selected`,
    [fromJobId, toJobId],
  )) as Array<{ id: string; selected: boolean }>;
}

export const segmentsOutputs = {
  save,
  read,
  readOne,
  readMany,
  select,
  saveCaptionWords,
  saveCaptionWordsAhead,
  copy,
};
