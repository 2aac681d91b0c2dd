import type { TranscriptWord } from '@clipline/contracts';
import { LayoutAnalysisEntity, TranscriptEntity } from '@clipline/database';
import type { EntityManager } from 'typeorm';

/**
 * Inserts the transcript a transcription worker would store (pocketsphinx,
 * English, attempt 1); the text is the words' unless `over` gives one.
 */
export async function insertTranscript(
  m: EntityManager,
  jobId: string,
  words: TranscriptWord[] = [],
  over: Partial<TranscriptEntity> = {},
): Promise<void> {
  await m.insert(TranscriptEntity, {
    jobId,
    engine: 'pocketsphinx',
    model: 'en-us',
    modelVersion: 'v',
    language: 'en',
    text: words.map((w) => w.text).join(' '),
    words,
    segments: [],
    note: null,
    attempt: 1,
    ...over,
  });
}

/** Inserts a layout analysis of 8 frames at 2 fps that found nothing, unless `over` says otherwise. */
export async function insertLayoutAnalysis(
  m: EntityManager,
  jobId: string,
  over: Partial<LayoutAnalysisEntity> = {},
): Promise<void> {
  await m.insert(LayoutAnalysisEntity, {
    jobId,
    sampleFps: 2,
    frameCount: 8,
    scenes: [],
    sceneCuts: [],
    faceTracks: [],
    cropPlans: [],
    note: null,
    attempt: 1,
    ...over,
  });
}
