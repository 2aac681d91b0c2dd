import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { MediaInfo } from '@clipline/contracts';
import { probeMedia } from '@clipline/media';
import { longPatternMp4 } from '../fixtures/small-media.fixture';

/** Name and parent pid of a live process, from /proc/<pid>/stat (the name may hold spaces). */
function statOf(pid: number): { name: string; ppid: number; state: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { name, ppid: Number(ppid), state };
  } catch {
    return null;
  }
}

/** Children of this process still in the process table (zombies included: nobody reaped them). */
export function childProcesses(): string[] {
  const out: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = statOf(Number(entry));
    if (s && s.ppid === process.pid) out.push(`${s.name}[${entry}:${s.state}]`);
  }
  return out;
}

/**
 * Scratch folders in the temp dir made by this process (makeScratchDir tags
 * them with its pid). Other suites and other people's runs share the temp
 * dir, so nothing else can be told apart as ours.
 */
export function scratchDirs(): Set<string> {
  const mine = new RegExp(`^clipline-[a-z0-9]+-p${process.pid}h`);
  return new Set(readdirSync(tmpdir()).filter((n) => mine.test(n)));
}

/**
 * Collects unhandled rejections while a test runs: one of them is what took
 * a whole worker down when a job was cancelled.
 */
export function trapUnhandledRejections(): { reasons: unknown[]; dispose: () => void } {
  const reasons: unknown[] = [];
  const onReject = (reason: unknown) => reasons.push(reason);
  process.on('unhandledRejection', onReject);
  return { reasons, dispose: () => process.off('unhandledRejection', onReject) };
}

/** Lets pending rejections surface: Node reports them after the microtask queue drains. */
export const settle = (ms = 300) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * What an engine must leave behind when aborted: a rejection naming the
 * abort, no unhandled rejection, no child process, no new scratch folder.
 */
export async function expectCleanAbort(
  run: Promise<unknown>,
  before: Set<string>,
  trap: { reasons: unknown[] },
): Promise<void> {
  await expect(run).rejects.toThrow(/abort/i);
  expect(childProcesses()).toEqual([]);
  await settle();
  expect(trap.reasons.map(String)).toEqual([]);
  expect([...scratchDirs()].filter((d) => !before.has(d))).toEqual([]);
}

/**
 * Runs `start` under a fresh AbortController and expects a clean abort.
 * `start` aborts through the controller (from its progress callback, say);
 * otherwise `abortWhen` does, once the run is under way.
 */
export async function expectCleanAbortOf(
  start: (ac: AbortController) => Promise<unknown>,
  abortWhen?: (ac: AbortController) => Promise<void>,
): Promise<void> {
  const trap = trapUnhandledRejections();
  const before = scratchDirs();
  const ac = new AbortController();
  try {
    const run = start(ac);
    await abortWhen?.(ac);
    await expectCleanAbort(run, before, trap);
  } finally {
    trap.dispose();
  }
}

/** The long pattern and its probe, made once before the tests of the calling describe. */
export function useLongPatternSource(): { source: string; media: MediaInfo } {
  const src = {} as { source: string; media: MediaInfo };
  beforeAll(async () => {
    src.source = await longPatternMp4();
    src.media = await probeMedia(src.source);
  });
  return src;
}
