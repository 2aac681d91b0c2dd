import type { StageName, StageView } from './api.types';
import { formatSeconds } from './format';

export const STAGE_LABELS: Record<StageName, string> = {
  probe: 'Read the file',
  transcription: 'Transcribe the speech',
  silence: 'Find silences',
  layout: 'Find faces and scenes',
  segmenting: 'Pick the best moments',
  rendering: 'Render the clips',
};

/** One sentence a creator understands, whatever state the stage is in. */
export function stageSentence(s: StageView): string {
  const attempt = s.attempt > 1 ? ` (attempt ${s.attempt})` : '';
  switch (s.status) {
    case 'pending':
      return 'Waiting for the steps before it.';
    case 'queued':
      return s.retryAt
        ? `Will try again at ${new Date(s.retryAt).toLocaleTimeString()}${attempt}.`
        : `Waiting for a free worker${attempt}.`;
    case 'running': {
      const pct = `${Math.round(s.progress * 100)}%`;
      const eta = s.etaSeconds !== null ? `, about ${formatSeconds(s.etaSeconds)} left` : '';
      return `Working: ${pct}${eta}${attempt}.`;
    }
    case 'completed':
      return `Done${s.durationMs !== null ? ` in ${formatSeconds(s.durationMs / 1000)}` : ''}${attempt}.`;
    case 'skipped': {
      const why = typeof s.summary?.reason === 'string' ? `: ${s.summary.reason}` : '';
      return `Not needed for this file${why}.`;
    }
    case 'failed':
      return `Stopped with an error${attempt}: ${plainStageError(s.error)}`;
    case 'cancelled':
      return 'Cancelled.';
  }
}

/** Technical failures rephrased; anything unknown is shown as the worker wrote it. */
export function plainStageError(error: string | null): string {
  if (!error) return 'no reason was recorded.';
  if (/stall|heartbeat/i.test(error))
    return `the worker stopped responding, so the step was restarted. (${error})`;
  if (/ENOENT|not found/i.test(error)) return `a file it needed was missing. (${error})`;
  if (/timed? ?out/i.test(error)) return `it took too long. (${error})`;
  if (/invalid data|corrupt|moov atom/i.test(error)) return `the file looks damaged. (${error})`;
  return error;
}
