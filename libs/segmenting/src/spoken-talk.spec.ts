import { readFileSync, writeFileSync } from 'node:fs';
import type { LayoutResult, SegmentingResult, TranscriptResult } from '@clipline/contracts';
import { probeMedia } from '@clipline/media';
import { detectSilence } from '@clipline/silence';
import {
  buildResult,
  createEngine,
  POCKETSPHINX_FAST_ARGS,
  transcribeRange,
  type ChunkTranscript,
  type TranscribeOptions,
} from '@clipline/transcription';
import { cached } from '@test/fixtures/fixture-cache';
import { buildSpeech, TALK_SENTENCES, type SpeechFixture } from '@test/fixtures/speech.fixture';
import { selectSegments } from './segmenting.stage';

jest.setTimeout(180_000);

// The end-to-end talk: known sentences, pauses of 0.6–2.5 s, one scene cut halfway.
const SENTENCES = [...TALK_SENTENCES, ...TALK_SENTENCES.slice(0, 12)];
const PAUSES = SENTENCES.map((_, i) => [0.6, 1.2, 2.0, 0.8, 2.5][i % 5]);
const PART_SEC = 50;
const SAMPLE_FPS = 2;

/** pocketsphinx as the worker runs it (fast preset, 50 s parts merged), cached beside the audio. */
async function transcriptOf(speech: SpeechFixture, durationSec: number) {
  const opts: TranscribeOptions = {
    engine: 'pocketsphinx',
    language: 'en',
    pocketsphinxArgs: POCKETSPHINX_FAST_ARGS,
    concurrency: 2,
  };
  const path = await cached(
    'talk-transcript.json',
    { audio: speech.wavPath, partSec: PART_SEC, args: POCKETSPHINX_FAST_ARGS },
    async (out) => {
      const engine = createEngine(opts);
      await engine.init();
      const chunks: ChunkTranscript[] = [];
      for (let s = 0; s < durationSec; s += PART_SEC) {
        const e = Math.min(durationSec, s + PART_SEC);
        chunks.push(await transcribeRange(speech.wavPath, s, e, opts, {}, engine));
      }
      writeFileSync(out, JSON.stringify(buildResult(engine, 'en', chunks, durationSec)));
    },
  );
  return JSON.parse(readFileSync(path, 'utf8')) as TranscriptResult;
}

/** Seconds of [a, b] inside the known pauses: the truth, independent of every engine. */
function inPauses(speech: SpeechFixture, a: number, b: number, beyond = 0): number {
  let sum = 0;
  for (const g of speech.truth.gaps) {
    const lo = Math.max(a, g.start + beyond / 2);
    const hi = Math.min(b, g.end - beyond / 2);
    if (hi > lo) sum += hi - lo;
  }
  return sum;
}

describe('segmenting the spoken end-to-end talk (real silence and pocketsphinx results)', () => {
  let speech: SpeechFixture;
  let cut: number;
  let result: SegmentingResult;

  beforeAll(async () => {
    speech = await buildSpeech({ sentences: SENTENCES, pauses: PAUSES, leadIn: 0.5 });
    const media = await probeMedia(speech.wavPath);
    const silence = await detectSilence(speech.wavPath, media, {});
    const transcript = await transcriptOf(speech, media.durationSec);
    cut = Math.round(Math.ceil(speech.truth.durationSec) / 2);
    const layout: LayoutResult = {
      sampleFps: SAMPLE_FPS,
      frameCount: Math.floor(media.durationSec * SAMPLE_FPS),
      scenes: [
        { index: 0, start: 0, end: cut },
        { index: 1, start: cut, end: media.durationSec },
      ],
      sceneCuts: [cut],
      faceTracks: [],
      cropPlans: [],
      note: null,
    };
    result = selectSegments({
      durationSec: media.durationSec,
      transcript,
      silence,
      layout,
      job: { clipCount: 2, minClipSeconds: 12, maxClipSeconds: 30 },
    });
  });

  it('selects the clips asked for: pauses between sentences are talk, not dead air', () => {
    const selected = result.segments.filter((s) => s.selected);
    expect({ selected: selected.length, shortfall: result.shortfall }).toEqual({
      selected: 2,
      shortfall: null,
    });
    for (const s of result.segments) {
      expect(s.end - s.start).toBeGreaterThanOrEqual(12);
      expect(s.end - s.start).toBeLessThanOrEqual(30);
      // Pause time beyond a second, per pause, stays under the 15% floor.
      expect(inPauses(speech, s.start, s.end, 1) / (s.end - s.start)).toBeLessThanOrEqual(0.15);
    }
  });

  it('cuts every clip in a known pause, at sentence boundaries, clear of the scene cut', () => {
    const slack = 1 / SAMPLE_FPS;
    expect(result.segments.length).toBeGreaterThan(0);
    for (const s of result.segments) {
      expect({ at: s.start, quiet: inPauses(speech, s.start, s.start + 0.25) }).toEqual({
        at: s.start,
        quiet: expect.closeTo(0.25, 2),
      });
      expect({ at: s.end, quiet: inPauses(speech, s.end - 0.25, s.end) }).toEqual({
        at: s.end,
        quiet: expect.closeTo(0.25, 2),
      });
      // Whole sentences only: each is wholly inside the clip or wholly outside.
      for (const t of speech.truth.sentences) {
        const inside = t.start >= s.start && t.end <= s.end;
        const outside = t.end <= s.start || t.start >= s.end;
        expect({ sentence: t.text, whole: inside || outside }).toEqual({
          sentence: t.text,
          whole: true,
        });
      }
      expect(s.start >= cut - slack - 1.5 && s.start < cut).toBe(false);
      expect(s.end > cut - slack && s.end <= cut + 1).toBe(false);
    }
  });
});
