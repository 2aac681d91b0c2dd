import type { WorkerStage } from './stage-graph';

/**
 * Bull queue names, one per stage.
 *
 * WARNING: renaming a queue strands every job already waiting in Redis under the
 * old name. Change these only with a migration plan (drain, then rename).
 */
export const QUEUE_NAMES = {
  transcription: 'clipline-transcription',
  silence: 'clipline-silence',
  layout: 'clipline-layout',
  segmenting: 'clipline-segmenting',
  rendering: 'clipline-rendering',
} as const satisfies Record<WorkerStage, string>;
