import { splitRanges } from './part-ranges';

describe('splitRanges', () => {
  it('covers the source with contiguous parts near the target length', () => {
    const parts = splitRanges(3700, 600);
    expect(parts).toHaveLength(6);
    expect(parts[0].start).toBe(0);
    expect(parts[parts.length - 1].end).toBe(3700);
    for (let i = 1; i < parts.length; i++) expect(parts[i].start).toBe(parts[i - 1].end);
    for (const p of parts) expect(p.end - p.start).toBeGreaterThan(300);
  });

  it('keeps a short source whole', () => {
    expect(splitRanges(200, 600)).toEqual([{ start: 0, end: 200 }]);
  });
});
