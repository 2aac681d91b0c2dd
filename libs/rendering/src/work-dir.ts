import { rm } from 'node:fs/promises';
import { makeScratchDir } from '@clipline/media';

/**
 * Runs `fn` with a fresh temporary folder and removes it afterwards, whether
 * `fn` succeeds or throws, so a failed render never leaves media on disk. The
 * folder is tagged with the pid, so sweepStaleScratch removes it at the next
 * start if this process is killed first.
 */
export async function withWorkDir<T>(
  fn: (dir: string) => Promise<T>,
  opts: { parent?: string; prefix?: string } = {},
): Promise<T> {
  const dir = await makeScratchDir('render', opts.parent, opts.prefix);
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
