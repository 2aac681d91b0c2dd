import type { HookKind } from './hook.detector';
import type { ExtractedFeatures } from './segment.features';
import type { ScoreWeights, SegmentingOptions } from './segmenting.types';

/** Each scene cut inside a clip is a jump the vertical crop has to follow. */
export function sceneCutScore(cuts: number): number {
  return 1 / (1 + 0.5 * cuts);
}

/**
 * Weighted mean of the feature scores (each 0..1) over the features that had
 * real input, scaled to 0..100 and rounded to one decimal.
 */
export function scoreFeatures(x: ExtractedFeatures, opts: SegmentingOptions): number {
  const f = x.features;
  const w: ScoreWeights = opts.weights;
  const parts: Array<[number, number]> = [
    [w.completeness, f.completeness],
    [w.speechDensity, f.speechDensity],
    [w.silenceRatio, 1 - Math.min(1, f.silenceRatio / opts.maxSilenceRatio)],
  ];
  if (x.available.hook) parts.push([w.hook, f.hook]);
  if (x.available.topicCohesion) parts.push([w.topicCohesion, f.topicCohesion]);
  if (x.available.energyVariation) parts.push([w.energyVariation, f.energyVariation]);
  if (x.available.visual) {
    parts.push([w.faceRatio, f.faceRatio], [w.sceneCuts, sceneCutScore(f.sceneCuts)]);
  }
  let num = 0;
  let den = 0;
  for (const [weight, value] of parts) {
    num += weight * value;
    den += weight;
  }
  return den > 0 ? Math.round((1000 * num) / den) / 10 : 0;
}

const HOOK_PHRASES: Record<HookKind, string> = {
  question: 'a question',
  number: 'a number',
  claim: 'a strong claim',
  you: 'a direct "you"',
};

/** Short plain-language explanation, in the order a reader cares about. */
export function explain(
  x: ExtractedFeatures,
  mode: 'transcript' | 'speech-regions',
  opts: SegmentingOptions,
): string {
  const f = x.features;
  const out: string[] = [];
  if (mode === 'speech-regions') out.push('no usable transcript, cut on speech pauses');
  if (x.available.hook) {
    out.push(
      x.hookKinds.length
        ? `opens with ${joinAnd(x.hookKinds.map((k) => HOOK_PHRASES[k]))}`
        : 'no clear hook',
    );
  }
  if (x.available.topicCohesion) {
    out.push(
      f.topicCohesion >= 0.75
        ? 'one topic'
        : f.topicCohesion >= 0.45
          ? 'mostly one topic'
          : 'drifts between topics',
    );
  }
  if (x.startClean < 0.5) out.push('starts mid-thought');
  if (x.endClean < 0.5) out.push('ends abruptly');
  else if (x.startClean >= 0.9 && x.endClean >= 0.9) out.push('clean start and end');
  out.push(`${Math.round(f.silenceRatio * 100)}% silence`);
  if (mode === 'transcript') {
    if (x.wordsPerSec >= opts.denseWordsPerSec) out.push('dense speech');
    else if (x.wordsPerSec < opts.denseWordsPerSec / 2) out.push('sparse speech');
  }
  if (x.available.energyVariation) {
    if (f.energyVariation >= 0.6) out.push('lively delivery');
    else if (f.energyVariation < 0.2) out.push('flat delivery');
  }
  if (x.available.visual) {
    out.push(f.faceRatio >= 0.05 ? `face on screen ${Math.round(f.faceRatio * 100)}%` : 'no face');
    if (f.sceneCuts > 0) out.push(`${f.sceneCuts} scene cut${f.sceneCuts === 1 ? '' : 's'}`);
  }
  return out.join('; ');
}

function joinAnd(items: string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
