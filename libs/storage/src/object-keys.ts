import type { Aspect } from '@clipline/contracts';

/** Deterministic keys: a re-run overwrites the same objects instead of adding new ones. */
export const objectKeys = {
  jobPrefix: (jobId: string) => `jobs/${jobId}/`,
  source: (jobId: string, ext: string) =>
    `jobs/${jobId}/source${ext ? `.${ext.replace(/^\./, '')}` : ''}`,
  clipBase: (jobId: string, segmentId: string, aspect: Aspect) =>
    `jobs/${jobId}/clips/${segmentId}-${aspect.replace(':', 'x')}`,
};

/** File extension from an uploaded filename, limited to safe characters. */
export function safeExtension(filename: string): string {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(filename);
  return m ? m[1].toLowerCase() : 'bin';
}
