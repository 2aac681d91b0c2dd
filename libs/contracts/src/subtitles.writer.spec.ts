import { writeSrt, writeVtt } from './subtitles.writer';

const cues = [
  { start: 0.5, end: 1.25, text: 'Tom & Jerry <live>' },
  { start: 61.0045, end: 62.5, text: 'then --> now' },
];

describe('subtitle writers', () => {
  it('writes SubRip with comma milliseconds and no arrow inside the text', () => {
    expect(writeSrt(cues)).toBe(
      '1\n00:00:00,500 --> 00:00:01,250\nTom & Jerry <live>\n\n' +
        '2\n00:01:01,005 --> 00:01:02,500\nthen -> now\n',
    );
  });

  it('writes WebVTT with entities for &, < and >, so no tag or arrow survives', () => {
    const vtt = writeVtt(cues);
    expect(vtt).toBe(
      'WEBVTT\n\n1\n00:00:00.500 --> 00:00:01.250\nTom &amp; Jerry &lt;live&gt;\n\n' +
        '2\n00:01:01.005 --> 00:01:02.500\nthen --&gt; now\n',
    );
    // Exactly one arrow per cue: the timing line's.
    expect(vtt.match(/-->/g)).toHaveLength(2);
  });

  it('keeps a cue on one line whatever whitespace the recogniser produced', () => {
    const out = writeVtt([{ start: 0, end: 1, text: 'one\n\ntwo\tthree ' }]);
    expect(out.endsWith('\none two three\n')).toBe(true);
  });
});
