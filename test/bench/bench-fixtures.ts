import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FFMPEG_PATH } from '@clipline/media';
import { cached, SHARED_FIXTURES_DIR } from '../fixtures/fixture-cache';
import { buildSpeech, TALK_SENTENCES, type SpeechTruth } from '../fixtures/speech.fixture';
import { buildCutTalk } from '../fixtures/talking-head.fixture';

// Async on purpose: the bench process also hosts s3rver, which must keep serving.
const exec = promisify(execFile);

/** One "unit" of programme: speech, then a music bed, then dead air. Talks are units back to back. */
const UNIT_SEC = 300;
const SPEECH_SEC = 250;
const MUSIC_SEC = 30;
const SILENCE_SEC = UNIT_SEC - SPEECH_SEC - MUSIC_SEC;
/** Distinct speech batches; unit k speaks batch k % BATCHES, so a long talk is not one loop. */
const BATCHES = 4;
const RATE = 16000;

const MORE_SENTENCES = [
  'The weather was calm and the sea was flat all morning.',
  'She opened the door and walked slowly into the garden.',
  'Every morning the baker lights the old stone oven at four.',
  'Nobody expected the small team to win the final match.',
  'How many of you have tried to edit a video on a phone?',
  'Our first prototype crashed every seven minutes.',
  'The second one was slower, but it never crashed at all.',
  'Let me show you the numbers from the last quarter.',
  'Sales went up by twelve percent in only three months.',
  'That is not luck, that is a lot of careful work.',
  'Here is a question I get every single week.',
  'Should you rewrite your code or fix the old version?',
  'Most of the time, the honest answer is neither.',
  'Measure first, then change the one thing that matters.',
  'My grandmother taught me to bake bread when I was six.',
  'She never used a scale, only her hands and her eyes.',
  'The river near her house froze every winter.',
  'We skated on it until the sun went down.',
  'Today the same river barely freezes at all.',
  'Climate is changing faster than most of us can follow.',
  'So what can a small company actually do about it?',
  'Start with the trains, the servers and the lights.',
  'Then ask your suppliers the same hard questions.',
  'Thank you all for listening, and see you next week.',
];
const PAUSES = [0.4, 1.1, 0.6, 2.5, 0.3, 1.6, 0.8, 4.0, 0.5, 1.2, 0.35, 3.0];
const VOICES = ['en-us', 'en-gb', 'en-us', 'en-gb-x-rp'];

/** A scene of the 5-minute picture: background, face size and where it travels. */
interface SceneDef {
  duration: number;
  background: string;
  face?: { size: number; from: [number, number]; to: [number, number] };
}

const SCENES: SceneDef[] = [
  { duration: 70, background: '0x1f2f4f', face: { size: 560, from: [240, 260], to: [700, 300] } },
  { duration: 45, background: '0x1f4f2f', face: { size: 640, from: [1180, 180], to: [1180, 180] } },
  { duration: 80, background: '0x3b2b4f', face: { size: 480, from: [1340, 520], to: [880, 140] } },
  { duration: 25, background: '0x505050' },
  { duration: 80, background: '0x0f5050', face: { size: 600, from: [260, 120], to: [360, 440] } },
];

/** Where the face sits inside astronaut.png, as in the talking-head fixture. */
const FACE_IN_PORTRAIT = { x0: 179 / 512, y0: 61 / 512, x1: 269 / 512, y1: 174 / 512 };

export interface BenchTruth {
  durationSec: number;
  sentences: Array<{ text: string; start: number; end: number }>;
  /** Speech pauses of known length (within the speech parts). */
  pauses: Array<{ start: number; end: number }>;
  music: Array<{ start: number; end: number }>;
  silence: Array<{ start: number; end: number }>;
  /** Scene cuts, seconds (video fixtures only). */
  cuts: number[];
  /** Face box (pixels, 1920x1080) at the start of each scene, when there is one. */
  faces: Array<{ start: number; end: number; box: { x: number; y: number; w: number; h: number } }>;
}

export interface BenchFixture {
  name: string;
  path: string;
  durationSec: number;
  video: boolean;
  truth: BenchTruth;
}

async function ffmpeg(args: string[]): Promise<void> {
  await exec(FFMPEG_PATH, ['-y', '-v', 'error', ...args], { maxBuffer: 16 * 1024 * 1024 });
}

async function speechBatch(b: number) {
  const pool = [...TALK_SENTENCES, ...MORE_SENTENCES];
  const sentences: string[] = [];
  const pauses: number[] = [];
  // ~3.3 s per sentence plus ~1.4 s of pause on average: 60 fill 250 s with a little to trim.
  for (let i = 0; i < 60; i++) {
    sentences.push(pool[(i * (b + 2) + b * 7) % pool.length]);
    pauses.push(PAUSES[(i + b * 5) % PAUSES.length]);
  }
  return buildSpeech({ sentences, pauses, voice: VOICES[b % VOICES.length], leadIn: 0.4 });
}

