import type { LayoutResult, TranscriptResult, TranscriptWord } from '@clipline/contracts';
import { layoutOutputs, transcriptOutputs } from '@clipline/pipeline';
import type { EntityManager } from 'typeorm';

/** Which attempt of its stage wrote an output: 1 unless a test says otherwise. */
type Written = { attempt?: number };

/**
 * Stores the transcript a transcription worker would (pocketsphinx, English,
 * attempt 1) through its outputs module; the text is the words' unless `over`
 * gives one.
 */
export async function insertTranscript(
  m: EntityManager,
  jobId: string,
  words: TranscriptWord[] = [],
  { attempt = 1, ...over }: Partial<TranscriptResult> & Written = {},
): Promise<void> {
  await transcriptOutputs.save(m, jobId, attempt, {
    engine: 'pocketsphinx',
    model: 'en-us',
    modelVersion: 'v',
    language: 'en',
    text: words.map((w) => w.text).join(' '),
    words,
    segments: [],
    note: null,
    ...over,
  });
}

/**
 * Stores a layout analysis of 8 frames at 2 fps that found nothing, unless
 * `over` says otherwise, through its outputs module.
 */
export async function insertLayoutAnalysis(
  m: EntityManager,
  jobId: string,
  { attempt = 1, ...over }: Partial<LayoutResult> & Written = {},
): Promise<void> {
  await layoutOutputs.save(m, jobId, attempt, {
    sampleFps: 2,
    frameCount: 8,
    scenes: [],
    sceneCuts: [],
    faceTracks: [],
    cropPlans: [],
    note: null,
    ...over,
  });
}
