import {
  BadInputError,
  SegmentCandidate,
  SegmentFeatures,
  SegmentingResult,
} from '@clipline/contracts';
import { generateWindows, Window } from './candidate.generator';
import { EdgeSnapper } from './edge.snapper';
import type { HookSignal } from './hook.detector';
import { contentTokens, LexicalCohesion } from './lexical-cohesion';
import { buildSentences, cleanWords, isPunctuated } from './sentence.builder';
import {
  buildVisualIndex,
  ExtractedFeatures,
  extractFeatures,
  FeatureContext,
} from './segment.features';
import { nonSpeechIndex } from './non-speech.index';
import { dropPhantomWords } from './phantom-word.filter';
import { selectAboveFloor } from './quality.floor';
import { explain, scoreFeatures } from './segment.scorer';
import {
  CleanWord,
  DEFAULT_SEGMENTING_OPTIONS,
  SegmentingInput,
  SegmentingJob,
  SegmentingOptions,
  SpeechUnit,
} from './segmenting.types';
import { buildSpeechUnits, voicedFloorDb } from './speech-region.builder';
import { EnergySeries, Interval, IntervalCoverage } from './timeline.index';

// Gaps between words at least this long count as silence when no silence result exists.
const WORD_GAP_AS_SILENCE_SEC = 0.3;

interface Scored {
  window: Window;
  score: number;
  x: ExtractedFeatures;
}

/**
 * Turns transcript, silences and layout into ranked candidate clips.
 * Pure and synchronous: the same input always gives the same output. About
 * 0.1 s of CPU per hour of speech, so it does not need to yield.
 */
export function selectSegments(
  input: SegmentingInput,
  options: Partial<SegmentingOptions> = {},
): SegmentingResult {
  const opts: SegmentingOptions = {
    ...DEFAULT_SEGMENTING_OPTIONS,
    ...options,
    weights: { ...DEFAULT_SEGMENTING_OPTIONS.weights, ...options.weights },
  };
  const job = validateJob(input.job);
  // Words inside silence or music were not said; they must not shape clips or their text.
  const recognised = cleanWords(input.transcript?.words ?? []);
  const { heard: words, phantom } = dropPhantomWords(recognised, input.silence?.regions);
  const durationSec = sourceDuration(input, words);
  const minText = `${fmt(job.minClipSeconds)}–${fmt(job.maxClipSeconds)} s`;
  if (durationSec < job.minClipSeconds) {
    return {
      segments: [],
      note: `no clip fits: the source is ${fmt(durationSec)} s, shorter than the ${fmt(job.minClipSeconds)} s minimum`,
    };
  }

  const unusable = transcriptProblem(words, opts);
  let units: SpeechUnit[];
  let note: string | null = null;
  let mode: FeatureContext['mode'];
  let pauses: Interval[];
  // Loudness silence: where nothing sounds. Without a silence result the
  // pauses (word gaps or gaps between regions) are all the evidence there is.
  let roomTone: Interval[] | null = input.silence
    ? input.silence.regions.filter((r) => r.kind === 'silence')
    : null;
  if (!unusable) {
    mode = 'transcript';
    units = buildSentences(words, input.transcript?.segments ?? [], opts);
    pauses = input.silence ? input.silence.regions : wordGaps(words, durationSec);
  } else {
    mode = 'speech-regions';
    const fallback = buildSpeechUnits(durationSec, input.silence, input.energy, opts);
    if (!fallback) {
      return {
        segments: [],
        note: `no clip: ${unusable}, and there are no silence regions or energy to segment on instead`,
      };
    }
    units = fallback;
    note = `${unusable}: segmented on speech regions${input.energy?.length ? ' and energy' : ''} instead`;
    pauses = input.silence ? input.silence.regions : gapsBetween(units, durationSec);
  }

  if (phantom > 0) {
    const left = `${phantom} transcript word${phantom === 1 ? '' : 's'} inside silence or music left out`;
    note = note ? `${note}; ${left}` : left;
  }

  const pauseIndex = new IntervalCoverage(pauses);
  roomTone ??= pauses;
  const visual = buildVisualIndex(input.layout);
  const edges = new EdgeSnapper(
    {
      pauses: pauseIndex,
      roomTone: new IntervalCoverage(roomTone),
      words: mode === 'transcript' ? recognised : [],
    },
    visual?.sceneCuts ?? [],
    visual?.sampleFps ?? 0,
    durationSec,
    opts,
  );
  const windows = generateWindows(units, mode === 'transcript' ? words : [], edges, job);
  const what = mode === 'transcript' ? 'run of whole sentences' : 'run of speech regions';
  const noWindows = `no ${what} with clean edges lasts ${minText}`;
  const noMoreWindows = `no other ${what} with clean edges lasts ${minText}`;
  if (windows.length === 0) {
    return {
      segments: [],
      note: `${note ? `${note}; ` : ''}no clip: ${noWindows}`,
      shortfall: { requested: job.clipCount, selected: 0, reason: noWindows },
    };
  }

  const punctuated = mode === 'transcript' && isPunctuated(words);
  const ctx: FeatureContext = {
    mode,
    units,
    words,
    punctuated,
    pauses: pauseIndex,
    nonSpeech: nonSpeechIndex(pauses, opts.naturalPauseSec),
    cohesion:
      mode === 'transcript'
        ? new LexicalCohesion(
            units.map((u) => contentTokens(sliceNorms(words, u))),
            opts.cohesionBlockSentences,
          )
        : null,
    energy: input.energy?.length
      ? new EnergySeries(input.energy, voicedFloorDb(input.energy))
      : null,
    visual,
    opts,
  };

  const hookCache = new Map<number, HookSignal>();
  const scored: Scored[] = windows.map((window) => {
    const x = extractFeatures(window, ctx, hookCache);
    return { window, x, score: scoreFeatures(x, opts) };
  });

  const runnerUps = opts.runnerUpCount ?? Math.min(5, Math.ceil(job.clipCount / 2));
  const { selected, runnersUp, shortfall } = selectAboveFloor(
    scored,
    job.clipCount,
    runnerUps,
    opts,
    noMoreWindows,
  );
  const segments = [
    ...selected.map((c, k) => toCandidate(c, k + 1, true, ctx)),
    ...runnersUp.map((c, k) => toCandidate(c, selected.length + k + 1, false, ctx)),
  ];
  if (selected.length === 0 && shortfall) {
    note = `${note ? `${note}; ` : ''}no clip: ${shortfall.reason}`;
  }
  return { segments, note, shortfall };
}

