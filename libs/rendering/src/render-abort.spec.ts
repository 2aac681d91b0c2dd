import { probeMedia } from '@clipline/media';
import { longPatternMp4 } from '@test/fixtures/small-media.fixture';
import { expectCleanAbortOf, useLongPatternSource } from '@test/support/abort-checks';
import { fastRender } from '@test/support/render-checks';
import { renderClip } from './render.stage';
import { withWorkDir } from './work-dir';
import { mountTinyDisk } from '@test/support/tiny-disk';

jest.setTimeout(60_000);

describe('render abort', () => {
  const src = useLongPatternSource();

  it('stops the encoder mid-clip and removes the work folder', async () => {
    await expectCleanAbortOf((ac) =>
      withWorkDir((workDir) =>
        renderClip(
          fastRender(src.source, src.media, workDir, {
            start: 1,
            end: 40,
            aspect: '9:16',
            words: [{ text: 'hello', start: 2, end: 2.5, confidence: 1 }],
            captions: true,
          }),
          { signal: ac.signal, onProgress: (f) => f > 0.02 && ac.abort() },
        ),
      ),
    );
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
        renderClip(fastRender(source, media, workDir, { start: 0, end: 40, aspect: '9:16' })),
      { parent: disk!.dir },
    ).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/scratch disk is full/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
