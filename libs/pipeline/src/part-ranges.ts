import type { StagePartEntity } from '@clipline/database';

export interface PartRange {
  start: number;
  end: number;
}

/**
 * Share of a split stage done: completed parts whole, running ones by their
 * reported fraction (or `local` for parts this process runs), weighted by length.
 */
export function partsProgress(
  parts: Array<Pick<StagePartEntity, 'id' | 'status' | 'progress' | 'start' | 'end'>>,
  local: ReadonlyMap<string, number> = new Map(),
): number {
  let done = 0;
  let total = 0;
  for (const p of parts) {
    const len = Math.max(0, p.end - p.start);
    total += len;
    if (p.status === 'completed') done += len;
    else {
      const row = p.status === 'running' ? (p.progress ?? 0) : 0;
      done += len * Math.min(1, Math.max(row, local.get(p.id) ?? 0));
    }
  }
  return total > 0 ? done / total : 0;
}

/** Splits [0, duration) into ranges of about `partSeconds`, none shorter than half of it. */
export function splitRanges(durationSec: number, partSeconds: number): PartRange[] {
  const n = Math.max(1, Math.round(durationSec / partSeconds));
  const len = durationSec / n;
  return Array.from({ length: n }, (_, i) => ({
    start: i * len,
    end: i === n - 1 ? durationSec : (i + 1) * len,
  }));
}
