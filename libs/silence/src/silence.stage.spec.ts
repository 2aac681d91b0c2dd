import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { BadInputError, type SilenceRegion } from '@clipline/contracts';
import { FFMPEG_PATH, probeMedia, pcmFloat32Stream } from '@clipline/media';
import { cached } from '@test/fixtures/fixture-cache';
import { buildSpeech, TALK_SENTENCES, type SpeechFixture } from '@test/fixtures/speech.fixture';
import { wavMediaInfo } from '@test/support/factories/media.factory';
import { detectSilence } from './silence.stage';
import { matchRegions, type MatchReport } from './region-match';
import { resolveSilenceOptions } from './silence-options';
import { speechRegions } from './speech.detector';
import { SileroVad, VAD_FRAME_SEC } from './vad.detector';

jest.setTimeout(120_000);

/**
 * espeak pauses at commas and colons, which would be real silences missing
 * from the truth, so the script only uses sentences without them.
 */
const SENTENCES = [
  ...TALK_SENTENCES.filter((s) => !/[,:;]/.test(s)),
  'The weather was calm and the sea was flat',
  'She opened the door and walked into the garden',
  'Every morning the baker lights the old stone oven',
  'Nobody expected the small team to win the final match',
].slice(0, 12);
const PAUSES = [0.3, 1.0, 0.5, 3.0, 0.4, 2.0, 0.3, 0.8, 1.5, 0.6, 0.35, 2.5];

const of = (regions: SilenceRegion[], kind: SilenceRegion['kind']) =>
  regions.filter((r) => r.kind === kind);

/**
 * Scoring: a true gap (all are ≥ 0.3 s, above the 0.25 s minimum) is found
 * when a detected region of the kind overlaps it with IoU ≥ 0.5, one-to-one
 * (see matchRegions). Boundary errors are measured on matched pairs only.
 */
function score(fx: SpeechFixture, regions: SilenceRegion[]): MatchReport {
  return matchRegions(fx.truth.gaps, regions);
}

function maxBoundaryErr(m: MatchReport): number {
  return Math.max(0, ...m.pairs.flatMap((p) => [Math.abs(p.startErr), Math.abs(p.endErr)]));
}

/** Boundaries between sentences: the file's own start and end are excluded. */
function interiorBoundaryErr(m: MatchReport, durationSec: number): number {
  const errs: number[] = [];
  for (const p of m.pairs) {
    if (p.truth.start > 0) errs.push(Math.abs(p.startErr));
    if (p.truth.end < durationSec - 1e-3) errs.push(Math.abs(p.endErr));
  }
  return Math.max(0, ...errs);
}

async function run(path: string, options = {}) {
  const media = await probeMedia(path);
  return detectSilence(path, media, options);
}

describe('detectSilence on speech with known gaps', () => {
  let clean: SpeechFixture;
  beforeAll(async () => {
    clean = await buildSpeech({ sentences: SENTENCES, pauses: PAUSES });
  });

  it('finds the gaps by loudness (F1 ≥ 0.95, boundaries ±50 ms) and by VAD (±100 ms)', async () => {
    const progress: number[] = [];
    const commands: string[] = [];
    const media = await probeMedia(clean.wavPath);
    const res = await detectSilence(
      clean.wavPath,
      media,
      {},
      { onProgress: (p) => progress.push(p), onCommand: (c) => commands.push(c) },
    );
    const loud = score(clean, of(res.regions, 'silence'));
    expect(loud.f1).toBeGreaterThanOrEqual(0.95);
    expect(maxBoundaryErr(loud)).toBeLessThanOrEqual(0.05);
    const vad = score(clean, of(res.regions, 'non_speech'));
    expect(vad.f1).toBeGreaterThanOrEqual(0.95);
    expect(maxBoundaryErr(vad)).toBeLessThanOrEqual(0.1);

    const gapSec = clean.truth.gaps.reduce((a, g) => a + g.end - g.start, 0);
    expect(res.summary.totalSilenceSec).toBeCloseTo(gapSec, 0);
    expect(res.summary.speechRatio).toBeCloseTo(1 - gapSec / clean.truth.durationSec, 1);
    expect(res.summary.thresholdDb).toBeLessThan(-30);
    expect(res.summary.note).toBeNull();
    for (const r of of(res.regions, 'silence'))
      expect(r.meanDb).toBeLessThan(res.summary.thresholdDb);

    expect(commands).toHaveLength(1);
    expect(commands[0]).toContain('ffmpeg');
    expect(progress[progress.length - 1]).toBe(1);
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]);
  });

  it('shrinks regions by the padding on sides that touch speech', async () => {
    const plain = await run(clean.wavPath, { vad: false });
    const padded = await run(clean.wavPath, { vad: false, paddingMs: 100 });
    expect(padded.regions).toHaveLength(plain.regions.length);
    const inner = plain.regions.findIndex((r) => r.start > 0 && r.end < plain.summary.durationSec);
    expect(padded.regions[inner].start).toBeCloseTo(plain.regions[inner].start + 0.1, 2);
    expect(padded.regions[inner].end).toBeCloseTo(plain.regions[inner].end - 0.1, 2);
    expect(padded.regions[0].start).toBe(0);
    expect(plain.summary.note).toContain('VAD disabled');
  });

  it.each([
    ['noise', -30],
    ['music', -32],
  ] as const)('finds the gaps under a %s bed with the VAD', async (kind, db) => {
    const fx = await buildSpeech({ sentences: SENTENCES, pauses: PAUSES, bed: { kind, db } });
    const res = await run(fx.wavPath);
    const vad = score(fx, of(res.regions, 'non_speech'));
    expect(vad.f1).toBeGreaterThanOrEqual(0.95);
    expect(interiorBoundaryErr(vad, fx.truth.durationSec)).toBeLessThanOrEqual(0.1);
    // The bed is well above the threshold: it is sound, not silence.
    expect(of(res.regions, 'silence')).toHaveLength(0);
    expect(res.summary.totalNonSpeechSec).toBeGreaterThan(10);
  });

  it('uses a relative threshold so a quiet recording is not all silence', async () => {
    const quiet = await cached(
      'quiet-speech.wav',
      { src: clean.truthPath, gain: -35 },
      async (out) => {
        execFileSync('sox', ['-R', clean.wavPath, out, 'gain', '-n', '-35']);
      },
    );
    const rel = await run(quiet);
    const loud = score(clean, of(rel.regions, 'silence'));
    expect(loud.f1).toBeGreaterThanOrEqual(0.95);
    expect(maxBoundaryErr(loud)).toBeLessThanOrEqual(0.05);
    expect(rel.summary.thresholdDb).toBeLessThan(-60);
    // The same file under the default absolute threshold is mostly "silence".
    const abs = await run(quiet, { thresholdMode: 'absolute', vad: false });
    expect(abs.summary.totalSilenceSec).toBeGreaterThan(0.8 * clean.truth.durationSec);
  });

  it('batched VAD lanes agree with a single sequential stream', async () => {
    const probsWith = async (lanes: number, laneFrames: number) => {
      const vad = await SileroVad.create({ lanes, laneFrames });
      for await (const c of pcmFloat32Stream(clean.wavPath)) await vad.push(c);
      return vad.finish();
    };
    const seq = await probsWith(1, 100_000);
    const batched = await probsWith(32, 125);
    expect(batched.length).toBe(seq.length);
    // Lanes restart their (warmed) state every 4 s, so single frames at speech
    // edges may flip; the regions must still agree within the VAD tolerance.
    let agree = 0;
    for (let i = 0; i < seq.length; i++) if (seq[i] >= 0.5 === batched[i] >= 0.5) agree++;
    expect(agree / seq.length).toBeGreaterThan(0.97);
    const opts = resolveSilenceOptions({});
    const levels = new Float32Array(Math.ceil(clean.truth.durationSec / 0.01)).fill(-120);
    const regionsOf = (p: Float32Array) =>
      speechRegions(p, VAD_FRAME_SEC, levels, 0.01, opts, clean.truth.durationSec).nonSpeech;
    const m = matchRegions(regionsOf(seq), regionsOf(batched));
    expect(m.f1).toBe(1);
    expect(maxBoundaryErr(m)).toBeLessThanOrEqual(0.1);
  });
});

