import type { SilenceRegion, SilenceResult } from '@clipline/contracts';
import { SilenceRegionEntity } from '@clipline/database';
import { LessThan, MoreThan, type EntityManager } from 'typeorm';
import { readStageSummary } from './stage-summary';
import type { TimeWindow } from './time-window';

/** The silence stage's output: silence and non-speech regions, one row each. */

/** Postgres `real` has no -Infinity worth keeping: a region without sound is stored at -120 dB. */
const FLOOR_DB = -120;
/** Rows per INSERT: a long source has tens of thousands of regions, past the bind-parameter limit. */
const INSERT_BATCH = 1000;

export function silenceRegionOf(row: SilenceRegionEntity): SilenceRegion {
  return { kind: row.kind, start: row.start, end: row.end, meanDb: row.meanDb };
}

async function save(
  m: EntityManager,
  jobId: string,
  attempt: number,
  regions: readonly SilenceRegion[],
): Promise<void> {
  await m.delete(SilenceRegionEntity, { jobId });
  const rows = regions.map((r) => ({
    jobId,
    kind: r.kind,
    start: r.start,
    end: r.end,
    meanDb: Number.isFinite(r.meanDb) ? r.meanDb : FLOOR_DB,
    attempt,
  }));
  for (let i = 0; i < rows.length; i += INSERT_BATCH)
    await m.insert(SilenceRegionEntity, rows.slice(i, i + INSERT_BATCH));
}

/** Every region of the job, by start. */
async function read(m: EntityManager, jobId: string): Promise<SilenceRegion[]> {
  const rows = await m.find(SilenceRegionEntity, { where: { jobId }, order: { start: 'ASC' } });
  return rows.map(silenceRegionOf);
}

/** Only the regions overlapping a window (a clip's), by start: a render needs no other. */
async function readWindow(
  m: EntityManager,
  jobId: string,
  window: TimeWindow,
): Promise<SilenceRegion[]> {
  const rows = await m.find(SilenceRegionEntity, {
    where: { jobId, start: LessThan(window.end), end: MoreThan(window.start) },
    order: { start: 'ASC' },
  });
  return rows.map(silenceRegionOf);
}

/** The regions and the engine's summary as segmenting takes them; null until the stage stored one. */
async function readResult(m: EntityManager, jobId: string): Promise<SilenceResult | null> {
  const [regions, summary] = await Promise.all([
    read(m, jobId),
    readStageSummary(m, jobId, 'silence'),
  ]);
  return summary ? { regions, summary } : null;
}

async function copy(m: EntityManager, fromJobId: string, toJobId: string): Promise<void> {
  await m.query(
    `INSERT INTO silence_regions (job_id, kind, start_sec, end_sec, mean_db, attempt)
       SELECT $2, kind, start_sec, end_sec, mean_db, 0 FROM silence_regions WHERE job_id = $1`,
    [fromJobId, toJobId],
  );
}

export const silenceOutputs = { save, read, readWindow, readResult, copy };
