import type { Window } from './candidate.generator';

export interface Ranked<T extends { window: Window; score: number }> {
  selected: T[];
  runnersUp: T[];
}

/** Highest score first; ties go to the earlier, then shorter window, so the order never depends on input order. */
export function compareCandidates(
  a: { window: Window; score: number },
  b: { window: Window; score: number },
): number {
  return (
    b.score - a.score ||
    a.window.start - b.window.start ||
    a.window.end - b.window.end ||
    a.window.first - b.window.first ||
    a.window.last - b.window.last
  );
}

/**
 * Greedy by score: the best window, then the best one not overlapping it, and
 * so on. The first `count` are the clips; the next `runnersUp` overlap neither
 * the clips nor each other, so any one can be promoted without re-cutting.
 */
export function pickNonOverlapping<T extends { window: Window; score: number }>(
  candidates: readonly T[],
  count: number,
  runnersUp: number,
): Ranked<T> {
  const sorted = [...candidates].sort(compareCandidates);
  const picked: T[] = [];
  for (const c of sorted) {
    if (picked.length >= count + runnersUp) break;
    const clash = picked.some(
      (p) => c.window.start < p.window.end && p.window.start < c.window.end,
    );
    if (!clash) picked.push(c);
  }
  return { selected: picked.slice(0, count), runnersUp: picked.slice(count) };
}
