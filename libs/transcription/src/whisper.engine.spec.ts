import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TranscriptWord } from '@clipline/contracts';
import { probeMedia } from '@clipline/media';
import { InferenceSession } from 'onnxruntime-node';
import { SHARED_FIXTURES_DIR } from '@test/fixtures/fixture-cache';
import {
  NEXT_LOGIT,
  TRAP_LOGIT,
  tokenName,
  ts,
  VOCAB_SIZE,
  writeWhisperModel,
  type TokenTable,
} from '@test/fixtures/whisper-graph.fixture';
import { expectWordTimeline } from '@test/support/word-timeline';
import { wavBytes } from './pcm-encoding';
import { transcribe } from './transcribe';
import type { EngineChunkOutput } from './transcription.types';
import { melFilterbank } from './whisper-features';
import { WhisperEngine } from './whisper.engine';
import { DEFAULT_WHISPER_MODEL, WHISPER_MODELS } from './whisper-models';

const MODEL_DIR = process.env.MODEL_DIR ?? resolve(__dirname, '../../../../shared/models');
const spec = WHISPER_MODELS[DEFAULT_WHISPER_MODEL];
const present = [spec.encoder, spec.decoder, spec.tokenizer].every((f) =>
  existsSync(join(MODEL_DIR, f.path)),
);

