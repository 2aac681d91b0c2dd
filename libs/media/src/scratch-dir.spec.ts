import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { mountTinyDisk } from '@test/support/tiny-disk';
import { makeScratchDir, ScratchFullError, sweepStaleScratch } from './scratch-dir';

/** A pid that surely belongs to no process any more: a child that already exited. */
function deadPid(): number {
  const r = spawnSync('true');
  return r.pid!;
}

describe('scratch folders', () => {
  let parent: string;
  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'scratch-test-'));
  });
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  it('removes at start the folders of dead processes and keeps every other one', async () => {
    const live = await makeScratchDir('render', parent);
    const dead = await makeScratchDir('ps', parent);
    // The folder a SIGKILLed worker left: same name, but its pid is gone.
    const orphan = dead.replace(`-p${process.pid}h`, `-p${deadPid()}h`);
    renameSync(dead, orphan);
    // A /tmp shared with another machine: that host's pids mean nothing here.
    const otherHost = join(parent, basename(orphan).replace(/h[0-9a-f]{6}-/, 'hffffff-'));
    mkdirSync(otherHost);
    const fixture = mkdtempSync(join(parent, 'clipline-speech-'));
    const removed = await sweepStaleScratch(parent);
    expect(removed).toEqual([orphan]);
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(fixture)).toBe(true);
    expect(existsSync(otherHost)).toBe(true);
  });

  it('names the pid in every scratch folder', async () => {
    const dir = await makeScratchDir('render', parent, "it's:[x]");
    expect(basename(dir)).toMatch(
      new RegExp(`^clipline-render-p${process.pid}h[0-9a-f]{6}-it's:\\[x\\]`),
    );
  });

  const disk = mountTinyDisk('size=64k,nr_inodes=1');
  (disk ? it : it.skip)('says the scratch disk is full instead of failing obscurely', async () => {
    try {
      const err = await makeScratchDir('render', disk!.dir).catch((e: Error) => e);
      expect(err).toBeInstanceOf(ScratchFullError);
      expect((err as Error).message).toMatch(/scratch disk is full .*TMPDIR/);
    } finally {
      disk!.unmount();
    }
  });
  if (!disk) console.log('SKIPPED full-disk test: tmpfs cannot be mounted here (needs root).');
});
