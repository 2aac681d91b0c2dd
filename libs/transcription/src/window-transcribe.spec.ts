import { readFileSync } from 'node:fs';
import type { TranscriptResult, TranscriptWord } from '@clipline/contracts';
import { probeMedia } from '@clipline/media';
import {
  buildRealSpeech,
  normWords,
  wordErrorRate,
  type RealSpeechFixture,
} from '@test/fixtures/real-speech.fixture';
import { POCKETSPHINX_FAST_ARGS } from './pocketsphinx.engine';
import { transcribe, transcribeRange } from './transcribe';
import type { TranscribeOptions } from './transcription.types';
import { transcribeWindow, type WindowTranscript } from './window-transcribe';

jest.setTimeout(300_000);

const BASE: TranscribeOptions = { engine: 'pocketsphinx', language: 'en', concurrency: 2 };
const FAST: TranscribeOptions = { ...BASE, pocketsphinxArgs: POCKETSPHINX_FAST_ARGS };
const mid = (w: TranscriptWord) => (w.start + w.end) / 2;

/** CPU seconds of this process's finished children (pocketsphinx, ffmpeg), from /proc. */
function childCpuSec(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // Fields 16 and 17 (cutime, cstime), counted from the state field (3).
  return (Number(f[13]) + Number(f[14])) / 100;
}

/**
 * Real read speech (LJ Speech, exact text): the fast pass over the whole
 * source against the default ("accurate") settings over clip-sized windows,
 * as the render worker's caption tier runs them.
 */
describe('transcribeWindow on real speech', () => {
  let speech: RealSpeechFixture;
  let fast: TranscriptResult;
  let fastSec: number;
  let fastCpu: number;
  let captionCpu = 0;
  const windows: Array<{ w: WindowTranscript; ref: string[]; fastHyp: string[] }> = [];

  beforeAll(async () => {
    speech = await buildRealSpeech();
    const media = await probeMedia(speech.wavPath);
    let t0 = Date.now();
    let c0 = childCpuSec();
    fast = await transcribe(speech.wavPath, media, FAST);
    fastSec = (Date.now() - t0) / 1000;
    fastCpu = childCpuSec() - c0;
    // Three windows of four utterances (~30 s each), as three selected clips.
    for (let i = 0; i < 12; i += 4) {
      const us = speech.utterances.slice(i, i + 4);
      const win = { start: us[0].start - 0.3, end: us[3].end + 0.3 };
      t0 = Date.now();
      c0 = childCpuSec();
      const w = await transcribeWindow(speech.wavPath, win, {
        ...BASE,
        sourceDurationSec: media.durationSec,
      });
      captionCpu += childCpuSec() - c0;
      windows.push({
        w,
        ref: us.flatMap((u) => normWords(u.text)),
        fastHyp: fast.words
          .filter((x) => mid(x) >= win.start && mid(x) < win.end)
          .map((x) => x.text),
      });
    }
  });

  it('gives fewer word errors than the fast words over the same windows', () => {
    const ref = windows.flatMap((x) => x.ref);
    const werFast = wordErrorRate(
      ref,
      windows.flatMap((x) => x.fastHyp),
    );
    const werWindow = wordErrorRate(
      ref,
      windows.flatMap((x) => x.w.words.map((w) => w.text)),
    );
    const windowSec = windows.reduce((s, x) => s + x.w.end - x.w.start, 0);
    const captionSec = windows.reduce((s, x) => s + x.w.elapsedMs / 1000, 0);
    console.log(
      JSON.stringify({
        referenceWords: ref.length,
        werFast: +werFast.toFixed(3),
        werCaptionTier: +werWindow.toFixed(3),
        fastPassSecPerSourceSec: +(fastSec / speech.durationSec).toFixed(3),
        captionPassSecPerClipSec: +(captionSec / windowSec).toFixed(3),
        fastCpuSecPerSourceSec: +(fastCpu / speech.durationSec).toFixed(3),
        captionCpuSecPerClipSec: +(captionCpu / windowSec).toFixed(3),
      }),
    );
    expect(werWindow).toBeLessThan(werFast - 0.03);
  });

  it('keeps words in source time, inside the window, in order', () => {
    for (const { w } of windows) {
      expect(w.engine).toBe('pocketsphinx');
      expect(w.modelVersion).toMatch(/pocketsphinx .*en-us/);
      expect(w.words.length).toBeGreaterThan(40);
      for (const x of w.words) {
        expect(mid(x)).toBeGreaterThanOrEqual(w.start);
        expect(mid(x)).toBeLessThan(w.end);
        expect(x.end).toBeGreaterThan(x.start);
      }
      for (let i = 1; i < w.words.length; i++)
        expect(w.words[i].start).toBeGreaterThanOrEqual(w.words[i - 1].end);
    }
    // Source time, not window time: each utterance's speech starts where the joined file has it.
    for (let i = 0; i < 3; i++) {
      const first = speech.utterances[i * 4];
      expect(Math.abs(windows[i].w.words[0].start - first.start)).toBeLessThan(0.6);
    }
  });
});

describe('transcribeWindow at a window edge', () => {
  it('drops a word the window edge cuts instead of keeping half of it', async () => {
    const speech = await buildRealSpeech();
    const u = speech.utterances[0];
    // A long word in the middle of an utterance, as the accurate pass hears it.
    const all = (
      await transcribeWindow(speech.wavPath, { start: u.start - 0.3, end: u.end + 0.3 }, BASE)
    ).words;
    const cutWord = all.slice(5, -5).reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
    const edge = (cutWord.start + cutWord.end) / 2 - 0.01;
    const durationSec = speech.durationSec;
    // No margin: the audio starts inside the word, so what is heard there is a fragment.
    const bare = await transcribeWindow(
      speech.wavPath,
      { start: edge, end: edge + 6 },
      { ...BASE, marginSec: 0, sourceDurationSec: durationSec },
    );
    expect(bare.words.length).toBeGreaterThan(3);
    expect(bare.words.every((x) => x.start > edge + 0.02)).toBe(true);
    expect(bare.words.every((x) => x.end < edge + 6 - 0.02)).toBe(true);
    // With the margin the cut word is heard whole and then trimmed by its midpoint: the margin's
    // words (transcribeRange keeps them, for merging parts) are not the window's.
    const opts = { ...BASE, overlapSeconds: 1.5 };
    const untrimmed = await transcribeRange(speech.wavPath, edge, edge + 6, opts);
    expect(untrimmed.words.some((x) => mid(x) < edge)).toBe(true);
    const withMargin = await transcribeWindow(
      speech.wavPath,
      { start: edge, end: edge + 6 },
      { ...BASE, sourceDurationSec: durationSec },
    );
    expect(withMargin.words.length).toBeGreaterThan(3);
    for (const x of withMargin.words) {
      expect(mid(x)).toBeGreaterThanOrEqual(edge);
      expect(mid(x)).toBeLessThan(edge + 6);
    }
    // Heard in context, not clamped to where decoding began (1.5 s before the window).
    expect(withMargin.words[0].start).toBeGreaterThan(edge - 1.5 + 0.02);
  });
});
