import { cleanTitle, titleFromFilename, TITLE_MAX_CHARS } from './audiogram.builder';
import { buildAss, captionStyleFor } from './captions.builder';

describe('cleanTitle', () => {
  it('leaves no ASS override, escape or line break', () => {
    const t = cleanTitle('a {\\an7\\c&H0000FF&} b \\N c\nd\r\ne\u2028f\tg');
    expect(t).toBe('a (/an7/c&H0000FF&) b /N c d e f g');
    const ass = buildAss([], captionStyleFor(1080, 1920, 'DejaVu Sans'), {
      text: t,
      fontSize: 50,
      marginV: 100,
      marginH: 80,
      durationSec: 5,
    });
    const events = ass.split('\n').filter((l) => l.startsWith('Dialogue:'));
    expect(events).toHaveLength(1);
    expect(events[0]).not.toMatch(/[{}\\]/);
  });

  it('keeps quotes, colons, percent signs and RTL text; drops emoji and bidi overrides', () => {
    expect(cleanTitle(`He said "ask": 100% %{pts} שלום 🎙️👍🏽🇫🇷 x\u202Ey`)).toBe(
      'He said "ask": 100% %(pts) שלום xy',
    );
  });

  it('cuts long titles at a character boundary with an ellipsis', () => {
    const t = cleanTitle('é'.normalize('NFD').repeat(500));
    expect([...new Intl.Segmenter().segment(t)]).toHaveLength(TITLE_MAX_CHARS);
    expect(t.endsWith('…')).toBe(true);
    expect(cleanTitle('short')).toBe('short');
    expect(cleanTitle(null)).toBe('');
    expect(cleanTitle(' \n ')).toBe('');
  });
});

describe('titleFromFilename', () => {
  it('uses the file name without folder, extension and underscores', () => {
    expect(titleFromFilename('2024-05_my_podcast-ep12.final.mp3')).toBe(
      '2024-05 my podcast-ep12.final',
    );
    expect(titleFromFilename('C:\\shows\\Episode 3.wav')).toBe('Episode 3');
    expect(titleFromFilename(null)).toBe('');
  });
});
