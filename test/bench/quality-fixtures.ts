import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FFMPEG_PATH } from '@clipline/media';
import { cached, SHARED_FIXTURES_DIR } from '../fixtures/fixture-cache';

// Async on purpose: the bench process also hosts s3rver, which must keep serving.
const exec = promisify(execFile);
const RATE = 48000;
const FRAME_SEC = 0.01;
// A frame counts as speech within this many dB of the utterance's loudest frame…
const ACTIVE_BELOW_PEAK_DB = 35;
// …and this far above its own noise floor: a field recording's hiss (jfk.wav's sits
// within 35 dB of its peak) is not speech, and pauses in it are pauses.
const ACTIVE_ABOVE_FLOOR_DB = 8;
// The floor is this quantile of the utterance's frame levels.
const FLOOR_QUANTILE = 0.1;
// Pauses inside a word or between words shorter than this are still speech.
const ACTIVE_HANGOVER_SEC = 0.15;
const ROOM_TONE_DB = -62;
// A music bed under speech sits this far below its music-only level, as producers duck it.
const BED_DUCK_DB = -16;
const SPEECH_DEV = join(SHARED_FIXTURES_DIR, 'speech-dev');
const JFK_TEXT =
  'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
// Natural pauses between utterances, cycled (0.4-1.5 s).
const PAUSES = [0.55, 1.2, 0.4, 0.9, 1.5, 0.7, 1.1, 0.45, 1.3, 0.8];

export type QualityStep =
  | { kind: 'speech'; file: string; overBed?: boolean }
  | { kind: 'music'; sec: number }
  | { kind: 'dead'; sec: number };

export interface QualitySourceSpec {
  name: string;
  width: number;
  height: number;
  fps: number;
  steps: QualityStep[];
  /** Scene cuts as fractions of the duration; placed on frame boundaries. */
  cutsAt: number[];
}

export interface Utterance {
  file: string;
  speaker: string;
  /** Reference text, or null where the corpus ships none (timing truth only). */
  text: string | null;
  start: number;
  end: number;
  /** Where the voice sounds (from the clean file's frame energy), source seconds. */
  active: Array<[number, number]>;
  overBed: boolean;
}

export interface QualityTruth {
  durationSec: number;
  utterances: Utterance[];
  /** Music with nobody talking. */
  music: Array<[number, number]>;
  /** Music under speech. */
  beds: Array<[number, number]>;
  /** Room tone only. */
  dead: Array<[number, number]>;
  cuts: number[];
}

export interface QualitySource {
  name: string;
  path: string;
  durationSec: number;
  truth: QualityTruth;
}

interface ManifestEntry {
  file: string;
  speaker: string;
  transcript: string | null;
}

function manifest(): ManifestEntry[] {
  const p = join(SPEECH_DEV, 'manifest.json');
  if (!existsSync(p)) throw new Error(`missing ${p}; set SHARED_FIXTURES_DIR`);
  return JSON.parse(readFileSync(p, 'utf8')) as ManifestEntry[];
}

function utteranceInfo(file: string): { path: string; speaker: string; text: string | null } {
  if (file === 'jfk.wav')
    return { path: join(SHARED_FIXTURES_DIR, 'jfk.wav'), speaker: 'jfk', text: JFK_TEXT };
  const m = manifest().find((e) => e.file === file);
  if (!m) throw new Error(`${file} is not in speech-dev/manifest.json`);
  return { path: join(SPEECH_DEV, file), speaker: m.speaker, text: m.transcript };
}

