import { STOPWORDS } from './stopwords';

/** Content-word tokens of a normalised word list, with a light plural strip so "clips" meets "clip". */
export function contentTokens(norms: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of norms) {
    let t = raw.replace(/'s$/, '');
    if (t.length < 3 || STOPWORDS.has(t) || /^\d+$/.test(t)) continue;
    if (t.length > 4 && t.endsWith('ies')) t = `${t.slice(0, -3)}y`;
    else if (t.length > 3 && t.endsWith('s') && !t.endsWith('ss') && !t.endsWith('us')) {
      t = t.slice(0, -1);
    }
    out.push(t);
  }
  return out;
}

/**
 * TextTiling-style lexical cohesion. Each sentence becomes a TF-IDF vector
 * (IDF over all sentences of the transcript); the cohesion of a window is the
 * mean cosine similarity between the blocks of up to `block` sentences on
 * either side of each sentence gap inside it, with blocks clipped to the window
 * so text outside never props it up. Only dot products of sentences less than
 * 2·block apart are ever needed, so they are precomputed in a band and any
 * block cosine is a few additions: O(n·block) setup, O(k·block²) per window.
 */
export class LexicalCohesion {
  private readonly band: Float64Array;
  private readonly width: number;
  /** Typical (75th percentile) adjacent-block similarity across the transcript. */
  readonly reference: number;

  constructor(
    sentenceTokens: readonly string[][],
    private readonly block: number,
  ) {
    const n = sentenceTokens.length;
    this.width = 2 * block;
    const df = new Map<string, number>();
    for (const toks of sentenceTokens) {
      for (const t of new Set(toks)) df.set(t, (df.get(t) ?? 0) + 1);
    }
    // Terms get ids in first-seen order, so the vectors are identical run to run.
    const ids = new Map<string, number>();
    const terms: string[] = [];
    const vectors = sentenceTokens.map((toks) => {
      const tf = new Map<number, number>();
      for (const t of toks) {
        let id = ids.get(t);
        if (id === undefined) {
          id = terms.length;
          ids.set(t, id);
          terms.push(t);
        }
        tf.set(id, (tf.get(id) ?? 0) + 1);
      }
      const entries = [...tf.entries()].sort((a, b) => a[0] - b[0]);
      const termIds = new Int32Array(entries.length);
      const weights = new Float64Array(entries.length);
      entries.forEach(([id, count], k) => {
        termIds[k] = id;
        weights[k] = count * (Math.log((1 + n) / (1 + (df.get(terms[id]) ?? 0))) + 1);
      });
      return { termIds, weights };
    });

    this.band = new Float64Array(n * this.width);
    for (let a = 0; a < n; a++) {
      for (let d = 0; d < this.width && a + d < n; d++) {
        this.band[a * this.width + d] = sparseDot(vectors[a], vectors[a + d]);
      }
    }

    const gaps: number[] = [];
    for (let t = 0; t + 1 < n; t++) {
      const s = this.gapSimilarity(Math.max(0, t - block + 1), t, Math.min(n - 1, t + block));
      if (s !== null) gaps.push(s);
    }
    gaps.sort((x, y) => x - y);
    const p75 = gaps.length ? gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * 0.75))] : 0;
    this.reference = Math.max(0.05, p75);
  }

  /**
   * Mean adjacent-block cosine over the gaps inside sentences [i..j], or null
   * when the window has a single sentence or no content words.
   */
  windowCohesion(i: number, j: number): number | null {
    let total = 0;
    let count = 0;
    for (let t = i; t < j; t++) {
      const s = this.gapSimilarity(Math.max(i, t - this.block + 1), t, Math.min(j, t + this.block));
      if (s === null) continue;
      total += s;
      count++;
    }
    return count ? total / count : null;
  }

  /** Cosine between the summed vectors of sentences [l..t] and [t+1..r]. */
  private gapSimilarity(l: number, t: number, r: number): number | null {
    const lr = this.blockDot(l, t, t + 1, r);
    const ll = this.blockDot(l, t, l, t);
    const rr = this.blockDot(t + 1, r, t + 1, r);
    if (ll <= 0 || rr <= 0) return null;
    return Math.min(1, lr / Math.sqrt(ll * rr));
  }

  private blockDot(a0: number, a1: number, b0: number, b1: number): number {
    let s = 0;
    for (let a = a0; a <= a1; a++) {
      for (let b = b0; b <= b1; b++) {
        s += a <= b ? this.band[a * this.width + (b - a)] : this.band[b * this.width + (a - b)];
      }
    }
    return s;
  }
}

function sparseDot(
  x: { termIds: Int32Array; weights: Float64Array },
  y: { termIds: Int32Array; weights: Float64Array },
): number {
  let i = 0;
  let j = 0;
  let s = 0;
  while (i < x.termIds.length && j < y.termIds.length) {
    const a = x.termIds[i];
    const b = y.termIds[j];
    if (a === b) {
      s += x.weights[i] * y.weights[j];
      i++;
      j++;
    } else if (a < b) i++;
    else j++;
  }
  return s;
}
