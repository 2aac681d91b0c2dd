import { BadInputError } from '@clipline/contracts';
import { ProcessError } from './process-runner';

/** stderr phrases that mean the input itself is broken, so a retry cannot help. */
const BAD_INPUT_PATTERNS = [
  /Invalid data found when processing input/i,
  /moov atom not found/i,
  /does not contain any stream/i,
  /matches no streams/i,
  /Invalid NAL unit size/i,
  /error while decoding/i,
  /corrupt/i,
  /Unsupported codec/i,
  /Decoder \(codec .*\) not found/i,
  /End of file/i,
];

/**
 * Turns a failed ffmpeg run into the right error class: BadInputError for a
 * broken source (fail at once), ProcessError for anything else (retried).
 */
export function ffmpegFailure(what: string, code: number | null, stderrTail: string): Error {
  const lines = stderrTail.trim().split('\n').filter(Boolean);
  const last = lines.slice(-2).join(' | ');
  if (lines.some((l) => /No space left on device|Disk quota exceeded/i.test(l))) {
    // Not the source's fault: a retry on another machine (or later) can work.
    return new ProcessError(
      `ffmpeg could not ${what}: the scratch disk is full (${last}). Free space there or point TMPDIR at a larger disk.`,
      code,
      null,
      stderrTail,
    );
  }
  if (lines.some((l) => BAD_INPUT_PATTERNS.some((re) => re.test(l)))) {
    return new BadInputError(
      `ffmpeg could not ${what}: the source looks corrupt or unsupported (${last}).`,
    );
  }
  return new ProcessError(
    `ffmpeg could not ${what} (exit ${code}): ${last}`,
    code,
    null,
    stderrTail,
  );
}
