import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Short host tag: a /tmp shared between machines must not sweep another host's folders. */
const HOST_TAG = createHash('sha1').update(hostname()).digest('hex').slice(0, 6);

/** `clipline-<kind>-p<pid>h<host>-<random>`: the owner can be checked without a lock file. */
const OWNED = /^clipline-[a-z0-9]+-p(\d+)h([0-9a-f]{6})-/;

/** Raised when the scratch disk is full, with a message an operator can act on. */
export class ScratchFullError extends Error {
  constructor(where: string, cause: Error) {
    super(
      `The scratch disk is full (${where}): ${cause.message}. Free space there or point TMPDIR at a larger disk.`,
    );
    this.name = 'ScratchFullError';
  }
}

/** ENOSPC (or a quota) from a file operation becomes a ScratchFullError; anything else is kept. */
export function scratchError(where: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' ? new ScratchFullError(where, err as Error) : err;
}

/**
 * A fresh scratch folder whose name carries this process's pid, so that a
 * later start can tell it from the folders of live processes and remove it
 * if this process was killed before it could clean up.
 */
export async function makeScratchDir(kind: string, parent = tmpdir(), label = ''): Promise<string> {
  if (!/^[a-z0-9]+$/.test(kind)) throw new Error(`scratch kind "${kind}" must be [a-z0-9]+`);
  const prefix = join(parent, `clipline-${kind}-p${process.pid}h${HOST_TAG}-${label}`);
  try {
    return await mkdtemp(prefix);
  } catch (err) {
    throw scratchError(parent, err);
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the pid exists but belongs to another user, so it is alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the scratch folders of processes on this host that no longer run
 * (a SIGKILLed or OOM-killed worker never reaches its `finally`). Folders of
 * live processes, of other hosts and without an owner tag are left alone.
 * Returns the folders removed.
 */
export async function sweepStaleScratch(parent = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    const m = OWNED.exec(name);
    if (!m || m[2] !== HOST_TAG || isAlive(Number(m[1]))) continue;
    const dir = join(parent, name);
    await rm(dir, { recursive: true, force: true }).then(
      () => removed.push(dir),
      () => undefined,
    );
  }
  return removed;
}
