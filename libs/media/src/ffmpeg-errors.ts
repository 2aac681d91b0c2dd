import { BadInputError, InfrastructureError } from '@clipline/contracts';
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
 * stderr phrases that mean ffmpeg could not reach the (presigned) source URL:
 * S3 is down, unreachable or overloaded, which says nothing about the input.
 */
const UNREACHABLE_PATTERNS = [
  /Connection refused/i,
  /Connection reset by peer/i,
  /Connection timed out/i,
  /Network is unreachable/i,
  /No route to host/i,
  /Failed to resolve hostname/i,
  /Temporary failure in name resolution/i,
  /Server returned 5\d\d/i,
  /Server returned 5XX/i,
  /HTTP error 5\d\d/i,
  /Broken pipe/i,
];

/**
 * Turns a failed ffmpeg run into the right error class: BadInputError for a
 * broken source (fail at once), InfrastructureError when the source URL could
 * not be read because S3 is unreachable (retried without using up attempts;
 * checked first, since a cut connection can also end in "End of file"), and
 * ProcessError for anything else (retried).
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
  if (lines.some((l) => UNREACHABLE_PATTERNS.some((re) => re.test(l)))) {
    const cause = new ProcessError(`ffmpeg exit ${code}`, code, null, stderrTail);
    return new InfrastructureError(
      `ffmpeg could not ${what}: the source is unreachable (${last})`,
      {
        cause,
      },
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