describe('whisper engine', () => {
  it('fails at init with a clear message when the model is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'clipline-models-'));
    try {
      await expect(new WhisperEngine({ modelDir: empty }).init()).rejects.toThrow(
        /whisper-base\.en\/encoder_model\.onnx not found in MODEL_DIR=.*models:pull/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('builds an 80-band Slaney mel filterbank like librosa', () => {
    const fb = melFilterbank();
    expect(fb).toHaveLength(80);
    expect(fb[0]).toHaveLength(201);
    // Every band is a triangle with some weight; none covers DC.
    for (const row of fb) expect(Math.max(...row)).toBeGreaterThan(0);
    expect(fb[0][0]).toBe(0);
  });

  const withModel = present ? it : it.skip;
  if (!present) {
    console.log(
      `SKIPPED whisper transcription test: ${DEFAULT_WHISPER_MODEL} files are not in MODEL_DIR=${MODEL_DIR} (no Whisper weights can be downloaded here; run \`npm run models:pull\` where there is internet).`,
    );
  }
  withModel(
    'transcribes jfk.wav',
    async () => {
      const f = join(SHARED_FIXTURES_DIR, 'jfk.wav');
      const r = await transcribe(f, await probeMedia(f), {
        engine: 'whisper',
        language: 'en',
        modelDir: MODEL_DIR,
      });
      expect(r.text.toLowerCase()).toMatch(/country/);
    },
    120_000,
  );
});

/**
 * Two timestamped sentences. Each trap is the row's top logit but breaks one
 * of Whisper's timestamp rules, so the engine must take the runner-up; a rule
 * it skipped would send the decode down a visibly different path.
 */
const TWO_SENTENCES: TokenTable = {
  // The first token must be a timestamp.
  '<|startoftranscript|>': { next: ts(0.3), trap: 'ĠHello' },
  // A segment's opening timestamp is followed by text.
  [ts(0.3)]: { next: 'ĠHello', trap: ts(0.5) },
  ĠHello: { next: 'Ġworld' },
  Ġworld: { next: '.' },
  // A segment cannot end before it began...
  '.': { next: ts(1.2), trap: ts(0.1) },
  // ...and a closing timestamp is followed by another timestamp or the end, not text.
  [ts(1.2)]: { next: ts(1.4), trap: 'ĠSecond' },
  [ts(1.4)]: { next: 'ĠSecond' },
  // Special tokens other than <|endoftext|> are never emitted.
  ĠSecond: { next: 'Ġline', trap: '<|notimestamps|>' },
  Ġline: { next: '!' },
  // A segment cannot end where it began (Whisper's guard against endless empty segments).
  '!': { next: ts(2.4), trap: ts(1.4) },
  // Timestamps never go back.
  [ts(2.4)]: { next: '<|endoftext|>', trap: ts(2.0) },
  [ts(2.0)]: { next: 'Ġghost' },
};
const EXPECTED_TOKENS = [
  '<|startoftranscript|>',
  ts(0.3),
  'ĠHello',
  'Ġworld',
  '.',
  ts(1.2),
  ts(1.4),
  'ĠSecond',
  'Ġline',
  '!',
  ts(2.4),
];

/** Never reaches <|endoftext|>: only maxTokens or an abort ends it. */
const ENDLESS: TokenTable = {
  '<|startoftranscript|>': { next: ts(0) },
  [ts(0)]: { next: 'Ġla' },
  Ġla: { next: 'Ġla' },
};

const SR = 16000;
const TONE_SEC = 3;
const tone = Float32Array.from(
  { length: TONE_SEC * SR },
  (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / SR),
);

/** Log-softmax of the chosen token in a table row: `V - 1 - traps` zeros, one NEXT_LOGIT, maybe one TRAP_LOGIT. */
function rowLogprob(trapped: boolean): number {
  const zeros = VOCAB_SIZE - 1 - (trapped ? 1 : 0);
  return NEXT_LOGIT - Math.log(Math.exp(NEXT_LOGIT) + (trapped ? Math.exp(TRAP_LOGIT) : 0) + zeros);
}
/** Each sentence has one trapped row among its three text tokens. */
const SENTENCE_CONFIDENCE = Math.exp((rowLogprob(true) + 2 * rowLogprob(false)) / 3);

// onnxruntime-node's sessions are instances of this class; spying on it sees every decoder step.
const sessionProto = (InferenceSession as unknown as { prototype: InferenceSession }).prototype;

/** The input_ids of each decoder step; `onStep` runs before the step does. */
function watchDecoder(onStep?: (step: number) => void): string[][] {
  const steps: string[][] = [];
  const run = sessionProto.run;
  jest.spyOn(sessionProto, 'run').mockImplementation(function (
    this: InferenceSession,
    ...args: unknown[]
  ) {
    const ids = (args[0] as InferenceSession.FeedsType).input_ids;
    if (ids) {
      steps.push(Array.from(ids.data as BigInt64Array, (id) => tokenName(Number(id))));
      onStep?.(steps.length);
    }
    return (run as (...a: unknown[]) => ReturnType<InferenceSession['run']>).apply(this, args);
  });
  return steps;
}

function expectWordsSpreadOver(
  words: TranscriptWord[],
  texts: string[],
  start: number,
  end: number,
) {
  expect(words.map((w) => w.text)).toEqual(texts);
  const chars = texts.join('').length;
  let at = start;
  texts.forEach((t, i) => {
    expect(words[i].start).toBeCloseTo(at, 3);
    at += ((end - start) * t.length) / chars;
    expect(words[i].end).toBeCloseTo(at, 3);
  });
}

describe('whisper engine on a hand-built Whisper-shaped ONNX model', () => {
  let root: string;
  let talkDir: string;
  let endlessDir: string;
  let engine: WhisperEngine;
  let out: EngineChunkOutput;
  let steps: string[][];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clipline-whisper-graph-'));
    talkDir = join(root, 'talk');
    endlessDir = join(root, 'endless');
    writeWhisperModel(talkDir, TWO_SENTENCES);
    writeWhisperModel(endlessDir, ENDLESS);
    engine = new WhisperEngine({ modelDir: talkDir });
    await engine.init();
    steps = watchDecoder();
    out = await engine.transcribeChunk(tone, { language: 'en' });
    jest.restoreAllMocks();
  }, 60_000);

  afterEach(() => jest.restoreAllMocks());
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('loads the three files through onnxruntime-node and names the model', () => {
    expect(engine.model).toBe('whisper-base.en');
    expect(engine.modelVersion).toMatch(/^whisper-base\.en onnx/);
  });

  it('turns the timestamped tokens into segments and words spread inside them', () => {
    expect(out.language).toBe('en');
    expect(out.segments).toHaveLength(2);
    expect(out.segments[0].text).toBe('Hello world.');
    expect(out.segments[0].start).toBeCloseTo(0.3, 6);
    expect(out.segments[0].end).toBeCloseTo(1.2, 6);
    expect(out.segments[1].text).toBe('Second line!');
    expect(out.segments[1].start).toBeCloseTo(1.4, 6);
    expect(out.segments[1].end).toBeCloseTo(2.4, 6);
    expectWordsSpreadOver(out.words.slice(0, 2), ['Hello', 'world.'], 0.3, 1.2);
    expectWordsSpreadOver(out.words.slice(2), ['Second', 'line!'], 1.4, 2.4);
    expectWordTimeline(out.words, TONE_SEC);
    for (const w of out.words) expect(w.confidence).toBeGreaterThan(0);
    // exp(mean log-softmax) of each sentence's tokens; the encoder term shifts whole rows, so it cancels.
    for (const w of out.words) expect(w.confidence).toBeCloseTo(SENTENCE_CONFIDENCE, 4);
  });

  it('refuses every top-scored token that breaks a Whisper timestamp rule', () => {
    // One decoder step per emitted token: the decode read this path and then chose <|endoftext|>.
    expect(steps).toHaveLength(EXPECTED_TOKENS.length);
    expect(steps[steps.length - 1]).toEqual(EXPECTED_TOKENS);
    const read = steps.map((s) => s[s.length - 1]);
    const chose = [...read.slice(1), '<|endoftext|>'];
    expect(read.map((from, k) => `${from} -> ${chose[k]}`)).toEqual(
      read.map((from) => `${from} -> ${TWO_SENTENCES[from].next}`),
    );
    // Every trapped row was on the path, so every rule was put to the test.
    const trapped = Object.keys(TWO_SENTENCES).filter((t) => TWO_SENTENCES[t].trap);
    expect(trapped.filter((t) => read.includes(t))).toEqual(trapped);
  });

  it('stops a decode that never ends at maxTokens', async () => {
    const bounded = new WhisperEngine({ modelDir: endlessDir, maxTokens: 12 });
    await bounded.init();
    const seen = watchDecoder();
    const r = await bounded.transcribeChunk(tone, { language: 'en' });
    expect(seen).toHaveLength(12);
    // 1 timestamp + 11 words; with no closing timestamp the segment runs to the end of the audio.
    expect(r.segments).toEqual([{ text: Array(11).fill('la').join(' '), start: 0, end: TONE_SEC }]);
    expect(r.words).toHaveLength(11);
    expectWordTimeline(r.words, TONE_SEC);
  }, 60_000);

  it('stops decoding with an error once ctx.signal is aborted', async () => {
    const endless = new WhisperEngine({ modelDir: endlessDir });
    await endless.init();
    const ac = new AbortController();
    const seen = watchDecoder((step) => step === 3 && ac.abort());
    await expect(
      endless.transcribeChunk(tone, { language: 'en', signal: ac.signal }),
    ).rejects.toThrow(/abort/);
    expect(seen).toHaveLength(3);
  }, 60_000);

  it('runs through transcribe() from a WAV file', async () => {
    const wav = join(root, 'tone.wav');
    writeFileSync(wav, wavBytes(tone, SR));
    const r = await transcribe(wav, await probeMedia(wav), {
      engine: 'whisper',
      language: 'en',
      modelDir: talkDir,
      concurrency: 1,
    });
    expect(r.engine).toBe('whisper');
    expect(r.modelVersion).toMatch(/whisper-base\.en/);
    expect(r.note).toBeNull();
    expect(r.text).toBe('Hello world. Second line!');
    expect(r.segments).toEqual([
      { text: 'Hello world.', start: 0.3, end: 1.2 },
      { text: 'Second line!', start: 1.4, end: 2.4 },
    ]);
    expect(r.words.map((w) => w.text)).toEqual(['Hello', 'world.', 'Second', 'line!']);
    expectWordTimeline(r.words, TONE_SEC);
  }, 60_000);
});
