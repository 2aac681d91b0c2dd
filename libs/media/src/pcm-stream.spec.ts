import { longPatternMp4 } from '@test/fixtures/small-media.fixture';
import { childProcesses, settle, trapUnhandledRejections } from '@test/support/abort-checks';
import { pcmFloat32Stream } from './pcm-stream';

jest.setTimeout(60_000);

describe('pcmFloat32Stream', () => {
  let source: string;
  beforeAll(async () => {
    source = await longPatternMp4();
  });

  async function consume(stream: AsyncIterable<Float32Array>, stopAfter: number, stop: () => void) {
    let n = 0;
    for await (const chunk of stream) {
      n += chunk.length;
      if (n >= stopAfter) stop();
    }
  }

  it('rejects with an abort error and leaves no ffmpeg when its signal aborts', async () => {
    const trap = trapUnhandledRejections();
    const ac = new AbortController();
    try {
      const stream = pcmFloat32Stream(source, { signal: ac.signal });
      await expect(consume(stream, 16000, () => ac.abort())).rejects.toThrow(/abort/i);
      expect(childProcesses()).toEqual([]);
      await settle();
      expect(trap.reasons.map(String)).toEqual([]);
    } finally {
      trap.dispose();
    }
  });

  it('stops ffmpeg at once when the consumer leaves early (abort, then break)', async () => {
    const trap = trapUnhandledRejections();
    const ac = new AbortController();
    try {
      const stream = pcmFloat32Stream(source, { signal: ac.signal });
      for await (const chunk of stream) {
        if (chunk.length) {
          ac.abort();
          break;
        }
      }
      expect(childProcesses()).toEqual([]);
      await settle();
      expect(trap.reasons.map(String)).toEqual([]);
    } finally {
      trap.dispose();
    }
  });
});
