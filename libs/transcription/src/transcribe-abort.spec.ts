import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MediaInfo } from '@clipline/contracts';
import { probeMedia } from '@clipline/media';
import {
  childProcesses,
  expectCleanAbort,
  longPatternMp4,
  scratchDirs,
  trapUnhandledRejections,
} from '../../../test/support/abort-checks';
import { transcribe, transcribeRange } from './transcribe';

jest.setTimeout(60_000);

describe('transcription abort', () => {
  let source: string;
  let media: MediaInfo;
  beforeAll(async () => {
    source = await longPatternMp4();
    media = await probeMedia(source);
  });

  async function abortWhile(
    start: (signal: AbortSignal, onCommand: (c: string) => void) => Promise<unknown>,
    when: RegExp,
  ) {
    const trap = trapUnhandledRejections();
    const before = scratchDirs();
    const ac = new AbortController();
    try {
      const run = start(ac.signal, (c) => {
        // Abort once the engine's own process is running, not before.
        if (when.test(c)) setTimeout(() => ac.abort(), 200);
      });
      await expectCleanAbort(run, before, trap);
    } finally {
      trap.dispose();
    }
  }

  it('stops pocketsphinx and ffmpeg mid-run, leaving no process or temp folder', async () => {
    await abortWhile(
      (signal, onCommand) =>
        transcribe(
          source,
          media,
          { engine: 'pocketsphinx', language: 'en', chunkSeconds: 8, concurrency: 2 },
          { signal, onCommand },
        ),
      /pocketsphinx/,
    );
  });

  it('stops a part (transcribeRange) the same way', async () => {
    await abortWhile(
      (signal, onCommand) =>
        transcribeRange(
          source,
          10,
          40,
          { engine: 'pocketsphinx', language: 'en', chunkSeconds: 8, concurrency: 2 },
          { signal, onCommand },
        ),
      /pocketsphinx/,
    );
  });

  describe('openai engine', () => {
    let server: Server;
    let baseUrl: string;
    let requests = 0;
    beforeAll(async () => {
      // Never answers: the abort is the only way out.
      server = createServer(() => requests++);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    });
    afterAll(() => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    });

    it('stops waiting for the API and the decoder when aborted', async () => {
      const trap = trapUnhandledRejections();
      const before = scratchDirs();
      const ac = new AbortController();
      try {
        const run = transcribe(
          source,
          media,
          {
            engine: 'openai',
            language: 'en',
            openaiBaseUrl: baseUrl,
            openaiApiKey: 'sk-test',
            chunkSeconds: 8,
            concurrency: 1,
          },
          { signal: ac.signal },
        );
        while (requests === 0) await new Promise((r) => setTimeout(r, 20));
        ac.abort();
        await expectCleanAbort(run, before, trap);
        expect(childProcesses()).toEqual([]);
      } finally {
        trap.dispose();
      }
    });
  });
});
