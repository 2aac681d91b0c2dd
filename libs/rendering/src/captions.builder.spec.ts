import {
  buildAss,
  buildSrt,
  buildVtt,
  captionStyleFor,
  groupCaptionLines,
} from './captions.builder';
import type { TimedWord } from './render.types';

const words: TimedWord[] = 'Why do most editing tools feel so slow? The answer is simple'
  .split(' ')
  .map((text, i) => ({ text, start: i * 0.4, end: i * 0.4 + 0.3 }));

describe('captions', () => {
  it('makes short lines and breaks after a sentence end and a long pause', () => {
    const paused = words.map((w, i) =>
      i >= 10 ? { ...w, start: w.start + 2, end: w.end + 2 } : w,
    );
    const lines = groupCaptionLines(paused);
    for (const l of lines) {
      expect(l.words.length).toBeLessThanOrEqual(3);
      expect(l.text.length <= 18 || l.words.length === 1).toBe(true);
    }
    expect(lines.some((l) => l.text.endsWith('slow?'))).toBe(true);
    expect(lines.find((l) => l.text === 'is simple')).toBeDefined();
    for (let i = 1; i < lines.length; i++)
      expect(lines[i].start).toBeGreaterThanOrEqual(lines[i - 1].end);
  });

  it('writes one ASS event per word with the current word highlighted', () => {
    const lines = groupCaptionLines(words.slice(0, 3));
    const ass = buildAss(lines, captionStyleFor(1080, 1920, 'DejaVu Sans'));
    const events = ass.split('\n').filter((l) => l.startsWith('Dialogue:'));
    expect(events).toHaveLength(3);
    expect(events[1]).toContain('0:00:00.40,0:00:00.80');
    expect(events[1]).toMatch(/Why \{\\c&H00E5FF&\}do\{\\c&HFFFFFF&\} most/);
    expect(ass).toContain('PlayResY: 1920');
    // A quarter of a portrait frame stays free for the phone's own UI.
    expect(ass).toMatch(/Style: Caption,DejaVu Sans,\d+,.*,2,\d+,\d+,480,1/);
  });

  it('writes VTT and SRT with clip times', () => {
    const lines = groupCaptionLines(words.slice(0, 4));
    const vtt = buildVtt(lines);
    const srt = buildSrt(lines);
    expect(vtt.startsWith('WEBVTT\n')).toBe(true);
    expect(vtt).toContain('00:00:00.000 --> 00:00:01.200\nWhy do most');
    expect(srt).toContain('1\n00:00:00,000 --> 00:00:01,200\nWhy do most');
    expect(srt).toContain('2\n00:00:01,200 --> 00:00:01,900\nediting');
  });

  it('strips characters that ASS would read as override tags', () => {
    const ass = buildAss(
      groupCaptionLines([{ text: '{\\b1}hi', start: 0, end: 1 }]),
      captionStyleFor(1080, 1080, 'X'),
    );
    expect(ass).toContain('/b1hi');
  });
});
