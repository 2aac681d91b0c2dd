export interface Span {
  start: number;
  end: number;
}

export interface MatchReport {
  truePositives: number;
  precision: number;
  recall: number;
  f1: number;
  /** Pairs (truth, detected) that matched, with their boundary errors in seconds (detected − truth). */
  pairs: Array<{ truth: Span; found: Span; startErr: number; endErr: number }>;
}

function iou(a: Span, b: Span): number {
  const inter = Math.min(a.end, b.end) - Math.max(a.start, b.start);
  if (inter <= 0) return 0;
  return inter / (Math.max(a.end, b.end) - Math.min(a.start, b.start));
}

/**
 * One-to-one matching of detected regions to reference regions for scoring:
 * pairs are taken greedily by highest IoU, and a pair counts only when its IoU
 * is at least `minIou` (default 0.5, so neither region can be more than twice
 * the other or badly offset).
 */
export function matchRegions(truth: Span[], found: Span[], minIou = 0.5): MatchReport {
  const cands: Array<{ i: number; j: number; v: number }> = [];
  for (let i = 0; i < truth.length; i++) {
    for (let j = 0; j < found.length; j++) {
      const v = iou(truth[i], found[j]);
      if (v >= minIou) cands.push({ i, j, v });
    }
  }
  cands.sort((a, b) => b.v - a.v);
  const usedT = new Set<number>();
  const usedF = new Set<number>();
  const pairs: MatchReport['pairs'] = [];
  for (const c of cands) {
    if (usedT.has(c.i) || usedF.has(c.j)) continue;
    usedT.add(c.i);
    usedF.add(c.j);
    const t = truth[c.i];
    const f = found[c.j];
    pairs.push({ truth: t, found: f, startErr: f.start - t.start, endErr: f.end - t.end });
  }
  pairs.sort((a, b) => a.truth.start - b.truth.start);
  const tp = pairs.length;
  const precision = found.length ? tp / found.length : truth.length ? 0 : 1;
  const recall = truth.length ? tp / truth.length : 1;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { truePositives: tp, precision, recall, f1, pairs };
}
