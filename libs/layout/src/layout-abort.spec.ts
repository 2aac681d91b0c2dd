import { join } from 'node:path';
import { expectCleanAbortOf, useLongPatternSource } from '@test/support/abort-checks';
import { createFaceDetector, type FaceDetector } from './face.detector';
import { analyseLayout } from './layout.stage';

jest.setTimeout(60_000);

const MODEL_DIR =
  process.env.MODEL_DIR ?? join(__dirname, '..', '..', '..', '..', 'shared', 'models');

describe('layout abort', () => {
  const src = useLongPatternSource();
  let detector: FaceDetector;
  beforeAll(async () => {
    detector = await createFaceDetector(MODEL_DIR);
  });
  afterAll(() => detector.release());

  // A cancel or re-run used to kill the whole layout worker: the sampler left
  // ffmpeg's exit promise to reject with nobody listening.
  it.each(['all', 'keyframes'] as const)(
    'stops only its own work when aborted mid-run (%s decoding)',
    async (decode) => {
      await expectCleanAbortOf((ac) =>
        analyseLayout(
          src.source,
          src.media,
          { aspects: ['9:16'], detector, decode, sampleFps: 5 },
          { signal: ac.signal, onProgress: (f) => f > 0.02 && ac.abort() },
        ),
      );
    },
  );
});
