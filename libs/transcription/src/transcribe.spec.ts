import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isBadInputError, type TranscriptResult } from '@clipline/contracts';
import { probeMedia } from '@clipline/media';
import { cached, SHARED_FIXTURES_DIR } from '@test/fixtures/fixture-cache';
import { buildSpeech, TALK_SENTENCES, type SpeechFixture } from '@test/fixtures/speech.fixture';
import { audioMediaInfo, videoMediaInfo } from '@test/support/factories/media.factory';
import { expectWordTimeline } from '@test/support/word-timeline';
import { mergeChunkResults } from './chunk-merge';
import { createEngine } from './engine-factory';
import { planChunks, transcribe, transcribeRange } from './transcribe';
import type { TranscribeOptions } from './transcription.types';

const OPTS: TranscribeOptions = { engine: 'pocketsphinx', language: 'en', concurrency: 2 };
const norm = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z' ]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);

describe('transcribe with pocketsphinx', () => {
  let speech: SpeechFixture;
  let result: TranscriptResult;
  const progress: number[] = [];
  const commands: string[] = [];

  beforeAll(async () => {
    const sentences = TALK_SENTENCES.slice(0, 6);
    speech = await buildSpeech({ sentences, pauses: [0.9, 1.4, 0.8, 2.0, 1.0, 1.2] });
    const media = await probeMedia(speech.wavPath);
    // Short chunks force several cuts (and merges) inside 35 s of speech.
    result = await transcribe(
      speech.wavPath,
      media,
      { ...OPTS, chunkSeconds: 8 },
      {
        onProgress: (p) => progress.push(p),
        onCommand: (c) => commands.push(c),
      },
    );
  }, 120_000);

  it('gives monotonic word times inside the audio', () => {
    expect(result.words.length).toBeGreaterThan(30);
    expectWordTimeline(result.words, speech.truth.durationSec);
    expect(result.engine).toBe('pocketsphinx');
    expect(result.modelVersion).toMatch(/pocketsphinx .*en-us/);
    expect(result.note).toBeNull();
  });

  it('finds each known sentence in order, inside its time window', () => {
    const scores = speech.truth.sentences.map((s) => {
      const inWindow = result.words.filter(
        (w) => (w.start + w.end) / 2 >= s.start - 0.2 && (w.start + w.end) / 2 <= s.end + 0.2,
      );
      const truth = new Set(norm(s.text));
      const hits = inWindow.filter((w) => truth.has(w.text.toLowerCase())).length;
      return {
        sentence: s.text,
        heard: inWindow.map((w) => w.text).join(' '),
        share: hits / truth.size,
      };
    });
    // pocketsphinx's WER on espeak voices is high: every sentence is heard in its window,
    // and most sentences have a good share of their own words there.
    for (const sc of scores) expect(sc.heard).not.toBe('');
    const good = scores.filter((sc) => sc.share >= 0.3).length;
    if (good < scores.length / 2) console.log(scores);
    expect(good).toBeGreaterThanOrEqual(Math.ceil(scores.length / 2));
  });

  it('puts no words inside the pauses', () => {
    for (const g of speech.truth.gaps.filter((x) => x.end - x.start >= 0.8)) {
      const inside = result.words.filter((w) => w.start >= g.start + 0.15 && w.end <= g.end - 0.15);
      expect(inside).toEqual([]);
    }
  });

  it('reports progress per chunk and its commands', () => {
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress[progress.length - 1]).toBe(1);
    expect(commands.some((c) => c.includes('ffmpeg'))).toBe(true);
    expect(
      commands.filter((c) => c.includes('pocketsphinx_continuous')).length,
    ).toBeGreaterThanOrEqual(3);
  });

  it('builds segments from pauses, one per spoken sentence or fewer', () => {
    expect(result.segments.length).toBeGreaterThanOrEqual(4);
    expect(result.segments.length).toBeLessThanOrEqual(10);
    expect(result.text.length).toBeGreaterThan(0);
  });

  it('gives the same words when chunks are planned and transcribed separately', async () => {
    const plans = await planChunks(speech.wavPath, { chunkSeconds: 8 });
    expect(plans.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < plans.length; i++) expect(plans[i].start).toBe(plans[i - 1].end);
    const parts = await Promise.all(
      plans.map((p) =>
        transcribeRange(speech.wavPath, p.start, p.end, { ...OPTS, chunkSeconds: 8 }),
      ),
    );
    const merged = mergeChunkResults(parts.reverse());
    const local = result.words.map((w) => w.text);
    const distributed = merged.words.map((w) => w.text);
    // Same cuts; the ranges carry extra overlap audio, which shifts pocketsphinx's adaptation a little.
    expect(Math.abs(distributed.length - local.length)).toBeLessThanOrEqual(local.length * 0.15);
    for (let i = 1; i < merged.words.length; i++) {
      const a = merged.words[i - 1];
      const b = merged.words[i];
      expect(b.start).toBeGreaterThanOrEqual(a.end);
      expect(a.text === b.text && b.start - a.end < 0.05 && a.end - a.start > 0.3).toBe(false);
    }
  }, 120_000);

  it.each([1, 2])(
    'runs at most %i engine call(s) at once, the last chunk included',
    async (lanes) => {
      const engine = createEngine(OPTS);
      await engine.init();
      const real = engine.transcribeChunk.bind(engine);
      let running = 0;
      let peak = 0;
      engine.transcribeChunk = async (pcm, ctx) => {
        peak = Math.max(peak, ++running);
        try {
          return await real(pcm, ctx);
        } finally {
          running--;
        }
      };
      const r = await transcribeRange(
        speech.wavPath,
        0,
        speech.truth.durationSec,
        { ...OPTS, concurrency: lanes, chunkSeconds: 8 },
        {},
        engine,
      );
      expect(r.words.length).toBeGreaterThan(30);
      // A lane is a core's worth of work: more engines than lanes would oversubscribe a worker sized to its share.
      expect(peak).toBe(lanes);
    },
    120_000,
  );
});

