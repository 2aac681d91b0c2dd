import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { isConfigurationError, isInfrastructureError, isPermanentError } from '@clipline/contracts';
import { probeMedia } from '@clipline/media';
import { SHARED_FIXTURES_DIR } from '@test/fixtures/fixture-cache';
import { transcribe } from './transcribe';

// Each case decodes the fixture with ffmpeg, which takes well over 5 s on a loaded machine.
jest.setTimeout(60_000);

describe('openai engine against a local OpenAI-compatible server', () => {
  let server: Server;
  let baseUrl: string;
  const seen: Array<{ auth?: string; body: string; bytes: number }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(parts);
        seen.push({
          auth: req.headers.authorization,
          body: raw.toString('latin1'),
          bytes: raw.length,
        });
        // What OpenAI answers a wrong key (401) or a key without access to the model (403).
        const refused = /^\/(401|403)\//.exec(req.url ?? '');
        if (refused) {
          res.writeHead(Number(refused[1]), { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({ error: { message: 'Incorrect API key provided: sk-wr***ng.' } }),
          );
          return;
        }
        if (req.url !== '/v1/audio/transcriptions' || req.method !== 'POST') {
          res.writeHead(404).end();
          return;
        }
        // The documented verbose_json shape, times relative to the uploaded file.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            task: 'transcribe',
            language: 'english',
            duration: 11,
            text: 'And so, my fellow Americans. Ask not.',
            words: [
              { word: 'And', start: 0.3, end: 0.5 },
              { word: 'so,', start: 0.5, end: 0.9 },
              { word: 'my', start: 1.0, end: 1.2 },
              { word: 'fellow', start: 1.2, end: 1.6 },
              { word: 'Americans.', start: 1.6, end: 2.3 },
              { word: 'Ask', start: 3.2, end: 3.6 },
              { word: 'not.', start: 3.9, end: 4.3 },
            ],
            segments: [
              {
                id: 0,
                seek: 0,
                start: 0.3,
                end: 2.3,
                text: ' And so, my fellow Americans.',
                tokens: [],
                temperature: 0,
                avg_logprob: -0.2,
                compression_ratio: 1.1,
                no_speech_prob: 0.01,
              },
              {
                id: 1,
                seek: 0,
                start: 3.2,
                end: 4.3,
                text: ' Ask not.',
                tokens: [],
                temperature: 0,
                avg_logprob: -0.4,
                compression_ratio: 1.1,
                no_speech_prob: 0.01,
              },
            ],
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends a WAV with word timestamps requested and maps the answer to a transcript', async () => {
    const f = join(SHARED_FIXTURES_DIR, 'jfk.wav');
    const r = await transcribe(f, await probeMedia(f), {
      engine: 'openai',
      language: 'auto',
      openaiBaseUrl: baseUrl,
      openaiApiKey: 'sk-test',
      openaiModel: 'whisper-1',
    });
    expect(seen).toHaveLength(1);
    const req = seen[0];
    expect(req.auth).toBe('Bearer sk-test');
    expect(req.body).toMatch(/name="response_format"\r\n\r\nverbose_json/);
    expect(req.body).toMatch(/name="timestamp_granularities\[\]"\r\n\r\nword/);
    expect(req.body).toMatch(/name="model"\r\n\r\nwhisper-1/);
    expect(req.body).toMatch(/filename="chunk.wav"[\s\S]*RIFF/);
    expect(req.bytes).toBeGreaterThan(11 * 16000 * 2);
    expect(r.engine).toBe('openai');
    expect(r.language).toBe('en');
    expect(r.words.map((w) => w.text)).toEqual([
      'And',
      'so,',
      'my',
      'fellow',
      'Americans.',
      'Ask',
      'not.',
    ]);
    expect(r.words[0]).toEqual({ text: 'And', start: 0.3, end: 0.5, confidence: 0.819 });
    expect(r.segments).toEqual([
      { text: 'And so, my fellow Americans.', start: 0.3, end: 2.3 },
      { text: 'Ask not.', start: 3.2, end: 4.3 },
    ]);
    expect(r.text).toBe('And so, my fellow Americans. Ask not.');
  });

  it.each([401, 403])(
    'classifies a refused key (%i) as a configuration error, never retried',
    async (status) => {
      const f = join(SHARED_FIXTURES_DIR, 'jfk.wav');
      const err = await transcribe(f, await probeMedia(f), {
        engine: 'openai',
        language: 'en',
        openaiBaseUrl: baseUrl.replace('/v1', `/${status}/v1`),
        openaiApiKey: 'sk-wrong',
      }).catch((e: unknown) => e);
      expect(isConfigurationError(err)).toBe(true);
      expect(isPermanentError(err)).toBe(true);
      expect(isInfrastructureError(err)).toBe(false);
      expect((err as Error).message).toContain(`(${status}); check OPENAI_API_KEY`);
      expect((err as Error).message).not.toContain('sk-wrong');
    },
  );

  it('turns a server error into an ordinary (retryable) error', async () => {
    const f = join(SHARED_FIXTURES_DIR, 'jfk.wav');
    const err = await transcribe(f, await probeMedia(f), {
      engine: 'openai',
      language: 'en',
      openaiBaseUrl: `${baseUrl}/nope`,
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/answered 404/);
    expect(isPermanentError(err)).toBe(false);
  });
});
