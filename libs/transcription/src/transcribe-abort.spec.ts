import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  childProcesses,
  expectCleanAbortOf,
  useLongPatternSource,
} from '@test/support/abort-checks';
import { transcribe, transcribeRange } from './transcribe';

jest.setTimeout(60_000);

describe('transcription abort', () => {
  const src = useLongPatternSource();

  async function abortWhile(
    start: (signal: AbortSignal, onCommand: (c: string) => void) => Promise<unknown>,
    when: RegExp,
  ) {
    await expectCleanAbortOf((ac) =>
      start(ac.signal, (c) => {
        // Abort once the engine's own process is running, not before.
        if (when.test(c)) setTimeout(() => ac.abort(), 200);
      }),
    );
  }

  it('stops pocketsphinx and ffmpeg mid-run, leaving no process or temp folder', async () => {
    await abortWhile(
      (signal, onCommand) =>
        transcribe(
          src.source,
          src.media,
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
          src.source,
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
      await expectCleanAbortOf(
        (ac) =>
          transcribe(
            src.source,
            src.media,
            {
              engine: 'openai',
              language: 'en',
              openaiBaseUrl: baseUrl,
              openaiApiKey: 'sk-test',
              chunkSeconds: 8,
              concurrency: 1,
            },
            { signal: ac.signal },
          ),
        async (ac) => {
          while (requests === 0) await new Promise((r) => setTimeout(r, 20));
          ac.abort();
        },
      );
      expect(childProcesses()).toEqual([]);
    });
  });
});