describe('detectSilence on bad and edge-case input', () => {
  it('completes with no regions and a note when there is no audio track', async () => {
    const video = await cached('no-audio.mp4', { v: 1 }, async (out) => {
      execFileSync(FFMPEG_PATH, [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc=size=160x120:rate=10:duration=2',
        '-c:v',
        'libx264',
        '-pix_fmt',
        'yuv420p',
        '-f',
        'mp4',
        out,
      ]);
    });
    const media = await probeMedia(video);
    expect(media.hasAudio).toBe(false);
    const commands: string[] = [];
    const res = await detectSilence(video, media, {}, { onCommand: (c) => commands.push(c) });
    expect(res.regions).toEqual([]);
    expect(res.summary.note).toMatch(/no audio/i);
    expect(commands).toEqual([]);
  });

  it('returns one region covering the whole file when it is all silence', async () => {
    const silent = await cached('all-silence.wav', { sec: 5 }, async (out) => {
      execFileSync('sox', [
        '-R',
        '-n',
        '-r',
        '16000',
        '-c',
        '1',
        '-b',
        '16',
        out,
        'trim',
        '0',
        '5',
      ]);
    });
    const res = await run(silent);
    const s = of(res.regions, 'silence');
    expect(s).toHaveLength(1);
    // sox dithers its 16-bit "silence", so the level is about −96 dBFS, not digital zero.
    expect(s[0]).toMatchObject({ start: 0, end: 5 });
    expect(s[0].meanDb).toBeLessThan(-90);
    expect(of(res.regions, 'non_speech')).toMatchObject([{ start: 0, end: 5 }]);
    expect(res.summary.speechRatio).toBe(0);
    expect(res.summary.note).toMatch(/silen/);
  });

  it('fails at once with BadInputError on corrupt audio', async () => {
    const junk = await cached('junk.wav', { v: 1 }, async (out) => {
      writeFileSync(out, randomBytes(64 * 1024));
    });
    const media = wavMediaInfo({ durationSec: 4, sizeBytes: 65536 });
    await expect(detectSilence(junk, media, {})).rejects.toBeInstanceOf(BadInputError);
  });

  it('fails with BadInputError on a truncated MP4', async () => {
    const whole = await cached('speech-aac.mp4', { v: 1 }, async (out) => {
      execFileSync(FFMPEG_PATH, [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440:duration=3',
        '-c:a',
        'aac',
        '-f',
        'mp4',
        out,
      ]);
    });
    const media = await probeMedia(whole);
    const cut = await cached('truncated.mp4', { src: whole }, async (out) => {
      const buf = readFileSync(whole);
      writeFileSync(out, buf.subarray(0, Math.floor(buf.length / 2)));
    });
    await expect(detectSilence(cut, media, {})).rejects.toBeInstanceOf(BadInputError);
  });
});
