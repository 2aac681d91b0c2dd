import {
  CAPTION_TEMPLATES,
  DEFAULT_CLIP_LOOK,
  resolveClipLook,
  type CaptionStyle,
} from '@clipline/contracts';
import { buildStyledAss, keywordNorm, lineRulesFor } from './caption-templates';
import { buildAss, captionStyleFor, groupCaptionLines } from './captions.builder';
import { audiogramLayout } from './audiogram.builder';
import { firstSentence, hookTitleText } from './hook-title';
import type { TimedWord } from './render.types';

const words: TimedWord[] = 'Why do 3 editing tools never feel slow? The answer is simple'
  .split(' ')
  .map((text, i) => ({ text, start: i * 0.4, end: i * 0.4 + 0.3 }));

const style = (c: Partial<CaptionStyle>) => resolveClipLook(null, { captions: c }).captions;

/** The parts of an ASS script a check needs: styles by name (fields by the Format line) and events. */
function parseAss(ass: string) {
  const lines = ass.split('\n');
  const fmt = lines
    .find((l) => l.startsWith('Format: Name'))!
    .slice(8)
    .split(',')
    .map((s) => s.trim());
  const styles = new Map<string, Record<string, string>>();
  for (const l of lines.filter((x) => x.startsWith('Style: '))) {
    const v = l.slice(7).split(',');
    styles.set(v[0], Object.fromEntries(fmt.map((k, i) => [k, v[i]])));
  }
  const events = lines
    .filter((l) => l.startsWith('Dialogue: '))
    .map((l) => {
      const v = l.slice(10).split(',');
      return { start: v[1], end: v[2], style: v[3], text: v.slice(9).join(',') };
    });
  return { styles, events };
}

const render = (
  c: Partial<CaptionStyle>,
  extra: Partial<Parameters<typeof buildStyledAss>[0]> = {},
) => {
  const s = style(c);
  return parseAss(
    buildStyledAss({
      lines: groupCaptionLines(words, lineRulesFor(s)),
      width: 1080,
      height: 1920,
      style: s,
      ...extra,
    }),
  );
};

