import { BadRequestException } from '@nestjs/common';

/** C0 and C1 control characters and DEL. */
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;
const PERCENT_ESCAPE_RE = /%[0-9a-f]{2}/i;

/**
 * Why a client-supplied object key is not a plain S3 key, or null when it is.
 * S3 keys are literal strings, but the request URL the SDK builds from them is
 * normalised on the way (`./`, `x/../` and their percent-encoded forms resolve),
 * so `./jobs/<id>/source.mp4` used to reach another owner's object. Only keys
 * that no layer can reinterpret are accepted.
 */
export function sourceKeyProblem(key: string): string | null {
  if (CONTROL_RE.test(key)) return 'must not contain control characters';
  if (key.includes('\\')) return 'must not contain backslashes';
  if (PERCENT_ESCAPE_RE.test(key)) return 'must not contain percent-encoded characters';
  const segments = key.split('/');
  if (segments.some((s) => s === '')) {
    return 'must not start or end with "/" or contain "//"';
  }
  if (segments.some((s) => s === '.' || s === '..')) {
    return 'must not contain "." or ".." segments';
  }
  return null;
}

export function assertWellFormedSourceKey(key: string): void {
  const problem = sourceKeyProblem(key);
  // The key itself is not echoed: it may hold control characters.
  if (problem) throw new BadRequestException(`sourceKey ${problem}.`);
}