/** Plucked chords, strummed every 1.5 s: clearly not speech and clearly not silence. */
async function musicBed(): Promise<string> {
  return cached('bench-music.wav', { MUSIC_SEC, RATE, v: 1 }, async (out) => {
    const dir = mkdtempSync(join(tmpdir(), 'clipline-music-'));
    try {
      const chords = [
        ['A2', 'E3', 'A3', 'C4', 'E4'],
        ['F2', 'C3', 'F3', 'A3', 'C4'],
        ['C3', 'G3', 'C4', 'E4', 'G4'],
        ['G2', 'D3', 'G3', 'B3', 'D4'],
      ];
      const strums: string[] = [];
      for (let i = 0; i < MUSIC_SEC / 1.5; i++) {
        const p = join(dir, `strum${i}.wav`);
        const notes = chords[Math.floor(i / 4) % chords.length].flatMap((n) => ['pl', n]);
        await exec('sox', [
          ...['-n', '-r', String(RATE), '-c', '1', '-b', '16', p],
          ...['synth', '1.5', ...notes],
          ...['delay', '0', '.04', '.08', '.12', '.16', 'remix', '-'],
          ...['fade', '0', '1.5', '.1', 'norm', '-8'],
        ]);
        strums.push(p);
      }
      await exec('sox', [...strums, out]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

interface UnitAudio {
  path: string;
  sentences: SpeechTruth['sentences'];
  pauses: SpeechTruth['gaps'];
}

/** Speech batch b padded or cut to SPEECH_SEC, then music, then silence: exactly UNIT_SEC. */
async function unitAudio(b: number): Promise<UnitAudio> {
  const speech = await speechBatch(b);
  const music = await musicBed();
  const path = await cached(
    'bench-unit.wav',
    { speech: speech.wavPath, music, UNIT_SEC, SPEECH_SEC, SILENCE_SEC },
    async (out) => {
      const dir = mkdtempSync(join(tmpdir(), 'clipline-unit-'));
      try {
        const speechFit = join(dir, 'speech.wav');
        await exec('sox', [
          speech.wavPath,
          speechFit,
          'pad',
          '0',
          String(SPEECH_SEC),
          'trim',
          '0',
          String(SPEECH_SEC),
        ]);
        const silence = join(dir, 'silence.wav');
        await exec('sox', [
          ...['-n', '-r', String(RATE), '-c', '1', '-b', '16', silence],
          ...['trim', '0', String(SILENCE_SEC)],
        ]);
        await exec('sox', [speechFit, music, silence, out]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
  return {
    path,
    sentences: speech.truth.sentences.filter((s) => s.end <= SPEECH_SEC),
    pauses: speech.truth.gaps.filter((g) => g.end <= SPEECH_SEC),
  };
}

/** The 5-minute 1080p30 picture, scenes with cuts; faces move within a scene and jump at cuts. */
async function pictureUnit(): Promise<string> {
  const portrait = join(SHARED_FIXTURES_DIR, 'astronaut.png');
  if (!existsSync(portrait)) throw new Error(`missing ${portrait}; set SHARED_FIXTURES_DIR`);
  return cached('bench-picture-1080p30.mp4', { SCENES, v: 1 }, async (out) => {
    const dir = mkdtempSync(join(tmpdir(), 'clipline-picture-'));
    try {
      const parts: string[] = [];
      for (const [i, s] of SCENES.entries()) {
        const p = join(dir, `scene${i}.mp4`);
        const args = [
          '-f',
          'lavfi',
          '-i',
          `color=c=${s.background}:s=1920x1080:r=30:d=${s.duration}`,
        ];
        // Light temporal noise: a flat colour is something no real codec or detector sees.
        let graph = '[0]noise=alls=3:allf=t[bg]';
        let last = 'bg';
        if (s.face) {
          const { size, from, to } = s.face;
          args.push('-loop', '1', '-framerate', '30', '-i', portrait);
          const x = `${from[0]}+(${to[0] - from[0]})*t/${s.duration}`;
          const y = `${from[1]}+(${to[1] - from[1]})*t/${s.duration}`;
          graph += `;[1]scale=${size}:${size}[p];[bg][p]overlay=x='${x}':y='${y}':shortest=1[v]`;
          last = 'v';
        }
        args.push('-filter_complex', graph, '-map', `[${last}]`, '-t', String(s.duration));
        // Capped bitrate keeps the 60-minute file near a real talk's size (~1.5 GB), not 8 GB of noise.
        args.push(
          ...['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '23'],
          ...['-maxrate', '3M', '-bufsize', '6M', '-g', '60', '-pix_fmt', 'yuv420p', p],
        );
        await ffmpeg(args);
        parts.push(p);
      }
      const list = join(dir, 'list.txt');
      writeFileSync(list, parts.map((p) => `file '${p}'`).join('\n'));
      await ffmpeg(['-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', out]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** Audio of `units` units back to back (16 kHz mono WAV) and its truth. */
async function programmeAudio(units: number): Promise<{ path: string; truth: BenchTruth }> {
  const parts: UnitAudio[] = [];
  for (let b = 0; b < Math.min(units, BATCHES); b++) parts.push(await unitAudio(b));
  const order = Array.from({ length: units }, (_, k) => parts[k % parts.length]);
  const path = await cached(
    'bench-programme.wav',
    { order: order.map((u) => u.path) },
    async (out) => {
      await exec('sox', [...order.map((u) => u.path), out]);
    },
  );
  const truth: BenchTruth = {
    durationSec: units * UNIT_SEC,
    sentences: [],
    pauses: [],
    music: [],
    silence: [],
    cuts: [],
    faces: [],
  };
  order.forEach((u, k) => {
    const off = k * UNIT_SEC;
    for (const s of u.sentences)
      truth.sentences.push({ ...s, start: s.start + off, end: s.end + off });
    for (const g of u.pauses) truth.pauses.push({ start: g.start + off, end: g.end + off });
    truth.music.push({ start: off + SPEECH_SEC, end: off + SPEECH_SEC + MUSIC_SEC });
    truth.silence.push({ start: off + SPEECH_SEC + MUSIC_SEC, end: off + UNIT_SEC });
  });
  return { path, truth };
}

function pictureTruth(truth: BenchTruth, units: number): void {
  for (let k = 0; k < units; k++) {
    let t = k * UNIT_SEC;
    for (const s of SCENES) {
      if (t > 0) truth.cuts.push(t);
      if (s.face) {
        const { size, from } = s.face;
        truth.faces.push({
          start: t,
          end: t + s.duration,
          box: {
            x: from[0] + FACE_IN_PORTRAIT.x0 * size,
            y: from[1] + FACE_IN_PORTRAIT.y0 * size,
            w: (FACE_IN_PORTRAIT.x1 - FACE_IN_PORTRAIT.x0) * size,
            h: (FACE_IN_PORTRAIT.y1 - FACE_IN_PORTRAIT.y0) * size,
          },
        });
      }
      t += s.duration;
    }
  }
}

function withTruth(name: string, path: string, video: boolean, truth: BenchTruth): BenchFixture {
  const truthPath = `${path}.truth.json`;
  if (!existsSync(truthPath)) writeFileSync(truthPath, JSON.stringify(truth));
  return { name, path, durationSec: truth.durationSec, video, truth };
}

/** A 1080p30 talk of `minutes` (a multiple of 5): the picture unit looped, programme audio as AAC. */
export async function buildBenchTalk(minutes: number): Promise<BenchFixture> {
  if (minutes % 5) throw new Error('talk length must be a multiple of 5 minutes');
  const units = minutes / 5;
  const picture = await pictureUnit();
  const audio = await programmeAudio(units);
  pictureTruth(audio.truth, units);
  const path = await cached(
    `bench-talk-${minutes}min.mp4`,
    { picture, audio: audio.path, v: 1 },
    async (out) => {
      await ffmpeg([
        ...['-stream_loop', String(units - 1), '-i', picture, '-i', audio.path],
        ...['-map', '0:v', '-map', '1:a', '-c:v', 'copy'],
        ...['-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2'],
        ...['-t', String(units * UNIT_SEC), '-movflags', '+faststart', out],
      ]);
    },
  );
  return withTruth(`talk-${minutes}min`, path, true, audio.truth);
}

/** An audio-only podcast of `minutes`: the same programme audio (speech, music, dead air) as M4A. */
export async function buildBenchPodcast(minutes: number): Promise<BenchFixture> {
  const units = minutes / 5;
  const audio = await programmeAudio(units);
  const path = await cached(
    `bench-podcast-${minutes}min.m4a`,
    { audio: audio.path, v: 1 },
    async (out) => {
      await ffmpeg([
        ...['-i', audio.path, '-c:a', 'aac', '-b:a', '96k', '-ar', '44100', '-ac', '2'],
        ...['-movflags', '+faststart', out],
      ]);
    },
  );
  return withTruth(`podcast-${minutes}min`, path, false, audio.truth);
}

/** The small job of the Redis soak: 20 s, 640x360, one face, one cut. */
export async function buildSoakClip(): Promise<BenchFixture> {
  const sentences = TALK_SENTENCES.slice(0, 4);
  const speech = await buildSpeech({ sentences, pauses: [0.8, 1.5, 0.6, 1.0], leadIn: 0.5 });
  const total = 20;
  const talk = await buildCutTalk(speech.wavPath, total, 10);
  const truth: BenchTruth = {
    durationSec: total,
    sentences: speech.truth.sentences,
    pauses: speech.truth.gaps,
    music: [],
    silence: [],
    cuts: talk.cuts,
    faces: [],
  };
  return { name: 'soak-20s', path: talk.path, durationSec: total, video: true, truth };
}

/** Reads a truth written beside a cached fixture (for reports on an existing file). */
export function readTruth(path: string): BenchTruth | undefined {
  const p = `${path}.truth.json`;
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as BenchTruth) : undefined;
}
