import type {
  FaceTrack,
  LayoutResult,
  SilenceRegion,
  SilenceResult,
  TranscriptResult,
  TranscriptWord,
} from '@clipline/contracts';
import type { SegmentingInput } from '@clipline/segmenting';

export interface ScriptLine {
  text: string;
  /** Silence before this sentence, seconds (default 0.6). */
  pauseBefore?: number;
}

export interface BuildOptions {
  leadIn?: number;
  tail?: number;
  /** Gap between words inside a sentence. */
  wordGap?: number;
  /** false: lower-case and strip punctuation, like pocketsphinx. */
  punctuate?: boolean;
  confidence?: number;
  /** Gaps at least this long become silence regions. */
  silenceMinSec?: number;
  /** Silence regions stop this far short of the neighbouring words, as a real detector would. */
  silenceInset?: number;
}

export interface BuiltTranscript {
  transcript: TranscriptResult;
  silence: SilenceResult;
  durationSec: number;
  /** Exact times of each sentence: first word start, last word end. */
  sentences: Array<{ text: string; start: number; end: number }>;
}

/** Deterministic word length from its letters, so tests can reason about times. */
export function wordDuration(token: string): number {
  const letters = token.replace(/[^\p{L}\p{N}]/gu, '').length;
  return Math.min(0.7, Math.max(0.15, 0.12 + 0.045 * letters));
}