/** Mono float samples at RATE, peak-normalised to -3 dBFS (a producer levels voices alike). */
async function decode(path: string, filter = 'anull'): Promise<Float32Array> {
  const { stdout } = await exec(
    FFMPEG_PATH,
    ['-v', 'error', '-i', path, '-af', filter, '-ac', '1', '-ar', String(RATE), '-f', 'f32le', '-'],
    { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 },
  );
  const b = stdout as Buffer;
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

function peakNormalise(x: Float32Array, db: number): Float32Array {
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  const k = peak > 0 ? 10 ** (db / 20) / peak : 1;
  return x.map((v) => v * k);
}

/** Voiced stretches of a clean utterance, relative to its start. */
function activity(x: Float32Array): Array<[number, number]> {
  const n = Math.round(FRAME_SEC * RATE);
  const db: number[] = [];
  for (let i = 0; i + n <= x.length; i += n) {
    let s = 0;
    for (let j = i; j < i + n; j++) s += x[j] * x[j];
    db.push(10 * Math.log10(s / n + 1e-12));
  }
  const top = Math.max(...db);
  const floor = [...db].sort((a, b) => a - b)[Math.floor(db.length * FLOOR_QUANTILE)];
  const threshold = Math.max(top - ACTIVE_BELOW_PEAK_DB, floor + ACTIVE_ABOVE_FLOOR_DB);
  const out: Array<[number, number]> = [];
  db.forEach((d, k) => {
    if (d < threshold) return;
    const a = k * FRAME_SEC;
    const last = out[out.length - 1];
    if (last && a - last[1] <= ACTIVE_HANGOVER_SEC) last[1] = a + FRAME_SEC;
    else out.push([a, a + FRAME_SEC]);
  });
  return out;
}

/** Strummed chords over drums-like noise bursts, compressed hot: loud like real music. */
async function musicBed(sec: number, seed: number): Promise<Float32Array> {
  const path = await cached('quality-music.wav', { sec, seed, v: 1 }, async (out) => {
    const dir = mkdtempSync(join(tmpdir(), 'clipline-qmusic-'));
    try {
      const chords = [
        ['A2', 'E3', 'A3', 'C4', 'E4'],
        ['F2', 'C3', 'F3', 'A3', 'C4'],
        ['C3', 'G3', 'C4', 'E4', 'G4'],
        ['G2', 'D3', 'G3', 'B3', 'D4'],
      ];
      const beat = 0.5;
      const parts: string[] = [];
      for (let i = 0; i < Math.ceil(sec / beat); i++) {
        const p = join(dir, `b${i}.wav`);
        const notes = chords[Math.floor((i + seed) / 4) % chords.length].flatMap((n) => ['pl', n]);
        await exec('sox', [
          ...['-R', '-n', '-r', String(RATE), '-c', '1', '-b', '16', p],
          ...['synth', String(beat), ...notes, 'pinknoise'],
          ...['fade', '0', String(beat), '0.15', 'norm', '-6'],
        ]);
        parts.push(p);
      }
      await exec('sox', [
        '-R',
        ...parts,
        out,
        ...['compand', '0.01,0.2', '-60,-60,-30,-12,0,-6', '0', '-90', '0.05'],
        ...['norm', '-1', 'trim', '0', String(sec)],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return decode(path);
}

/** Deterministic room tone (filtered noise), so no stretch is digital silence. */
function roomTone(len: number): Float32Array {
  let s = 12345;
  let lp = 0;
  const k = 10 ** (ROOM_TONE_DB / 20) * 3;
  const out = new Float32Array(len);
  for (let i = 0; i < len; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    lp = 0.9 * lp + 0.1 * (s / 1073741824 - 1);
    out[i] = lp * k;
  }
  return out;
}

async function buildAudio(
  spec: QualitySourceSpec,
): Promise<{ pcm: Float32Array; truth: QualityTruth }> {
  const utterances: Utterance[] = [];
  const music: Array<[number, number]> = [];
  const beds: Array<[number, number]> = [];
  const dead: Array<[number, number]> = [];
  const layers: Array<{ at: number; x: Float32Array }> = [];
  let t = 0.8;
  let pause = 0;
  let bedFrom: number | null = null;
  const closeBed = async () => {
    if (bedFrom === null) return;
    const sec = t - bedFrom;
    const x = (await musicBed(Math.ceil(sec), beds.length + 2)).subarray(0, Math.round(sec * RATE));
    layers.push({ at: bedFrom, x: x.map((v) => v * 10 ** (BED_DUCK_DB / 20)) });
    beds.push([bedFrom, t]);
    bedFrom = null;
  };
  for (const step of spec.steps) {
    if (step.kind === 'speech') {
      if (step.overBed && bedFrom === null) bedFrom = Math.max(0, t - 0.6);
      if (!step.overBed) await closeBed();
      const info = utteranceInfo(step.file);
      const x = peakNormalise(await decode(info.path), -3);
      const dur = x.length / RATE;
      utterances.push({
        file: step.file,
        speaker: info.speaker,
        text: info.text,
        start: t,
        end: t + dur,
        active: activity(x).map(([a, b]) => [t + a, t + b]),
        overBed: !!step.overBed,
      });
      layers.push({ at: t, x });
      t += dur + PAUSES[pause++ % PAUSES.length];
    } else {
      if (bedFrom !== null) {
        t += 0.6;
        await closeBed();
      }
      if (step.kind === 'music') {
        layers.push({ at: t, x: await musicBed(step.sec, music.length) });
        music.push([t, t + step.sec]);
      } else dead.push([t, t + step.sec]);
      t += step.sec + 0.6;
    }
  }
  await closeBed();
  const fps = spec.fps;
  const durationSec = Math.ceil((t + 0.5) * fps) / fps;
  const pcm = roomTone(Math.round(durationSec * RATE));
  for (const { at, x } of layers) {
    const o = Math.round(at * RATE);
    for (let i = 0; i < x.length && o + i < pcm.length; i++) pcm[o + i] += x[i];
  }
  const cuts = spec.cutsAt.map((f) => Math.round(f * durationSec * fps) / fps);
  return { pcm, truth: { durationSec, utterances, music, beds, dead, cuts } };
}

/** One shot: the astronaut portrait in a distinct framing (flip, crop, colour), over its own background. */
function sceneFilter(i: number, w: number, h: number): string {
  const size = Math.round(h * 0.8);
  const looks = [
    { bg: '0x1f2f4f', face: `scale=${size}:${size}`, x: Math.round(w * 0.3) },
    { bg: '0x4f2f1f', face: `hflip,hue=h=40,scale=${size}:${size}`, x: Math.round(w * 0.45) },
    {
      bg: '0x1f4f3f',
      face: `crop=320:320:64:0,eq=saturation=0.4,scale=${size}:${size}`,
      x: Math.round(w * 0.1),
    },
    { bg: '0x3f1f4f', face: `hue=s=0,scale=${Math.round(size * 0.7)}:-1`, x: Math.round(w * 0.55) },
  ];
  const l = looks[i % looks.length];
  return `color=c=${l.bg}:s=${w}x${h}:r=FPS[bg];movie=PORTRAIT,${l.face}[p];[bg]noise=alls=3:allf=t[bn];[bn][p]overlay=x=${l.x}:y=${Math.round(h * 0.08)}`;
}

/**
 * The quality source: real speech-dev utterances (and jfk.wav) separated by
 * natural pauses, a loud music bed alone, speech over a ducked bed, dead air,
 * and shots of the astronaut cut at known times. Truth JSON sits beside the file.
 */
export async function buildQualitySource(spec: QualitySourceSpec): Promise<QualitySource> {
  const portrait = join(SHARED_FIXTURES_DIR, 'astronaut.png');
  if (!existsSync(portrait)) throw new Error(`missing ${portrait}; set SHARED_FIXTURES_DIR`);
  let truth: QualityTruth | undefined;
  const path = await cached(`quality-${spec.name}.mp4`, { spec, v: 2 }, async (out, finalPath) => {
    const dir = mkdtempSync(join(tmpdir(), 'clipline-quality-'));
    try {
      const audio = await buildAudio(spec);
      truth = audio.truth;
      const raw = join(dir, 'audio.f32');
      writeFileSync(raw, Buffer.from(audio.pcm.buffer));
      const bounds = [0, ...truth.cuts, truth.durationSec];
      const shots: string[] = [];
      for (let i = 0; i + 1 < bounds.length; i++) {
        const p = join(dir, `shot${i}.mp4`);
        const graph = sceneFilter(i, spec.width, spec.height)
          .replace('FPS', String(spec.fps))
          .replace('PORTRAIT', portrait.replace(/[\\:']/g, '\\$&'));
        await exec(FFMPEG_PATH, [
          ...['-y', '-v', 'error', '-f', 'lavfi', '-i', graph],
          ...['-frames:v', String(Math.round((bounds[i + 1] - bounds[i]) * spec.fps))],
          ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '24', '-g', String(spec.fps * 2)],
          ...['-pix_fmt', 'yuv420p', p],
        ]);
        shots.push(p);
      }
      const list = join(dir, 'list.txt');
      writeFileSync(list, shots.map((p) => `file '${p}'`).join('\n'));
      await exec(FFMPEG_PATH, [
        ...['-y', '-v', 'error', '-f', 'concat', '-safe', '0', '-i', list],
        ...['-f', 'f32le', '-ar', String(RATE), '-ac', '1', '-i', raw],
        ...['-map', '0:v', '-map', '1:a', '-c:v', 'copy'],
        ...['-c:a', 'aac', '-b:a', '160k', '-ac', '2', '-shortest', '-movflags', '+faststart'],
        out,
      ]);
      writeFileSync(`${finalPath}.truth.json`, JSON.stringify(truth));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  truth ??= JSON.parse(readFileSync(`${path}.truth.json`, 'utf8')) as QualityTruth;
  return { name: spec.name, path, durationSec: truth.durationSec, truth };
}

const s = (file: string, overBed = false): QualityStep => ({ kind: 'speech', file, overBed });
const LJ = (n: number) => `LJ001-00${n}.wav`;
const LIBRI_A = 'libri-1088-134315-0000.wav';
const LIBRI_B = '2412-153948-0001.flac';

/** ~3 minutes: three speakers' worth of real speech, a music bed, speech over a bed, dead air, three cuts. */
export const QUALITY_BENCH_SOURCE: QualitySourceSpec = {
  name: 'bench',
  width: 1280,
  height: 720,
  fps: 25,
  steps: [
    s('jfk.wav'),
    s(LJ(21)),
    s(LJ(22)),
    s(LIBRI_A),
    s(LJ(23)),
    s(LJ(24)),
    { kind: 'music', sec: 13 },
    s(LJ(25), true),
    s(LIBRI_B, true),
    s(LJ(26), true),
    s(LJ(27), true),
    { kind: 'dead', sec: 3 },
    s(LJ(28)),
    s(LJ(29)),
    s(LJ(30)),
    s(LJ(31)),
    s(LJ(32)),
    { kind: 'music', sec: 8 },
    s(LJ(22)),
    s(LJ(24)),
    s(LJ(26)),
    s('jfk.wav'),
  ],
  cutsAt: [0.27, 0.52, 0.79],
};

/** ~1.5 minutes for the jest test: the same ingredients, two cuts, a smaller picture. */
export const QUALITY_TEST_SOURCE: QualitySourceSpec = {
  name: 'test',
  width: 640,
  height: 360,
  fps: 25,
  steps: [
    s('jfk.wav'),
    s(LJ(21)),
    s(LJ(22)),
    s(LJ(23)),
    { kind: 'music', sec: 10 },
    s(LJ(25), true),
    s(LJ(26), true),
    s(LJ(29)),
    s(LJ(30)),
    s(LJ(31)),
  ],
  cutsAt: [0.31, 0.68],
};
