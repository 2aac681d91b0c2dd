import { expectCleanAbortOf, useLongPatternSource } from '@test/support/abort-checks';
import { detectSilence } from './silence.stage';

jest.setTimeout(60_000);

describe('silence abort', () => {
  const src = useLongPatternSource();

  it.each([true, false])('stops its decoder mid-run (vad %s)', async (vad) => {
    await expectCleanAbortOf((ac) =>
      detectSilence(
        src.source,
        src.media,
        { vad },
        { signal: ac.signal, onProgress: (f) => f > 0.05 && ac.abort() },
      ),
    );
  });
});
