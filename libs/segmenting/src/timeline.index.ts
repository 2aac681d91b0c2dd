/** First index in a sorted array whose value is >= x. */
export function lowerBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in a sorted array whose value is > x. */
export function upperBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface Interval {
  start: number;
  end: number;
}

/** Sorts and merges overlapping intervals, dropping empty ones. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals
    .filter((r) => Number.isFinite(r.start) && Number.isFinite(r.end) && r.end > r.start)
    .map((r) => ({ start: r.start, end: r.end }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Interval[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push(r);
  }
  return out;
}

/**
 * Disjoint sorted intervals with prefix sums, so the covered length of any
 * window costs two binary searches instead of a scan.
 */
export class IntervalCoverage {
  readonly intervals: Interval[];
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;
  private readonly prefix: Float64Array;

  constructor(intervals: readonly Interval[]) {
    this.intervals = mergeIntervals(intervals);
    const n = this.intervals.length;
    this.starts = new Float64Array(n);
    this.ends = new Float64Array(n);
    this.prefix = new Float64Array(n + 1);
    this.intervals.forEach((r, i) => {
      this.starts[i] = r.start;
      this.ends[i] = r.end;
      this.prefix[i + 1] = this.prefix[i] + (r.end - r.start);
    });
  }

  /** Covered length inside [a, b]. */
  covered(a: number, b: number): number {
    if (b <= a || this.intervals.length === 0) return 0;
    // Intervals fully or partly inside: those ending after a and starting before b.
    const i = upperBound(this.ends, a);
    const j = lowerBound(this.starts, b);
    if (j <= i) return 0;
    let total = this.prefix[j] - this.prefix[i];
    total -= Math.max(0, a - this.starts[i]);
    total -= Math.max(0, this.ends[j - 1] - b);
    return Math.max(0, total);
  }

  /** The last interval starting before t (it also ends last, since intervals are disjoint). */
  before(t: number): Interval | null {
    const i = lowerBound(this.starts, t) - 1;
    return i >= 0 ? this.intervals[i] : null;
  }

  /** The first interval ending after t. */
  after(t: number): Interval | null {
    const i = upperBound(this.ends, t);
    return i < this.intervals.length ? this.intervals[i] : null;
  }
}

/** Per-second loudness with prefix sums for O(1) mean and spread of any window. */
export class EnergySeries {
  private readonly count: Float64Array;
  private readonly sum: Float64Array;
  private readonly sumSq: Float64Array;
  readonly length: number;

  /** Seconds quieter than `floorDb` are pauses, not delivery, and are left out. */
  constructor(
    readonly values: readonly number[],
    floorDb: number,
  ) {
    const n = values.length;
    this.length = n;
    this.count = new Float64Array(n + 1);
    this.sum = new Float64Array(n + 1);
    this.sumSq = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      const ok = Number.isFinite(v) && v > floorDb;
      this.count[i + 1] = this.count[i] + (ok ? 1 : 0);
      this.sum[i + 1] = this.sum[i] + (ok ? v : 0);
      this.sumSq[i + 1] = this.sumSq[i] + (ok ? v * v : 0);
    }
  }

  /** Standard deviation in dB over the whole seconds inside [a, b], or null with under 3 voiced seconds. */
  stdDb(a: number, b: number): number | null {
    const i = Math.max(0, Math.min(this.length, Math.floor(a)));
    const j = Math.max(i, Math.min(this.length, Math.ceil(b)));
    const n = this.count[j] - this.count[i];
    if (n < 3) return null;
    const mean = (this.sum[j] - this.sum[i]) / n;
    const variance = (this.sumSq[j] - this.sumSq[i]) / n - mean * mean;
    return Math.sqrt(Math.max(0, variance));
  }
}

/** Counts sorted time points inside (a, b). */
export function countInside(sorted: ArrayLike<number>, a: number, b: number): number {
  return Math.max(0, lowerBound(sorted, b) - upperBound(sorted, a));
}
