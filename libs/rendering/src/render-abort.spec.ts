import type { MediaInfo } from '@clipline/contracts';
import { probeMedia } from '@clipline/media';
import {
  expectCleanAbort,
  longPatternMp4,
  scratchDirs,
  trapUnhandledRejections,
} from '../../../test/support/abort-checks';
import { renderClip } from './render.engine';
import { withWorkDir } from './work-dir';
import { mountTinyDisk } from '../../../test/support/tiny-disk';

jest.setTimeout(60_000);

describe('render abort', () => {
  let source: string;
  let media: MediaInfo;
  beforeAll(async () => {
    source = await longPatternMp4();
    media = await probeMedia(source);
  });

  it('stops the encoder mid-clip and removes the work folder', async () => {
    const trap = trapUnhandledRejections();
    const before = scratchDirs();
    const ac = new AbortController();
    try {
      const run = withWorkDir((workDir) =>
        renderClip(
          {
            sourceUrl: source,
            media,
            start: 1,
            end: 40,
            aspect: '9:16',
            words: [{ text: 'hello', start: 2, end: 2.5, confidence: 1 }],
            silences: [],
            removeSilence: false,
            captions: true,
            cropPlan: null,
            workDir,
            options: { preset: 'ultrafast' },
          },
          { signal: ac.signal, onProgress: (f) => f > 0.02 && ac.abort() },
        ),
      );
      await expectCleanAbort(run, before, trap);
    } finally {
      trap.dispose();
    }
  });
});

describe('render on a full scratch disk', () => {
  const disk = mountTinyDisk('size=256k');
  if (!disk)
    console.log('SKIPPED full-disk render test: tmpfs cannot be mounted here (needs root).');
  afterAll(() => disk?.unmount());

  (disk ? it : it.skip)('fails at once with a clear message instead of hanging', async () => {
    const source = await longPatternMp4();
    const media = await probeMedia(source);
    const started = Date.now();
    const err = await withWorkDir(
      (workDir) =>
        renderClip({
          sourceUrl: source,
          media,
          start: 0,
          end: 40,
          aspect: '9:16',
          words: [],
          silences: [],
          removeSilence: false,
          captions: false,
          cropPlan: null,
          workDir,
          options: { preset: 'ultrafast' },
        }),
      { parent: disk!.dir },
    ).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/scratch disk is full/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
