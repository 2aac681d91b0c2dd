import type { LayoutResult, SegmentFeatures } from '@clipline/contracts';
import type { Window } from './candidate.generator';
import { detectHook, HookSignal } from './hook.detector';
import type { LexicalCohesion } from './lexical-cohesion';
import type { CleanWord, SegmentingOptions, SpeechUnit } from './segmenting.types';
import { countInside, EnergySeries, IntervalCoverage } from './timeline.index';

// Words that leave a thought hanging when they open or close a clip.
const LEADING_CONNECTIVES = new Set([
  'and',
  'but',
  'so',
  'because',
  'or',
  'which',
  'then',
  'also',
  'plus',
  'though',
  'although',
  'whereas',
  'therefore',
  'anyway',
  'besides',
]);
const TRAILING_FUNCTION = new Set([
  'and',
  'but',
  'so',
  'because',
  'or',
  'the',
  'a',
  'an',
  'to',
  'of',
  'with',
  'that',
  'which',
  'for',
  'in',
  'on',
  'my',
  'your',
  'our',
  'their',
  'is',
  'are',
]);

export interface FeatureContext {
  mode: 'transcript' | 'speech-regions';
  units: readonly SpeechUnit[];
  words: readonly CleanWord[];
  punctuated: boolean;
  pauses: IntervalCoverage;
  /** Dead air and music only (see nonSpeechIndex), for the quality floor. */
  nonSpeech: IntervalCoverage;
  cohesion: LexicalCohesion | null;
  energy: EnergySeries | null;
  visual: VisualIndex | null;
  opts: SegmentingOptions;
}

/** Which features had real input behind them; the rest hold neutral values and stay out of the score. */
export interface FeatureAvailability {
  hook: boolean;
  topicCohesion: boolean;
  energyVariation: boolean;
  visual: boolean;
}

export interface ExtractedFeatures {
  features: SegmentFeatures;
  /** Share of the clip that is dead air or music; pauses of normal length do not count. */
  nonSpeechRatio: number;
  available: FeatureAvailability;
  hookKinds: HookSignal['kinds'];
  wordsPerSec: number;
  startClean: number;
  endClean: number;
}

export interface VisualIndex {
  /** Sorted sample times with at least one face. */
  faceTimes: Float64Array;
  sampleFps: number;
  sceneCuts: Float64Array;
}

/** Null when the layout carries nothing to measure (e.g. analysis produced no frames). */
export function buildVisualIndex(layout: LayoutResult | null): VisualIndex | null {
  if (!layout || !(layout.sampleFps > 0) || (layout.frameCount === 0 && !layout.scenes.length)) {
    return null;
  }
  const times = new Set<number>();
  // Rounded to the sampling grid so two faces in the same frame count once.
  for (const track of layout.faceTracks) {
    for (const p of track.points) {
      if (Number.isFinite(p.t)) times.add(Math.round(p.t * layout.sampleFps));
    }
  }
  const faceTimes = Float64Array.from(
    [...times].sort((a, b) => a - b),
    (k) => k / layout.sampleFps,
  );
  const sceneCuts = Float64Array.from(
    layout.sceneCuts.filter(Number.isFinite).sort((a, b) => a - b),
  );
  return { faceTimes, sampleFps: layout.sampleFps, sceneCuts };
}

export function extractFeatures(
  w: Window,
  ctx: FeatureContext,
  hookCache: Map<number, HookSignal>,
): ExtractedFeatures {
  const { units, opts } = ctx;
  const first = units[w.first];
  const last = units[w.last];
  const duration = w.end - w.start;
  const silenceRatio = ctx.pauses.covered(w.start, w.end) / duration;

  let hook = 0;
  let hookKinds: HookSignal['kinds'] = [];
  let wordsPerSec = 0;
  let speechDensity: number;
  if (ctx.mode === 'transcript') {
    let h = hookCache.get(w.first);
    if (!h) {
      const norms: string[] = [];
      for (let k = first.firstWord; k <= first.lastWord && norms.length < 25; k++) {
        norms.push(ctx.words[k].norm);
      }
      h = detectHook(norms, first.terminal, ctx.punctuated);
      hookCache.set(w.first, h);
    }
    hook = h.score;
    hookKinds = h.kinds;
    wordsPerSec = (last.lastWord - first.firstWord + 1) / duration;
    speechDensity = Math.min(1, wordsPerSec / opts.denseWordsPerSec);
  } else {
    // Without words, density is how much of the window is speech.
    speechDensity = Math.max(0, 1 - silenceRatio);
  }

  const startClean =
    boundaryQuality(first.breakBefore, first.gapBefore, opts.pauseSec) *
    (ctx.mode === 'transcript' && LEADING_CONNECTIVES.has(ctx.words[first.firstWord].norm)
      ? 0.6
      : 1);
  let endClean = boundaryQuality(last.breakAfter, last.gapAfter, opts.pauseSec);
  if (last.terminal === '?') endClean *= 0.6;
  if (ctx.mode === 'transcript' && TRAILING_FUNCTION.has(ctx.words[last.lastWord].norm)) {
    endClean *= 0.5;
  }
  const completeness = (startClean + endClean) / 2;

  let topicCohesion = 0.5;
  let cohesionAvailable = false;
  if (ctx.cohesion) {
    const raw = ctx.cohesion.windowCohesion(w.first, w.last);
    if (raw !== null) {
      topicCohesion = Math.min(1, raw / ctx.cohesion.reference);
      cohesionAvailable = true;
    }
  }

  let energyVariation = 0.5;
  let energyAvailable = false;
  const std = ctx.energy?.stdDb(w.start, w.end) ?? null;
  if (std !== null) {
    energyVariation = Math.min(1, std / opts.livelyEnergyStdDb);
    energyAvailable = true;
  }

  let faceRatio = 0.5;
  let sceneCuts = 0;
  if (ctx.visual) {
    const v = ctx.visual;
    const seen = countInside(v.faceTimes, w.start - 1e-6, w.end + 1e-6);
    const frames = Math.max(1, Math.floor(duration * v.sampleFps + 1e-6));
    faceRatio = Math.min(1, seen / frames);
    sceneCuts = countInside(v.sceneCuts, w.start, w.end);
  }

  return {
    features: {
      hook,
      completeness,
      speechDensity,
      silenceRatio,
      topicCohesion,
      energyVariation,
      faceRatio,
      sceneCuts,
    },
    nonSpeechRatio: ctx.nonSpeech.covered(w.start, w.end) / duration,
    available: {
      hook: ctx.mode === 'transcript',
      topicCohesion: cohesionAvailable,
      energyVariation: energyAvailable,
      visual: ctx.visual !== null,
    },
    hookKinds,
    wordsPerSec,
    startClean,
    endClean,
  };
}

function boundaryQuality(kind: SpeechUnit['breakBefore'], gap: number, pauseSec: number): number {
  if (kind === 'edge' || gap >= pauseSec) return 1;
  if (kind === 'punct' || kind === 'segment' || kind === 'pause') return 0.75;
  return 0.3;
}
