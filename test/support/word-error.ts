/** Lower-case words without punctuation, as recognisers spell them. */
export const normWords = (s: string): string[] =>
  s
    .toLowerCase()
    .replace(/[^a-z' ]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);

/** Word-level edit distance (substitutions, insertions, deletions). */
export function editDistance(ref: string[], hyp: string[]): number {
  let prev = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const cur = [i];
    for (let j = 1; j <= hyp.length; j++) {
      cur[j] = Math.min(
        prev[j] + 1,
        cur[j - 1] + 1,
        prev[j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[hyp.length];
}

/** Word error rate: edit distance between word lists over the reference length. */
export const wordErrorRate = (ref: string[], hyp: string[]): number =>
  editDistance(ref, hyp) / ref.length;
