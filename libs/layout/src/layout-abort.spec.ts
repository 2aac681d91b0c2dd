import { join } from 'node:path';
import type { MediaInfo } from '@clipline/contracts';
import { probeMedia } from '@clipline/media';
import {
  expectCleanAbort,
  longPatternMp4,
  scratchDirs,
  trapUnhandledRejections,
} from '../../../test/support/abort-checks';
import { createFaceDetector, type FaceDetector } from './face.detector';
import { analyseLayout } from './layout.engine';

jest.setTimeout(60_000);

const MODEL_DIR =
  process.env.MODEL_DIR ?? join(__dirname, '..', '..', '..', '..', 'shared', 'models');

describe('layout abort', () => {
  let source: string;
  let media: MediaInfo;
  let detector: FaceDetector;
  beforeAll(async () => {
    source = await longPatternMp4();
    media = await probeMedia(source);
    detector = await createFaceDetector(MODEL_DIR);
  });
  afterAll(() => detector.release());

  // A cancel or re-run used to kill the whole layout worker: the sampler left
  // ffmpeg's exit promise to reject with nobody listening.
  it.each(['all', 'keyframes'] as const)(
    'stops only its own work when aborted mid-run (%s decoding)',
    async (decode) => {
      const trap = trapUnhandledRejections();
      const before = scratchDirs();
      const ac = new AbortController();
      try {
        const run = analyseLayout(
          source,
          media,
          { aspects: ['9:16'], detector, decode, sampleFps: 5 },
          { signal: ac.signal, onProgress: (f) => f > 0.02 && ac.abort() },
        );
        await expectCleanAbort(run, before, trap);
      } finally {
        trap.dispose();
      }
    },
  );
});
