import type { TranscriptResult } from '@clipline/contracts';
import { toSrt, toTxt, toVtt } from './caption-format';

const result: TranscriptResult = {
  engine: 'openai',
  model: 'whisper-1',
  modelVersion: 'whisper-1',
  language: 'en',
  text: 'Hello there. How are you?',
  words: [],
  segments: [
    { text: 'Hello there.', start: 0.5, end: 1.25 },
    { text: 'How are you?', start: 3661.0015, end: 3662.999 },
  ],
  note: null,
};

describe('caption formats', () => {
  it('writes SubRip cues with comma milliseconds', () => {
    expect(toSrt(result)).toBe(
      '1\n00:00:00,500 --> 00:00:01,250\nHello there.\n\n2\n01:01:01,002 --> 01:01:02,999\nHow are you?\n',
    );
  });

  it('writes WebVTT with a header and dot milliseconds', () => {
    expect(toVtt(result)).toBe(
      'WEBVTT\n\n1\n00:00:00.500 --> 00:00:01.250\nHello there.\n\n2\n01:01:01.002 --> 01:01:02.999\nHow are you?\n',
    );
  });

  it('keeps text that looks like markup or timing from breaking the cue', () => {
    const tricky: TranscriptResult = {
      ...result,
      segments: [{ text: 'A --> B & <i>C</i>\n\nD', start: 1, end: 2 }],
    };
    expect(toVtt(tricky)).toBe(
      'WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nA --&gt; B &amp; &lt;i&gt;C&lt;/i&gt; D\n',
    );
    expect(toSrt(tricky)).toBe('1\n00:00:01,000 --> 00:00:02,000\nA -> B & <i>C</i> D\n');
  });

  it('writes text with timestamps, or the note when empty', () => {
    expect(toTxt(result)).toBe('[00:00:00] Hello there.\n[01:01:01] How are you?\n');
    expect(toTxt({ ...result, segments: [], note: 'The audio is silent.' })).toBe(
      '(The audio is silent.)\n',
    );
  });
});
