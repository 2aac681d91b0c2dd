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
  maintenance: 'clipline-maintenance',
} as const;

export type QueueKey = keyof typeof QUEUE_NAMES;
export type QueueName = (typeof QUEUE_NAMES)[QueueKey];
