import { wavMediaInfo } from '@test/support/factories/media.factory';
import {
  buildAss,
  buildSrt,
  buildVtt,
  captionStyleFor,
  DEFAULT_LINE_RULES,
  groupCaptionLines,
} from './captions.builder';
import { planRender } from './render.stage';
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

  it('escapes sidecar text: an arrow never ends the timing, VTT markup is shown as text', () => {
    const lines = groupCaptionLines([
      { text: 'a-->b', start: 0, end: 0.5 },
      { text: 'R&D', start: 0.6, end: 1 },
      { text: '<3', start: 1.1, end: 1.4 },
    ]);
    const vttCue = buildVtt(lines).split('\n').slice(4).join('\n');
    expect(vttCue).toBe('a--&gt;b R&amp;D &lt;3\n');
    expect(buildSrt(lines)).toBe('1\n00:00:00,000 --> 00:00:01,800\na->b R&D <3\n');
  });

  it('strips characters that ASS would read as override tags', () => {
    const ass = buildAss(
      groupCaptionLines([{ text: '{\\b1}hi', start: 0, end: 1 }]),
      captionStyleFor(1080, 1080, 'X'),
    );
    expect(ass).toContain('/b1hi');
  });
});

describe('captions over silence and music', () => {
  // Speech, then 11.5 s of music in which a recogniser "heard" words, then speech again.
  const music = { start: 2.6, end: 14.1 };
  const said: TimedWord[] = [
    { text: 'The', start: 0.5, end: 0.7 },
    { text: 'tide', start: 0.8, end: 1.2 },
    { text: 'turns', start: 1.3, end: 1.8 },
    { text: 'at', start: 1.9, end: 2.0 },
    // Stretched across the start of the music by a loose alignment: mostly said, so kept.
    { text: 'dawn.', start: 2.1, end: 3.0 },
    { text: 'Boats', start: 14.3, end: 14.7 },
    { text: 'return.', start: 14.8, end: 15.3 },
  ];
  const phantom: TimedWord[] = [
    { text: 'baby', start: 4, end: 4.5 },
    { text: 'tonight', start: 6, end: 6.8 },
    // Half in speech, most of it in the music.
    { text: 'yeah', start: 13.5, end: 14.2 },
  ];
  const all = [...said, ...phantom].sort((a, b) => a.start - b.start);

  const overlap = (a: number, b: number) =>
    Math.max(0, Math.min(b, music.end) - Math.max(a, music.start));

  it('drops words heard inside non-speech and never holds a line over more than 1 s of it', () => {
    const lines = groupCaptionLines(all, DEFAULT_LINE_RULES, [music]);
    const text = lines.map((l) => l.text).join(' ');
    expect(text).toBe('The tide turns at dawn. Boats return.');
    for (const l of lines) expect(overlap(l.start, l.end)).toBeLessThanOrEqual(1 + 1e-9);
    // Even a single stretched word does not keep its line up through the music.
    const stretched = groupCaptionLines(
      [{ text: 'dawn', start: 0.5, end: 3.8 }],
      DEFAULT_LINE_RULES,
      [music],
    );
    expect(stretched).toHaveLength(1);
    expect(overlap(stretched[0].start, stretched[0].end)).toBeLessThanOrEqual(1 + 1e-9);
  });

  it('keeps the first words of a sentence over a music bed that the VAD still calls music', () => {
    // Speech over a bed: the VAD's non-speech runs 0.35 s into "Printing".
    const bed = { start: 2.6, end: 5.35, kind: 'non_speech' as const };
    const words: TimedWord[] = [
      { text: 'baby', start: 3.9, end: 4.3 },
      { text: 'Printing,', start: 5.0, end: 5.45 },
      { text: 'then,', start: 5.5, end: 5.8 },
      { text: 'differs', start: 5.9, end: 6.3 },
    ];
    const text = (spans: Parameters<typeof groupCaptionLines>[2]) =>
      groupCaptionLines(words, DEFAULT_LINE_RULES, spans)
        .map((l) => l.text)
        .join(' ');
    // "baby" is deep in the music and stays out; the sentence keeps its first word.
    expect(text([bed])).toBe('Printing, then, differs');
    // Where the level meter hears silence there is no voice to lag behind.
    expect(text([{ ...bed, kind: 'silence' }])).toBe('then, differs');
    // Nor does a word the VAD calls music that does not run into speech.
    expect(
      groupCaptionLines([words[1], { text: 'later', start: 7.5, end: 7.9 }], DEFAULT_LINE_RULES, [
        bed,
      ]).map((l) => l.text),
    ).toEqual(['later']);
  });

  it('leaves the words out of the rendered captions when the silence stage marks music there', () => {
    const media = wavMediaInfo({ durationSec: 20, sizeBytes: null });
    // In source time: the clip starts 10 s in.
    const shift = (w: TimedWord) => ({
      ...w,
      start: w.start + 10,
      end: w.end + 10,
      confidence: 0.8,
    });
    const plan = planRender({
      sourceUrl: '/dev/null',
      media: { ...media, durationSec: 40 },
      start: 10,
      end: 26,
      aspect: '9:16',
      words: all.map(shift),
      silences: [{ kind: 'non_speech', start: music.start + 10, end: music.end + 10, meanDb: -20 }],
      removeSilence: false,
      captions: true,
      cropPlan: null,
      workDir: '/tmp',
    });
    expect(plan.vtt).not.toMatch(/baby|tonight|yeah/);
    expect(plan.vtt).toMatch(/dawn/);
    for (const cue of plan.vtt.matchAll(/(\d+):(\d+):([\d.]+) --> (\d+):(\d+):([\d.]+)/g)) {
      const t = (h: string, m: string, s: string) => Number(h) * 3600 + Number(m) * 60 + Number(s);
      expect(overlap(t(cue[1], cue[2], cue[3]), t(cue[4], cue[5], cue[6]))).toBeLessThanOrEqual(
        1.001,
      );
    }
  });
});
