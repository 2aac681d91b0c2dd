import type { TranscriptWord } from '@clipline/contracts';

/** Every engine's words must be in order, non-empty, inside the audio, with confidences in [0, 1]. */
export function expectWordTimeline(words: TranscriptWord[], durationSec: number): void {
  let prevEnd = 0;
  for (const w of words) {
    expect(w.start).toBeGreaterThanOrEqual(prevEnd - 1e-9);
    expect(w.end).toBeGreaterThan(w.start);
    expect(w.end).toBeLessThanOrEqual(durationSec + 1e-6);
    expect(w.confidence).toBeGreaterThanOrEqual(0);
    expect(w.confidence).toBeLessThanOrEqual(1);
    prevEnd = w.end;
  }
}
