import type { Aspect } from '@clipline/contracts';

/**
 * Deterministic keys. A clip's objects are per render attempt
 * (`<segment>-9x16.a3.mp4`): a worker that lost its lease may still upload,
 * but only under its own attempt's key, which no clip row points at.
 */
export const objectKeys = {
  jobPrefix: (jobId: string) => `jobs/${jobId}/`,
  source: (jobId: string, ext: string) =>
    `jobs/${jobId}/source${ext ? `.${ext.replace(/^\./, '')}` : ''}`,
  clipBase: (jobId: string, segmentId: string, aspect: Aspect, attempt?: number) =>
    `jobs/${jobId}/clips/${segmentId}-${aspect.replace(':', 'x')}${attempt === undefined ? '' : `.a${attempt}`}`,
};

/** File extension from an uploaded filename, limited to safe characters. */
export function safeExtension(filename: string): string {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(filename);
  return m ? m[1].toLowerCase() : 'bin';
}
