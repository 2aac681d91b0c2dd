import type { TranscriptResult, TranscriptWord } from '@clipline/contracts';
import { TranscriptEntity } from '@clipline/database';
import type { EntityManager } from 'typeorm';
import type { TimeWindow } from './time-window';

/** The transcription stage's output: one transcript row per job (fast tier). */

/** The stored transcript and when it was made, for the API's view. */
export interface StoredTranscript extends TranscriptResult {
  createdAt: Date;
}

export function transcriptOf(row: TranscriptEntity): StoredTranscript {
  const { engine, model, modelVersion, language, text, words, segments, note, createdAt } = row;
  return { engine, model, modelVersion, language, text, words, segments, note, createdAt };
}

/** The words overlapping a window (a word cut by an edge is kept). */
export function wordsOverlapping(
  words: readonly TranscriptWord[],
  window: TimeWindow,
): TranscriptWord[] {
  return words.filter((w) => w.end > window.start && w.start < window.end);
}

/** Replaces the job's transcript; runs inside the stage's fenced completion. */
async function save(
  m: EntityManager,
  jobId: string,
  attempt: number,
  t: TranscriptResult,
): Promise<void> {
  await m.delete(TranscriptEntity, { jobId });
  await m.insert(TranscriptEntity, {
    jobId,
    engine: t.engine,
    model: t.model,
    modelVersion: t.modelVersion,
    language: t.language,
    text: t.text,
    words: t.words,
    segments: t.segments,
    note: t.note,
    attempt,
  });
}

async function read(m: EntityManager, jobId: string): Promise<StoredTranscript | null> {
  const row = await m.findOne(TranscriptEntity, { where: { jobId } });
  return row ? transcriptOf(row) : null;
}

/** Analysis reuse: the donor's transcript as this job's, attempt 0 (no worker made it). */
async function copy(m: EntityManager, fromJobId: string, toJobId: string): Promise<void> {
  await m.query(
    `INSERT INTO transcripts (job_id, engine, model, model_version, language, text, words, segments, note, attempt)
       SELECT $2, engine, model, model_version, language, text, words, segments, note, 0
         FROM transcripts WHERE job_id = $1`,
    [fromJobId, toJobId],
  );
}

export const transcriptOutputs = { save, read, copy };
