import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs `fn` with a fresh temporary folder and removes it afterwards, whether
 * `fn` succeeds or throws, so a failed render never leaves media on disk.
 */
export async function withWorkDir<T>(
  fn: (dir: string) => Promise<T>,
  opts: { parent?: string; prefix?: string } = {},
): Promise<T> {
  const dir = await mkdtemp(join(opts.parent ?? tmpdir(), opts.prefix ?? 'clipline-render-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
