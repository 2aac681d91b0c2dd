import type { MediaInfo } from '@clipline/contracts';
import { probeMedia } from '@clipline/media';
import {
  expectCleanAbort,
  longPatternMp4,
  scratchDirs,
  trapUnhandledRejections,
} from '../../../test/support/abort-checks';
import { detectSilence } from './silence.engine';

jest.setTimeout(60_000);

describe('silence abort', () => {
  let source: string;
  let media: MediaInfo;
  beforeAll(async () => {
    source = await longPatternMp4();
    media = await probeMedia(source);
  });

  it.each([true, false])('stops its decoder mid-run (vad %s)', async (vad) => {
    const trap = trapUnhandledRejections();
    const before = scratchDirs();
    const ac = new AbortController();
    try {
      const run = detectSilence(
        source,
        media,
        { vad },
        { signal: ac.signal, onProgress: (f) => f > 0.05 && ac.abort() },
      );
      await expectCleanAbort(run, before, trap);
    } finally {
      trap.dispose();
    }
  });
});