function toCandidate(
  c: Scored,
  rank: number,
  selected: boolean,
  ctx: FeatureContext,
): SegmentCandidate {
  const f = c.x.features;
  const features: SegmentFeatures = {
    hook: round3(f.hook),
    completeness: round3(f.completeness),
    speechDensity: round3(f.speechDensity),
    silenceRatio: round3(f.silenceRatio),
    topicCohesion: round3(f.topicCohesion),
    energyVariation: round3(f.energyVariation),
    faceRatio: round3(f.faceRatio),
    sceneCuts: f.sceneCuts,
  };
  let text = '';
  if (ctx.mode === 'transcript') {
    const from = ctx.units[c.window.first].firstWord;
    const to = ctx.units[c.window.last].lastWord;
    text = ctx.words
      .slice(from, to + 1)
      .map((w) => w.text)
      .join(' ');
  }
  return {
    start: round3(c.window.start),
    end: round3(c.window.end),
    score: c.score,
    features,
    reason: explain(c.x, ctx.mode, ctx.opts),
    text,
    selected,
    rank,
  };
}

function validateJob(job: SegmentingJob): SegmentingJob {
  const { clipCount, minClipSeconds, maxClipSeconds } = job;
  if (!Number.isInteger(clipCount) || clipCount < 1) {
    throw new BadInputError(`clipCount must be a positive integer, got ${clipCount}`);
  }
  if (!(minClipSeconds > 0) || !(maxClipSeconds >= minClipSeconds)) {
    throw new BadInputError(
      `clip length must satisfy 0 < min <= max, got ${minClipSeconds}–${maxClipSeconds} s`,
    );
  }
  return job;
}

function sourceDuration(input: SegmentingInput, words: readonly CleanWord[]): number {
  if (Number.isFinite(input.durationSec) && input.durationSec > 0) return input.durationSec;
  let end = words.length ? words[words.length - 1].end : 0;
  for (const r of input.silence?.regions ?? []) end = Math.max(end, r.end);
  return Math.max(end, input.energy?.length ?? 0, input.silence?.summary.durationSec ?? 0);
}

/** Why the transcript cannot carry segmenting, or null when it can. */
function transcriptProblem(words: readonly CleanWord[], opts: SegmentingOptions): string | null {
  if (words.length === 0) return 'transcript has no words';
  if (words.length < opts.minWords) return `transcript has only ${words.length} words`;
  let sum = 0;
  for (const w of words) sum += w.confidence;
  const mean = sum / words.length;
  if (mean < opts.minMeanConfidence) {
    return `transcript is unreliable (mean word confidence ${mean.toFixed(2)} < ${opts.minMeanConfidence})`;
  }
  return null;
}

function sliceNorms(words: readonly CleanWord[], u: SpeechUnit): string[] {
  const out: string[] = [];
  for (let k = u.firstWord; k <= u.lastWord; k++) out.push(words[k].norm);
  return out;
}

function wordGaps(words: readonly CleanWord[], durationSec: number): Interval[] {
  const out: Interval[] = [];
  let t = 0;
  for (const w of words) {
    if (w.start - t >= WORD_GAP_AS_SILENCE_SEC) out.push({ start: t, end: w.start });
    t = Math.max(t, w.end);
  }
  if (durationSec - t >= WORD_GAP_AS_SILENCE_SEC) out.push({ start: t, end: durationSec });
  return out;
}

function gapsBetween(units: readonly SpeechUnit[], durationSec: number): Interval[] {
  const out: Interval[] = [];
  let t = 0;
  for (const u of units) {
    if (u.start > t) out.push({ start: t, end: u.start });
    t = Math.max(t, u.end);
  }
  if (durationSec > t) out.push({ start: t, end: durationSec });
  return out;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}