describe('transcribe edge cases', () => {
  it('recognises words in jfk.wav', async () => {
    const f = join(SHARED_FIXTURES_DIR, 'jfk.wav');
    const r = await transcribe(f, await probeMedia(f), OPTS);
    expectWordTimeline(r.words, 11);
    const words = r.words.map((w) => w.text);
    expect(words.length).toBeGreaterThanOrEqual(10);
    expect(words).toEqual(expect.arrayContaining(['not', 'you']));
  }, 30_000);

  it('returns an empty transcript with a note when there is no audio track', async () => {
    const media = videoMediaInfo({
      durationSec: 5,
      sizeBytes: 100,
      hasAudio: false,
      video: null,
      audio: null,
    });
    const r = await transcribe('/nonexistent.mp4', media, OPTS);
    expect(r.words).toEqual([]);
    expect(r.text).toBe('');
    expect(r.note).toMatch(/no audio track/);
  });

  it('returns an empty transcript with a note for silent audio', async () => {
    const f = await cached('silence-20s.wav', { v: 1 }, async (tmp) => {
      execFileSync('sox', [
        '-R',
        '-n',
        '-r',
        '16000',
        '-c',
        '1',
        '-b',
        '16',
        tmp,
        'trim',
        '0',
        '20',
      ]);
    });
    const r = await transcribe(f, await probeMedia(f), { ...OPTS, chunkSeconds: 8 });
    expect(r.words).toEqual([]);
    expect(r.segments).toEqual([]);
    expect(r.note).toMatch(/silent/);
  }, 30_000);

  it('fails with BadInputError on corrupt audio', async () => {
    const f = await cached('corrupt-audio.mp3', { v: 1 }, async (tmp) => {
      const junk = Buffer.alloc(64 * 1024);
      for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) % 251;
      junk.write('ID3', 0, 'ascii');
      writeFileSync(tmp, junk);
    });
    const media = audioMediaInfo({
      durationSec: 10,
      sizeBytes: 65536,
      formatName: 'mp3',
      audio: { codec: 'mp3', sampleRate: 44100, channels: 2 },
    });
    const err = await transcribe(f, media, OPTS).catch((e: unknown) => e);
    expect(isBadInputError(err)).toBe(true);
  }, 30_000);
});