/** A transcript with exactly known sentence and pause times, plus matching silence regions. */
export function buildTranscript(
  lines: readonly ScriptLine[],
  o: BuildOptions = {},
): BuiltTranscript {
  const wordGap = o.wordGap ?? 0.08;
  const punctuate = o.punctuate ?? true;
  const words: TranscriptWord[] = [];
  const sentences: BuiltTranscript['sentences'] = [];
  let t = o.leadIn ?? 0.5;
  lines.forEach((line, i) => {
    if (i > 0) t += line.pauseBefore ?? 0.6;
    const tokens = line.text.split(/\s+/).filter(Boolean);
    const start = t;
    tokens.forEach((tok, k) => {
      if (k > 0) t += wordGap;
      const text = punctuate ? tok : tok.toLowerCase().replace(/[^\p{L}\p{N}']/gu, '');
      const d = wordDuration(tok);
      words.push({ text, start: r3(t), end: r3(t + d), confidence: o.confidence ?? 0.9 });
      t += d;
    });
    sentences.push({ text: line.text, start: r3(start), end: r3(t) });
  });
  const durationSec = r3(t + (o.tail ?? 1));
  const silence = silenceFromWords(
    words,
    durationSec,
    o.silenceMinSec ?? 0.3,
    o.silenceInset ?? 0.02,
  );
  const transcript: TranscriptResult = {
    engine: 'synthetic',
    model: 'hand-built',
    modelVersion: 'test',
    language: 'en',
    text: words.map((w) => w.text).join(' '),
    words,
    segments: sentences.map((s) => ({ text: s.text, start: s.start, end: s.end })),
    note: null,
  };
  return { transcript, silence, durationSec, sentences };
}

export function silenceFromWords(
  words: readonly TranscriptWord[],
  durationSec: number,
  minSec: number,
  inset: number,
): SilenceResult {
  const regions: SilenceRegion[] = [];
  let prev = 0;
  const push = (a: number, b: number, edgeA: boolean, edgeB: boolean) => {
    const start = edgeA ? a : a + inset;
    const end = edgeB ? b : b - inset;
    if (b - a >= minSec && end > start) {
      regions.push({ kind: 'silence', start: r3(start), end: r3(end), meanDb: -62 });
    }
  };
  words.forEach((w, i) => {
    push(prev, w.start, i === 0, false);
    prev = w.end;
  });
  push(prev, durationSec, words.length === 0, true);
  const total = regions.reduce((s, r) => s + r.end - r.start, 0);
  return {
    regions,
    summary: {
      durationSec,
      speechRatio: durationSec > 0 ? 1 - total / durationSec : 0,
      totalSilenceSec: r3(total),
      totalNonSpeechSec: 0,
      thresholdDb: -45,
      note: null,
    },
  };
}

/** Small seeded PRNG (mulberry32) so synthetic data is identical run to run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const TOPICS: string[][] = [
  [
    'coffee',
    'beans',
    'roast',
    'espresso',
    'grinder',
    'brew',
    'barista',
    'crema',
    'arabica',
    'milk',
  ],
  [
    'rocket',
    'orbit',
    'engine',
    'launch',
    'payload',
    'booster',
    'fuel',
    'satellite',
    'thrust',
    'pad',
  ],
  [
    'garden',
    'soil',
    'tomato',
    'compost',
    'seedling',
    'watering',
    'harvest',
    'mulch',
    'roots',
    'weeds',
  ],
  [
    'database',
    'query',
    'index',
    'table',
    'postgres',
    'schema',
    'migration',
    'transaction',
    'rows',
    'joins',
  ],
  [
    'marathon',
    'training',
    'pace',
    'stride',
    'shoes',
    'mileage',
    'recovery',
    'hills',
    'tempo',
    'race',
  ],
  [
    'violin',
    'bow',
    'strings',
    'rosin',
    'scales',
    'vibrato',
    'tuning',
    'concerto',
    'practice',
    'orchestra',
  ],
  ['bread', 'dough', 'flour', 'yeast', 'oven', 'crust', 'sourdough', 'starter', 'knead', 'loaf'],
  [
    'camera',
    'lens',
    'aperture',
    'shutter',
    'exposure',
    'tripod',
    'focus',
    'sensor',
    'light',
    'frame',
  ],
  [
    'startup',
    'founders',
    'funding',
    'investors',
    'revenue',
    'customers',
    'pricing',
    'growth',
    'churn',
    'market',
  ],
  ['ocean', 'waves', 'coral', 'reef', 'divers', 'current', 'tide', 'salt', 'whales', 'plankton'],
];
const FILL = ['the', 'a', 'we', 'it', 'and', 'then', 'really', 'that', 'with', 'for', 'of', 'is'];
const VERBS = [
  'shapes',
  'changes',
  'needs',
  'keeps',
  'moves',
  'holds',
  'feeds',
  'turns',
  'builds',
  'tests',
];
const OPENERS = [
  ['so'],
  ['now'],
  ['i', 'think'],
  ['honestly'],
  ['the', 'thing', 'is'],
  ['we', 'found', 'that'],
];
const QUESTION_OPENERS = [
  ['what', 'is'],
  ['why', 'does'],
  ['how', 'do', 'you'],
  ['have', 'you', 'ever', 'seen'],
  ['do', 'you', 'know', 'why'],
];
const CLAIMS = [
  ['the', 'biggest', 'mistake', 'is'],
  ['nobody', 'tells', 'you', 'that'],
  ['never', 'ignore'],
];

export interface SyntheticOptions {
  durationSec: number;
  seed?: number;
  punctuate?: boolean;
  withLayout?: boolean;
  withEnergy?: boolean;
}

/**
 * A long talk: topics that change every 8–20 sentences, a mix of flat
 * statements, questions, claims and numbers, pauses of 0.3–1 s between
 * sentences and an occasional long one. Roughly 8–9k words per hour.
 */
export function syntheticTalk(o: SyntheticOptions): SegmentingInput & { wordCount: number } {
  const rnd = prng(o.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const lines: ScriptLine[] = [];
  let topic = 0;
  let left = 0;
  let t = 0.5;
  while (t < o.durationSec - 15) {
    if (left <= 0) {
      topic = (topic + 1 + Math.floor(rnd() * (TOPICS.length - 1))) % TOPICS.length;
      left = 8 + Math.floor(rnd() * 13);
    }
    left--;
    const vocab = TOPICS[topic];
    const kind = rnd();
    const tokens: string[] = [];
    if (kind < 0.1) tokens.push(...pick(QUESTION_OPENERS));
    else if (kind < 0.16) tokens.push(...pick(CLAIMS));
    else tokens.push(...pick(OPENERS));
    const n = 5 + Math.floor(rnd() * 9);
    for (let k = 0; k < n; k++) {
      const r = rnd();
      if (r < 0.45) tokens.push(pick(vocab));
      else if (r < 0.6) tokens.push(pick(VERBS));
      else if (r < 0.63) tokens.push(String(2 + Math.floor(rnd() * 98)));
      else tokens.push(pick(FILL));
    }
    tokens.push(pick(vocab));
    const last = tokens.length - 1;
    tokens[0] = tokens[0][0].toUpperCase() + tokens[0].slice(1);
    tokens[last] += kind < 0.1 ? '?' : '.';
    const pause = rnd() < 0.05 ? 2 + rnd() * 2 : 0.5 + rnd() * 0.5;
    lines.push({ text: tokens.join(' '), pauseBefore: pause });
    t += pause + tokens.reduce((s, w) => s + wordDuration(w) + 0.05, 0);
  }
  const built = buildTranscript(lines, { punctuate: o.punctuate ?? false, tail: 2, wordGap: 0.05 });
  const durationSec = built.durationSec;
  return {
    durationSec,
    transcript: built.transcript,
    silence: built.silence,
    layout: o.withLayout === false ? null : syntheticLayout(durationSec, rnd),
    energy:
      o.withEnergy === false
        ? undefined
        : syntheticEnergy(built.transcript.words, durationSec, rnd),
    job: { clipCount: 10, minClipSeconds: 20, maxClipSeconds: 60 },
    wordCount: built.transcript.words.length,
  };
}

function syntheticLayout(durationSec: number, rnd: () => number): LayoutResult {
  const sampleFps = 2;
  const sceneCuts: number[] = [];
  for (let t = 30 + rnd() * 60; t < durationSec; t += 30 + rnd() * 60) sceneCuts.push(r3(t));
  const bounds = [0, ...sceneCuts, durationSec];
  const scenes = bounds
    .slice(0, -1)
    .map((start, index) => ({ index, start, end: bounds[index + 1] }));
  const faceTracks: FaceTrack[] = [];
  for (const s of scenes) {
    // Some scenes are slides or b-roll with nobody on screen.
    if (rnd() < 0.25) continue;
    const points: FaceTrack['points'] = [];
    for (let k = Math.ceil(s.start * sampleFps); k / sampleFps < s.end; k++) {
      points.push({ t: k / sampleFps, x: 0.4, y: 0.3, w: 0.2, h: 0.3, score: 0.9 });
    }
    faceTracks.push({ id: faceTracks.length, sceneIndex: s.index, points });
  }
  return {
    sampleFps,
    frameCount: Math.floor(durationSec * sampleFps),
    scenes,
    sceneCuts,
    faceTracks,
    cropPlans: [],
    note: null,
  };
}

function syntheticEnergy(
  words: readonly TranscriptWord[],
  durationSec: number,
  rnd: () => number,
): number[] {
  const n = Math.ceil(durationSec);
  const out = new Array<number>(n).fill(-65);
  let level = -22;
  for (const w of words) {
    const i = Math.floor(w.start);
    if (i >= n) continue;
    if (rnd() < 0.02) level = -30 + rnd() * 14;
    out[i] = Math.max(out[i], level + (rnd() - 0.5) * 6);
  }
  return out;
}

function r3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
