import { readFileSync } from 'node:fs';
import { runCollect, spawnTracked, stopChild } from './process-runner';

/** Field 19 of /proc/<pid>/stat is the nice value; the command name (field 2) may hold spaces. */
function niceOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

describe('process runner', () => {
  it('starts a child at the niceness asked for, and at normal priority otherwise', async () => {
    const low = spawnTracked('sleep', ['5'], { niceness: 7 });
    const normal = spawnTracked('sleep', ['5']);
    try {
      expect(niceOf(low.pid!)).toBe(7);
      expect(niceOf(normal.pid!)).toBe(niceOf(process.pid));
    } finally {
      low.kill('SIGKILL');
      normal.kill('SIGKILL');
      await Promise.all([low.done, normal.done]);
    }
  });

  it('keeps only the tail of a chatty stderr', async () => {
    const res = await runCollect('sh', ['-c', 'yes line | head -c 100000 >&2; echo out'], {
      stderrTail: 64,
    });
    expect(res.code).toBe(0);
    expect(res.stdout.toString()).toBe('out\n');
    expect(res.stderrTail.length).toBe(64);
  });

  it('kills the child when the signal aborts', async () => {
    const ac = new AbortController();
    const child = spawnTracked('sleep', ['30'], { signal: ac.signal });
    ac.abort();
    await expect(child.done).rejects.toThrow('sleep aborted');
  });

  it('lets a caller drop an aborted child without an unhandled rejection', async () => {
    const reasons: unknown[] = [];
    const trap = (r: unknown) => reasons.push(r);
    process.on('unhandledRejection', trap);
    try {
      const ac = new AbortController();
      const child = spawnTracked('sleep', ['30'], { signal: ac.signal });
      ac.abort();
      // Nobody awaits child.done, like a decode loop left by a throw.
      await new Promise((r) => setTimeout(r, 300));
      expect(reasons).toEqual([]);
      expect(child.signalCode).toBe('SIGKILL');
    } finally {
      process.off('unhandledRejection', trap);
    }
  });

  it('stopChild returns only once the child has exited', async () => {
    const child = spawnTracked('sleep', ['30']);
    await stopChild(child);
    expect(child.signalCode).toBe('SIGKILL');
    expect(() => process.kill(child.pid!, 0)).toThrow(/ESRCH/);
  });
});