describe('caption templates', () => {
  it('the default look writes exactly the script of before (bold-pop), with and without an audiogram title', () => {
    const lines = groupCaptionLines(words);
    const base = captionStyleFor(1080, 1920, 'DejaVu Sans');
    expect(
      buildStyledAss({ lines, width: 1080, height: 1920, style: DEFAULT_CLIP_LOOK.captions }),
    ).toBe(buildAss(lines, base));
    const title = { text: 'My show', durationSec: 12, ...audiogramLayout(1080, 1920).title };
    expect(
      buildStyledAss({
        lines,
        width: 1080,
        height: 1920,
        style: DEFAULT_CLIP_LOOK.captions,
        audiogramTitle: title,
      }),
    ).toBe(buildAss(lines, base, title));
    expect(lineRulesFor(DEFAULT_CLIP_LOOK.captions)).toEqual({
      maxWords: 3,
      maxChars: 18,
      maxGapSec: 0.6,
      holdSec: 0.4,
      maxNonSpeechSec: 1,
    });
  });

  it('bold-pop highlights the spoken word in each of its line events', () => {
    const { events, styles } = render({ template: 'bold-pop' });
    expect(styles.get('Caption')!.BorderStyle).toBe('1');
    expect(events[1].text).toBe('Why {\\c&H00E5FF&}do{\\c&HFFFFFF&} 3');
  });

  it('boxed puts an opaque box behind the line (BorderStyle 3), whatever the decoration', () => {
    const { styles, events } = render({ template: 'boxed', decoration: 'outline' });
    const c = styles.get('Caption')!;
    expect(c.BorderStyle).toBe('3');
    expect(c.OutlineColour).toBe('&H00000000');
    expect(Number(c.Outline)).toBeGreaterThan(0);
    expect(events[0].text).toContain('{\\c&H00E5FF&}Why');
  });

  it('lower-third shows whole lines at the lower left, smaller, without a moving highlight', () => {
    const { styles, events } = render({ template: 'lower-third' });
    const c = styles.get('Caption')!;
    expect(c.Alignment).toBe('1');
    expect(Number(c.Fontsize)).toBeLessThan(Math.round(1080 * 0.07));
    expect(events[0].text).toBe('Why do 3');
    expect(events.every((e) => !e.text.includes('\\c'))).toBe(true);
  });

  it('word-by-word shows one word per event, in order', () => {
    const { events } = render({ template: 'word-by-word', wordsPerLine: 5 });
    expect(events.map((e) => e.text)).toEqual(words.map((w) => w.text));
  });

  it('applies font, size, colours, uppercase and decoration overrides', () => {
    const { styles, events } = render({
      font: 'Liberation Sans',
      size: 0.1,
      textColor: '#112233',
      highlightColor: '#AABBCC',
      uppercase: true,
      decoration: 'none',
    });
    const c = styles.get('Caption')!;
    expect(c.Fontname).toBe('Liberation Sans');
    expect(c.Fontsize).toBe('108');
    expect(c.PrimaryColour).toBe('&H00332211');
    expect(c.SecondaryColour).toBe('&H00CCBBAA');
    expect([c.Outline, c.Shadow]).toEqual(['0', '0']);
    expect(events[0].text).toBe('{\\c&HCCBBAA&}WHY{\\c&H332211&} DO 3');
  });

  it.each([
    ['top', '8'],
    ['middle', '5'],
    ['bottom', '2'],
  ] as const)('places %s captions with alignment %s', (position, alignment) => {
    expect(render({ position }).styles.get('Caption')!.Alignment).toBe(alignment);
  });

  it('a numeric position places every event at that share of the height', () => {
    const { events } = render({ position: 0.4 });
    for (const e of events) expect(e.text.startsWith('{\\an5\\pos(540,768)}')).toBe(true);
  });

  it('words per line regroups the burned lines', () => {
    const two = render({ wordsPerLine: 2 }).events;
    const six = render({ wordsPerLine: 6 }).events;
    expect(two[0].text.split(' ')).toHaveLength(2);
    expect(six[0].text.replace(/\{[^}]*\}/g, '').split(' ')).toHaveLength(6);
  });

  it('highlights numbers and hook words when asked, and nothing extra when not', () => {
    const on = render(
      { template: 'lower-third', highlightKeywords: true },
      { keywords: new Set(['never']) },
    );
    const text = on.events.map((e) => e.text).join(' ');
    expect(text).toContain('{\\c&H00E5FF&}3{\\c&HFFFFFF&}');
    expect(text).toContain('{\\c&H00E5FF&}never{\\c&HFFFFFF&}');
    expect(text).not.toContain('{\\c&H00E5FF&}tools');
    const off = render({ template: 'lower-third' }, { keywords: new Set(['never']) });
    expect(off.events.map((e) => e.text).join(' ')).not.toContain('\\c');
    expect(keywordNorm('"Never!"')).toBe('never');
  });

  it('every template writes a valid script with events', () => {
    for (const template of CAPTION_TEMPLATES) {
      const { styles, events } = render({ template });
      expect(styles.get('Caption')).toBeDefined();
      expect(events.length).toBeGreaterThan(3);
    }
  });
});

describe('hook title', () => {
  it('defaults to the first sentence and shows it for its seconds, styled like the captions', () => {
    expect(firstSentence(words)).toBe('Why do 3 editing tools never feel slow?');
    const s = style({ template: 'boxed' });
    const text = hookTitleText({ enabled: true, text: null, seconds: 4 }, words);
    const { styles, events } = parseAss(
      buildStyledAss({
        lines: [],
        width: 1080,
        height: 1920,
        style: s,
        hookTitle: { text, seconds: 4 },
      }),
    );
    expect(styles.get('Hook')!.BorderStyle).toBe('3');
    expect(styles.get('Hook')!.Alignment).toBe('8');
    expect(events).toEqual([
      {
        start: '0:00:00.00',
        end: '0:00:04.00',
        style: 'Hook',
        text: 'Why do 3 editing tools never feel slow?',
      },
    ]);
  });

  it('makes edited text safe: no override blocks, escapes or control characters', () => {
    const text = hookTitleText(
      { enabled: true, text: 'Big {\\fs200\\c&H0000FF&}news\\Nnow\u0007 here\r\n', seconds: 3 },
      words,
    );
    expect(text).not.toMatch(/[{}\\]/);
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(text).toContain('news');
    expect(hookTitleText({ enabled: false, text: 'x', seconds: 3 }, words)).toBe('');
  });
});
